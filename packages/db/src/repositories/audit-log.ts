import type { AuditActorType, Caller, ListAuditLogsQuery } from '@mailgrid/contracts';
import { type Db, nowIso } from '../client';
import type { AuditLogRow } from '../schema';

export interface AuditChange {
  action: string;
  target_type: string;
  target_id: string;
  /** What changed. Never put a secret here. */
  summary?: Record<string, unknown>;
}

/** Who the audit log names for a caller: a signed-in user by id, otherwise the key by its prefix. */
export function actorOf(caller: Caller): { actor_type: AuditActorType; actor_id: string } {
  if (caller.user_id) return { actor_type: 'user', actor_id: caller.user_id };
  return { actor_type: 'api_key', actor_id: caller.key_prefix };
}

/**
 * The insert for one audit entry, not yet run: the caller adds it to the same D1 batch as the change,
 * so a change is never recorded without its entry or the other way round.
 */
export function auditEntry(db: Db, caller: Caller, change: AuditChange) {
  return insertEntry(db, caller.tenant_id, actorOf(caller), caller.request_id, change);
}

/** An entry for a change the platform operator made to a tenant (actor `operator`). */
export function operatorAuditEntry(db: Db, tenantId: string, requestId: string, change: AuditChange) {
  return insertEntry(db, tenantId, { actor_type: 'operator', actor_id: 'operator' }, requestId, change);
}

/** An entry for a change made without a caller (actor `system`), e.g. `unsubscribe` from a recipient's link. */
export function systemAuditEntry(db: Db, tenantId: string, actorId: string, change: AuditChange) {
  return insertEntry(db, tenantId, { actor_type: 'system', actor_id: actorId }, null, change);
}

function insertEntry(
  db: Db,
  tenantId: string,
  actor: { actor_type: AuditActorType; actor_id: string },
  requestId: string | null,
  change: AuditChange,
) {
  return db.insertInto('audit_log').values({
    id: crypto.randomUUID(),
    tenant_id: tenantId,
    ...actor,
    action: change.action,
    target_type: change.target_type,
    target_id: change.target_id,
    request_id: requestId,
    summary: JSON.stringify(change.summary ?? {}),
    created_at: nowIso(),
  });
}

/**
 * One page of the tenant's audit log, newest first, filtered; `after`/`before` as Resend's cursors.
 * Null when the cursor is not one of the tenant's entries.
 */
export async function listAuditLog(
  db: Db,
  tenantId: string,
  query: ListAuditLogsQuery,
): Promise<{ rows: AuditLogRow[]; has_more: boolean } | null> {
  let select = db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenantId);
  if (query.action) select = select.where('action', '=', query.action);
  if (query.target_type) select = select.where('target_type', '=', query.target_type);
  if (query.target_id) select = select.where('target_id', '=', query.target_id);
  if (query.actor_type) select = select.where('actor_type', '=', query.actor_type);
  if (query.actor_id) select = select.where('actor_id', '=', query.actor_id);
  if (query.from) select = select.where('created_at', '>=', query.from);
  if (query.to) select = select.where('created_at', '<', query.to);
  const cursorId = query.after ?? query.before;
  if (cursorId) {
    const cursor = await db
      .selectFrom('audit_log')
      .select(['created_at', 'id'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', cursorId)
      .executeTakeFirst();
    if (!cursor) return null;
    const op = query.after ? '<' : '>';
    select = select.where((eb) =>
      eb.or([
        eb('created_at', op, cursor.created_at),
        eb.and([eb('created_at', '=', cursor.created_at), eb('id', op, cursor.id)]),
      ]),
    );
  }
  const direction = query.before ? 'asc' : 'desc';
  const rows = await select
    .orderBy('created_at', direction)
    .orderBy('id', direction)
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  if (query.before) page.reverse();
  return { rows: page, has_more: rows.length > query.limit };
}
