import type { Caller } from '@mailgrid/contracts';
import { type Db, nowIso } from '../client';

export interface AuditChange {
  action: string;
  target_type: string;
  target_id: string;
  /** What changed. Never put a secret here. */
  summary?: Record<string, unknown>;
}

/**
 * The insert for one audit entry, not yet run: the caller adds it to the same D1 batch as the change,
 * so a change is never recorded without its entry or the other way round.
 */
export function auditEntry(db: Db, caller: Caller, change: AuditChange) {
  return db.insertInto('audit_log').values({
    id: crypto.randomUUID(),
    tenant_id: caller.tenant_id,
    actor_type: 'api_key',
    actor_id: caller.key_prefix,
    action: change.action,
    target_type: change.target_type,
    target_id: change.target_id,
    request_id: caller.request_id,
    summary: JSON.stringify(change.summary ?? {}),
    created_at: nowIso(),
  });
}

export async function listAuditLog(db: Db, tenantId: string, limit = 50) {
  return db
    .selectFrom('audit_log')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}
