// The platform operator's view of tenants (Mailgrid's own routes under /api/operator/tenants): create
// with quotas and a first owner, list, read, change quotas, suspend and resume.
import * as v from 'valibot';
import { RateLimitRule, TENANT_STATUSES } from './api-keys';
import { pageQuery, UuidId } from './paging';
import type { RpcResult } from './rpc-result';
import { ListOf } from './shapes';
import { NoControlChars } from './text';
import { InvitationObject } from './users';

const Slug = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'slug must be 1-63 lower-case letters, digits or dashes'),
);
const Name = v.pipe(
  v.string(),
  NoControlChars,
  v.trim(),
  v.minLength(1, 'name must not be empty'),
  v.maxLength(100),
);
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

export const ListTenantsQuery = pageQuery(UuidId('a tenant'));
export type ListTenantsQuery = v.InferOutput<typeof ListTenantsQuery>;

export const TenantObject = v.pipe(
  v.object({
    object: v.literal('tenant'),
    id: v.string(),
    slug: v.string(),
    name: v.string(),
    status: v.picklist(TENANT_STATUSES),
    daily_send_limit: v.nullable(v.number()),
    rate_limit: RateLimitRule,
    created_at: v.string(),
  }),
  v.title('TenantObject'),
  v.description('A tenant as the platform operator sees it: status and quotas.'),
);
export type TenantObject = v.InferOutput<typeof TenantObject>;

export const CreateTenantResponse = v.pipe(
  v.object({
    ...TenantObject.entries,
    /** The first owner's invitation, when `owner_email` was given. */
    invitation: v.nullable(InvitationObject),
  }),
  v.title('CreateTenantResponse'),
  v.description("The new tenant, with its first owner's invitation when `owner_email` was given."),
);
export type CreateTenantResponse = v.InferOutput<typeof CreateTenantResponse>;

export const TenantList = v.pipe(
  ListOf(TenantObject),
  v.title('TenantList'),
  v.description('A page of tenants.'),
);
export type TenantList = v.InferOutput<typeof TenantList>;

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
