// The platform operator's view of tenants (Mailgrid's own routes under /api/operator/tenants): create
// with quotas and a first owner, list, read, change quotas, suspend and resume.
import * as v from 'valibot';
import type { RateLimitRule, TenantStatus } from './api-keys';
import type { RpcResult } from './rpc-result';
import type { InvitationObject } from './users';

const Slug = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'slug must be 1-63 lower-case letters, digits or dashes'),
);
const Name = v.pipe(v.string(), v.trim(), v.minLength(1, 'name must not be empty'), v.maxLength(100));
const DailySendLimit = v.nullable(
  v.pipe(
    v.number('daily_send_limit must be a number of emails or null (unlimited)'),
    v.integer(),
    v.minValue(1),
  ),
);
const RateLimit = v.strictObject({
  per_second: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100_000)),
  burst: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100_000)),
});

export const CreateTenantRequest = v.strictObject({
  name: Name,
  slug: Slug,
  /** Emails accepted per UTC day; null or absent = unlimited. */
  daily_send_limit: v.optional(DailySendLimit, null),
  /** The API's token bucket for the tenant; absent = 10/s, bursts of 20. */
  rate_limit: v.optional(RateLimit),
  /** Invites this address as the tenant's owner (the invitation is emailed). */
  owner_email: v.optional(
    v.pipe(v.string(), v.trim(), v.toLowerCase(), v.email('owner_email must be an email address')),
  ),
});
export type CreateTenantRequest = v.InferOutput<typeof CreateTenantRequest>;

export const UpdateTenantRequest = v.strictObject({
  name: v.optional(Name),
  daily_send_limit: v.optional(DailySendLimit),
  rate_limit: v.optional(RateLimit),
});
export type UpdateTenantRequest = v.InferOutput<typeof UpdateTenantRequest>;

export const ListTenantsQuery = v.object({
  limit: v.optional(
    v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1), v.maxValue(100)),
    '20',
  ),
  after: v.optional(v.pipe(v.string(), v.uuid('after must be a tenant id'))),
  before: v.optional(v.pipe(v.string(), v.uuid('before must be a tenant id'))),
});
export type ListTenantsQuery = v.InferOutput<typeof ListTenantsQuery>;

export interface TenantObject {
  object: 'tenant';
  id: string;
  slug: string;
  name: string;
  status: TenantStatus;
  daily_send_limit: number | null;
  rate_limit: RateLimitRule;
  created_at: string;
}

export interface CreateTenantResponse extends TenantObject {
  /** The first owner's invitation, when `owner_email` was given. */
  invitation: InvitationObject | null;
}

export interface TenantList {
  object: 'list';
  has_more: boolean;
  data: TenantObject[];
}

/** Who acts on the operator routes: the platform operator (one shared secret), for the audit log. */
export interface OperatorContext {
  request_id: string;
}

export interface TenantsAdminRpc {
  createTenant(
    operator: OperatorContext,
    input: CreateTenantRequest,
  ): Promise<RpcResult<CreateTenantResponse>>;
  listTenants(operator: OperatorContext, query: ListTenantsQuery): Promise<RpcResult<TenantList>>;
  /** `ref` is a tenant's id or slug. */
  getTenant(operator: OperatorContext, ref: string): Promise<RpcResult<TenantObject>>;
  /** Quotas apply from the tenant's next request: its cached keys and users are dropped. */
  updateTenant(
    operator: OperatorContext,
    ref: string,
    input: UpdateTenantRequest,
  ): Promise<RpcResult<TenantObject>>;
  /** At once: every cached key and user of the tenant is dropped, so the next request is refused. */
  suspendTenant(operator: OperatorContext, ref: string): Promise<RpcResult<TenantObject>>;
  resumeTenant(operator: OperatorContext, ref: string): Promise<RpcResult<TenantObject>>;
}
