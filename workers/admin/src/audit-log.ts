// GET /audit-logs: the tenant's audit log, filtered, newest first, with Resend's cursors.
import {
  AppError,
  type AuditLogList,
  type AuditLogObject,
  type Caller,
  type ListAuditLogsQuery,
  unknownCursor,
} from '@mailgrid/contracts';
import { type AuditLogRow, createDb, listAuditLog } from '@mailgrid/db';
import type { Env } from './env';

export async function listAuditLogs(
  env: Env,
  caller: Caller,
  query: ListAuditLogsQuery,
): Promise<AuditLogList> {
  if (query.from && query.to && query.from >= query.to) {
    throw new AppError('invalid_parameter', 'from must be earlier than to.');
  }
  const page = await listAuditLog(createDb(env.DB), caller.tenant_id, query);
  if (!page) throw unknownCursor(query, 'audit log entry');
  return { object: 'list', has_more: page.has_more, data: page.rows.map(toObject) };
}

function toObject(row: AuditLogRow): AuditLogObject {
  return {
    object: 'audit_log',
    id: row.id,
    actor_type: row.actor_type,
    actor_id: row.actor_id,
    action: row.action,
    target_type: row.target_type,
    target_id: row.target_id,
    request_id: row.request_id,
    summary: JSON.parse(row.summary) as Record<string, unknown>,
    created_at: row.created_at,
  };
}
