import type { AuditActorType, Caller, ListAuditLogsQuery } from '@mailgrid/contracts';
import { type Expression, expressionBuilder, type SqlBool } from 'kysely';
import { type Db, nowIso } from '../client';
import { listNewestFirst, type Page } from '../pagination';
import type { AuditLogRow, Database } from '../schema';

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

/** One page of the tenant's audit log, newest first, filtered; null for an unknown cursor. */
export async function listAuditLog(
  db: Db,
  tenantId: string,
  query: ListAuditLogsQuery,
): Promise<Page<AuditLogRow> | null> {
  const eb = expressionBuilder<Database, 'audit_log'>();
  const conditions: Expression<SqlBool>[] = [];
  if (query.action) conditions.push(eb('action', '=', query.action));
  if (query.target_type) conditions.push(eb('target_type', '=', query.target_type));
  if (query.target_id) conditions.push(eb('target_id', '=', query.target_id));
  if (query.actor_type) conditions.push(eb('actor_type', '=', query.actor_type));
  if (query.actor_id) conditions.push(eb('actor_id', '=', query.actor_id));
  if (query.from) conditions.push(eb('created_at', '>=', query.from));
  if (query.to) conditions.push(eb('created_at', '<', query.to));
  return listNewestFirst(
    db,
    tenantId,
    'audit_log',
    query,
    conditions.length ? eb.and(conditions) : undefined,
  );
}
