// Resend's cursor pagination, for every tenant-owned list: newest first; `after` continues past an
// id (older rows), `before` goes back (newer rows). Null when the cursor id is not the tenant's.
import type { Expression, Kysely, Selectable, SqlBool } from 'kysely';
import type { Db } from './client';
import type { Database } from './schema';

export interface PageRequest {
  limit: number;
  after?: string;
  before?: string;
}

export interface Page<Row> {
  rows: Row[];
  has_more: boolean;
}

type Listable =
  | 'emails'
  | 'templates'
  | 'files'
  | 'contacts'
  | 'contact_properties'
  | 'segments'
  | 'topics'
  | 'contact_imports'
  | 'audit_log'
  | 'domains'
  | 'broadcasts'
  | 'webhook_deliveries';
/** The columns paging needs, which every listable table has, under one stand-in table name. */
type PagedDb = Kysely<{ paged: { tenant_id: string; id: string; created_at: string } }>;

export async function listNewestFirst<T extends Listable>(
  db: Db,
  tenantId: string,
  table: T,
  page: PageRequest,
  /** Only rows that also match this (e.g. the contacts of one segment). */
  filter?: Expression<SqlBool>,
  /** The columns to read, when not all (a list leaves out what only one item's page shows). */
  columns?: readonly (keyof Database[T] & string)[],
): Promise<Page<Selectable<Database[T]>> | null> {
  const paged = db as unknown as PagedDb;
  const from = table as unknown as 'paged';
  const cursorId = page.after ?? page.before;
  const selected = paged.selectFrom(from);
  let query = (columns ? selected.select(columns as unknown as 'id'[]) : selected.selectAll()).where(
    'tenant_id',
    '=',
    tenantId,
  );
  if (filter) query = query.where(filter);
  if (cursorId) {
    const cursor = await paged
      .selectFrom(from)
      .select(['created_at', 'id'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', cursorId)
      .executeTakeFirst();
    if (!cursor) return null;
    const op = page.after ? '<' : '>';
    query = query.where((eb) =>
      eb.or([
        eb('created_at', op, cursor.created_at),
        eb.and([eb('created_at', '=', cursor.created_at), eb('id', op, cursor.id)]),
      ]),
    );
  }
  const direction = page.before ? 'asc' : 'desc';
  const rows = await query
    .orderBy('created_at', direction)
    .orderBy('id', direction)
    .limit(page.limit + 1)
    .execute();
  const pageRows = rows.slice(0, page.limit);
  if (page.before) pageRows.reverse();
  return { rows: pageRows as unknown as Selectable<Database[T]>[], has_more: rows.length > page.limit };
}
