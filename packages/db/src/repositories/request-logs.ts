// The API request log (migration 0022): one row per authenticated request, written by the gateway
// after it answered. Ids are UUIDv7, so the primary key (tenant, id) orders rows by time and serves
// the list, the read by id and the expiry alike (see the migration for why there is no other index).
import type { Insertable } from 'kysely';
import type { Db } from '../client';
import type { RequestLogsTable } from '../schema';

export type NewRequestLog = Omit<Insertable<RequestLogsTable>, 'tenant_id'>;

/** The insert, compiled by the caller's own D1 handle: one row written. */
export function insertRequestLog(db: Db, tenantId: string, entry: NewRequestLog) {
  return db.insertInto('request_logs').values({ ...entry, tenant_id: tenantId });
}

export async function getRequestLog(db: Db, tenantId: string, id: string) {
  return db
    .selectFrom('request_logs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/**
 * Newest first, Resend's cursors: `after` an id goes to older rows, `before` to newer ones. The id
 * is the order, so a cursor is a range on the key, never a lookup (a cursor that names no row still
 * pages from where it would be). Bodies are left out: the list shows what Resend's does.
 */
export async function listRequestLogs(
  db: Db,
  tenantId: string,
  page: { limit: number; after?: string; before?: string },
) {
  let query = db
    .selectFrom('request_logs')
    .select(['id', 'created_at', 'endpoint', 'method', 'response_status', 'user_agent'])
    .where('tenant_id', '=', tenantId);
  if (page.after) query = query.where('id', '<', page.after);
  if (page.before) query = query.where('id', '>', page.before);
  const direction = page.before ? 'asc' : 'desc';
  const rows = await query
    .orderBy('id', direction)
    .limit(page.limit + 1)
    .execute();
  const kept = rows.slice(0, page.limit);
  if (page.before) kept.reverse();
  return { rows: kept, has_more: rows.length > page.limit };
}
