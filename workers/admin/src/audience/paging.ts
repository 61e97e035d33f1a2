// What every audience list shares: Resend's cursor rules, and paging a list that is read whole.
import { AppError, type AudienceListQuery } from '@mailgrid/contracts';

/** `after` and `before` exclude each other. */
export function pageOf(query: AudienceListQuery): AudienceListQuery {
  if (query.after && query.before) {
    throw new AppError('invalid_parameter', 'Use either after or before, not both.');
  }
  return query;
}

export function unknownCursor(query: AudienceListQuery, what: string): AppError {
  return new AppError('invalid_parameter', `No ${what} ${query.after ?? query.before} to page from.`);
}

/** Resend's paging over a list already in order (newest first), for lists a tenant keeps short. */
export function pageInMemory<T extends { id: string }>(
  rows: T[],
  query: AudienceListQuery,
  what: string,
): { data: T[]; has_more: boolean } {
  pageOf(query);
  const cursor = query.after ?? query.before;
  if (!cursor) return { data: rows.slice(0, query.limit), has_more: rows.length > query.limit };
  const at = rows.findIndex((row) => row.id === cursor);
  if (at < 0) throw unknownCursor(query, what);
  if (query.after) {
    const rest = rows.slice(at + 1);
    return { data: rest.slice(0, query.limit), has_more: rest.length > query.limit };
  }
  const start = Math.max(0, at - query.limit);
  return { data: rows.slice(start, at), has_more: start > 0 };
}
