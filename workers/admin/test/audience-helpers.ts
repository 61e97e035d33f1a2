// What the audience tests share: reading the audit log straight from D1 (and the RPC unwrappers).
import type { Caller } from '@mailgrid/contracts';
import { realEnv } from './helpers';

export { failure, value } from './helpers';

export interface AuditRow {
  actor_type: string;
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string;
  request_id: string | null;
  summary: Record<string, unknown>;
}

/** The tenant's audit entries about one target, oldest first. */
export async function auditOf(tenantId: string, targetId: string): Promise<AuditRow[]> {
  const { results } = await realEnv.DB.prepare(
    'SELECT actor_type, actor_id, action, target_type, target_id, request_id, summary FROM audit_log WHERE tenant_id = ? AND target_id = ? ORDER BY created_at, rowid',
  )
    .bind(tenantId, targetId)
    .all<Omit<AuditRow, 'summary'> & { summary: string }>();
  return results.map((row) => ({ ...row, summary: JSON.parse(row.summary) as Record<string, unknown> }));
}

export async function auditActions(caller: Caller, targetId: string): Promise<string[]> {
  return (await auditOf(caller.tenant_id, targetId)).map((row) => row.action);
}

export async function count(sql: string, ...params: unknown[]): Promise<number> {
  return (await realEnv.DB.prepare(sql)
    .bind(...params)
    .first<number>('n')) as number;
}

/** Lets the clock move on, so rows created one after the other have distinct `created_at` (lists are newest first). */
export function later(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 3));
}
