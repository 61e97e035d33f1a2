// Resend's cursor pagination, defined once for every list: `limit` 1–100 (default 20), and at most
// one of `after` (older rows) and `before` (newer rows), each the id of a row of that list. The
// gateway parses every list's query with these schemas, so every list answers the same way.
import * as v from 'valibot';
import { AppError } from './errors';

export const PAGE_LIMIT = { min: 1, max: 100, default: 20 } as const;

/** A UUID in any case; ids are stored lower-case, so it is lower-cased here. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `limit` as a query string carries it: a whole number from 1 to `max`. */
export const Limit = (max: number = PAGE_LIMIT.max, fallback: number = PAGE_LIMIT.default) =>
  v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,6}$/, `must be a whole number from 1 to ${max}`),
      v.transform(Number),
      v.minValue(1, `must be a whole number from 1 to ${max}`),
      v.maxValue(max, `must be a whole number from 1 to ${max}`),
    ),
    String(fallback),
  );

/** A cursor or path id that is a UUID (`noun`: "an email", "a domain"). */
export const UuidId = (noun: string) =>
  v.pipe(
    v.string(),
    v.regex(UUID_PATTERN, `must be ${noun} id (a UUID)`),
    v.toLowerCase(),
    v.description(`${noun[0]?.toUpperCase()}${noun.slice(1)} id (a UUID).`),
  );

/** Any other kind of cursor (an address, a slug): what it must look like and what it names. */
export const TextId = (noun: string, pattern: RegExp, expects: string) =>
  v.pipe(v.string(), v.regex(pattern, `must be ${expects}`), v.description(`${noun}: ${expects}.`));

type Cursor = v.GenericSchema<string, string>;

/**
 * A list's query: Resend's paging with the list's cursor, plus its own filters. The object schema
 * stays reachable as `.pipe[0]` so the OpenAPI document can list the parameters one by one.
 */
export function pageQuery<const TFilters extends v.ObjectEntries = Record<never, never>>(
  cursor: Cursor,
  filters?: TFilters,
) {
  return v.pipe(
    v.object({
      limit: Limit(),
      after: v.optional(cursor),
      before: v.optional(cursor),
      ...(filters ?? ({} as TFilters)),
    }),
    v.check(
      (query) => query.after === undefined || query.before === undefined,
      'use either after or before, not both',
    ),
  );
}

/** A page request as a callee gets it. */
export interface PageQuery {
  limit: number;
  after?: string;
  before?: string;
}

/** A cursor that names no row of this tenant's list: the same 422 everywhere. */
export function unknownCursor(query: PageQuery, noun: string): AppError {
  const name = query.after !== undefined ? 'after' : 'before';
  return new AppError(
    'invalid_parameter',
    `${name}: no ${noun} ${query.after ?? query.before} in this list.`,
  );
}

/**
 * Resend's paging over a list read whole and already in order (newest first), for the short lists
 * a tenant keeps (topics, streams, webhooks, users, API keys). Rows are named by `id`.
 */
export function pageInMemory<T extends { id: string }>(
  rows: readonly T[],
  query: PageQuery,
  noun: string,
): { data: T[]; has_more: boolean } {
  const cursor = query.after ?? query.before;
  if (cursor === undefined) return { data: rows.slice(0, query.limit), has_more: rows.length > query.limit };
  const at = rows.findIndex((row) => row.id === cursor);
  if (at < 0) throw unknownCursor(query, noun);
  if (query.after !== undefined) {
    const rest = rows.slice(at + 1);
    return { data: rest.slice(0, query.limit), has_more: rest.length > query.limit };
  }
  const start = Math.max(0, at - query.limit);
  return { data: rows.slice(start, at), has_more: start > 0 };
}
