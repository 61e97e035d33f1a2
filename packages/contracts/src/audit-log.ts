// The audit log as the API returns it: who changed what, when, and in which request.
import * as v from 'valibot';
import type { Caller } from './caller';
import type { RpcResult } from './rpc-result';

export const AUDIT_ACTOR_TYPES = ['api_key', 'user', 'operator', 'system'] as const;
export type AuditActorType = (typeof AUDIT_ACTOR_TYPES)[number];

const Text = (name: string) =>
  v.pipe(v.string(), v.trim(), v.minLength(1, `${name} must not be empty`), v.maxLength(200));
const Instant = (name: string) =>
  v.pipe(
    v.string(),
    v.check(
      (value) => /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value)),
      `${name} must be an ISO 8601 date or timestamp, e.g. 2026-01-31T00:00:00Z`,
    ),
    v.transform((value) => new Date(value).toISOString()),
  );

export const ListAuditLogsQuery = v.object({
  limit: v.optional(
    v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1), v.maxValue(100)),
    '20',
  ),
  after: v.optional(v.pipe(v.string(), v.uuid('after must be an audit log entry id'))),
  before: v.optional(v.pipe(v.string(), v.uuid('before must be an audit log entry id'))),
  action: v.optional(Text('action')),
  target_type: v.optional(Text('target_type')),
  target_id: v.optional(Text('target_id')),
  actor_type: v.optional(
    v.picklist(AUDIT_ACTOR_TYPES, 'actor_type must be api_key, user, operator or system'),
  ),
  actor_id: v.optional(Text('actor_id')),
  /** Entries at or after this instant. */
  from: v.optional(Instant('from')),
  /** Entries before this instant. */
  to: v.optional(Instant('to')),
});
export type ListAuditLogsQuery = v.InferOutput<typeof ListAuditLogsQuery>;

export interface AuditLogObject {
  object: 'audit_log';
  id: string;
  /** `api_key` (actor_id is the key's prefix), `user` (the user's id), `operator` or `system`. */
  actor_type: AuditActorType;
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string;
  request_id: string | null;
  /** What changed; never a secret. */
  summary: Record<string, unknown>;
  created_at: string;
}

export interface AuditLogList {
  object: 'list';
  has_more: boolean;
  data: AuditLogObject[];
}

export interface AuditLogAdminRpc {
  listAuditLogs(caller: Caller, query: ListAuditLogsQuery): Promise<RpcResult<AuditLogList>>;
}
