// The audit log as the API returns it: who changed what, when, and in which request.
import * as v from 'valibot';
import type { Caller } from './caller';
import { pageQuery, UuidId } from './paging';
import type { RpcResult } from './rpc-result';
import { ListOf } from './shapes';

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

export const ListAuditLogsQuery = pageQuery(UuidId('an audit log entry'), {
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

export const AuditLogObject = v.pipe(
  v.object({
    object: v.literal('audit_log'),
    id: v.string(),
    /** `api_key` (actor_id is the key's prefix), `user` (the user's id), `operator` or `system`. */
    actor_type: v.picklist(AUDIT_ACTOR_TYPES),
    actor_id: v.string(),
    action: v.string(),
    target_type: v.string(),
    target_id: v.string(),
    request_id: v.nullable(v.string()),
    /** What changed; never a secret. */
    summary: v.record(v.string(), v.unknown()),
    created_at: v.string(),
  }),
  v.title('AuditLogObject'),
  v.description('One audit log entry: who changed what, when, and in which request.'),
);
export type AuditLogObject = v.InferOutput<typeof AuditLogObject>;

export const AuditLogList = v.pipe(
  ListOf(AuditLogObject),
  v.title('AuditLogList'),
  v.description('A page of audit log entries.'),
);
export type AuditLogList = v.InferOutput<typeof AuditLogList>;

export interface AuditLogAdminRpc {
  listAuditLogs(caller: Caller, query: ListAuditLogsQuery): Promise<RpcResult<AuditLogList>>;
}
