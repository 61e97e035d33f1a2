// The platform operator's tenant management, and the keys it issues to a tenant. Every change that
// affects authorisation (status, rate limit) drops the tenant's entries from the gateway's KV cache,
// so it applies from the next request.
import {
  AppError,
  apiKeyCacheKey,
  type CreateApiKeyRequest,
  type CreateApiKeyResponse,
  type CreateTenantRequest,
  type CreateTenantResponse,
  type InvitationObject,
  type ListTenantsQuery,
  type OperatorContext,
  type TenantList,
  type TenantObject,
  type TenantStatus,
  type UpdateTenantRequest,
  unknownCursor,
  userCacheKey,
} from '@mailgrid/contracts';
import {
  createDb,
  insertOperatorApiKey,
  insertTenant,
  invitationWrites,
  liveKeyPrefixes,
  operatorAuditEntry,
  setTenantStatus,
  type Tenant,
  updateTenantRow,
  userSubjects,
} from '@mailgrid/db';
import { findTenant, listTenantsPage, slugTaken } from '@mailgrid/db/cross-tenant';
import { issueApiKey } from './api-keys';
import type { Env } from './env';
import { newInvitationToken, sendInvitation } from './invitations';

export function toTenantObject(row: Tenant): TenantObject {
  return {
    object: 'tenant',
    id: row.id,
    slug: row.slug,
    name: row.name,
    status: row.status,
    daily_send_limit: row.daily_send_limit,
    rate_limit: { per_second: row.rate_limit_per_second, burst: row.rate_limit_burst },
    created_at: row.created_at,
  };
}

export async function createTenant(
  env: Env,
  operator: OperatorContext,
  input: CreateTenantRequest,
): Promise<CreateTenantResponse> {
  const db = createDb(env.DB);
  if (await slugTaken(db, input.slug)) throw new AppError('conflict', `The slug ${input.slug} is taken.`);
  const id = crypto.randomUUID();
  const owner = input.owner_email
    ? { userId: crypto.randomUUID(), invitationId: crypto.randomUUID(), token: await newInvitationToken() }
    : null;
  await insertTenant(db, env.DB, id, operator.request_id, input, (tenantId) =>
    owner && input.owner_email
      ? [
          ...invitationWrites(db, tenantId, {
            user: { id: owner.userId, email: input.owner_email, role: 'owner', exists: false },
            invitationId: owner.invitationId,
            tokenHash: owner.token.hash,
            expiresAt: owner.token.expiresAt,
          }),
          operatorAuditEntry(db, tenantId, operator.request_id, {
            action: 'user.invited',
            target_type: 'user',
            target_id: owner.userId,
            summary: { email: input.owner_email, role: 'owner', invitation_id: owner.invitationId },
          }),
        ]
      : [],
  );
  let invitation: InvitationObject | null = null;
  if (owner && input.owner_email) {
    invitation = await sendInvitation(env, operator.request_id, {
      invitationId: owner.invitationId,
      userId: owner.userId,
      email: input.owner_email,
      role: 'owner',
      tenantName: input.name,
      token: owner.token,
    });
  }
  return { ...toTenantObject(await existing(env, id)), invitation };
}

export async function listTenants(
  env: Env,
  _operator: OperatorContext,
  query: ListTenantsQuery,
): Promise<TenantList> {
  const page = await listTenantsPage(createDb(env.DB), query);
  if (!page) throw unknownCursor(query, 'tenant');
  return { object: 'list', has_more: page.has_more, data: page.rows.map(toTenantObject) };
}

export async function getTenant(env: Env, _operator: OperatorContext, ref: string): Promise<TenantObject> {
  return toTenantObject(await existing(env, ref));
}

export async function updateTenant(
  env: Env,
  operator: OperatorContext,
  ref: string,
  input: UpdateTenantRequest,
): Promise<TenantObject> {
  const tenant = await existing(env, ref);
  await updateTenantRow(createDb(env.DB), env.DB, tenant, operator.request_id, input);
  if (input.rate_limit) await dropCachedCredentials(env, tenant.id);
  return toTenantObject(await existing(env, tenant.id));
}

export async function suspendTenant(env: Env, operator: OperatorContext, ref: string): Promise<TenantObject> {
  return setStatus(env, operator, ref, 'suspended');
}

export async function resumeTenant(env: Env, operator: OperatorContext, ref: string): Promise<TenantObject> {
  return setStatus(env, operator, ref, 'active');
}

/**
 * A key for the tenant, issued by the operator: how a new tenant gets its first one without a user
 * signing in. Made as a tenant's own create makes it (api-keys.ts), audited as the operator's.
 */
export async function createTenantApiKey(
  env: Env,
  operator: OperatorContext,
  ref: string,
  input: CreateApiKeyRequest,
): Promise<CreateApiKeyResponse> {
  const tenant = await existing(env, ref);
  if (tenant.status === 'suspended') {
    throw new AppError('conflict', `Tenant ${ref} is suspended: resume it before issuing it a key.`);
  }
  return issueApiKey(env, tenant.id, input, (db, key) =>
    insertOperatorApiKey(db, env.DB, tenant.id, operator.request_id, input, key),
  );
}

async function setStatus(
  env: Env,
  operator: OperatorContext,
  ref: string,
  status: TenantStatus,
): Promise<TenantObject> {
  const tenant = await existing(env, ref);
  if (tenant.status !== status) {
    await setTenantStatus(createDb(env.DB), env.DB, tenant.id, operator.request_id, status);
  }
  // Even when unchanged: a cache entry left from before is dropped all the same.
  await dropCachedCredentials(env, tenant.id);
  return toTenantObject({ ...tenant, status });
}

async function existing(env: Env, ref: string): Promise<Tenant> {
  const tenant = await findTenant(createDb(env.DB), ref);
  if (!tenant) throw new AppError('not_found', `Tenant ${ref} not found.`);
  return tenant;
}

/**
 * The gateway caches each key's and each user's record (with the tenant's status and rate limit);
 * dropping them makes its next request read D1. Another location's KV copy may lag by KV's own
 * propagation (up to about a minute), as with key revocation.
 */
async function dropCachedCredentials(env: Env, tenantId: string): Promise<void> {
  const db = createDb(env.DB);
  const [prefixes, subjects] = await Promise.all([liveKeyPrefixes(db, tenantId), userSubjects(db, tenantId)]);
  const keys = [...prefixes.map(apiKeyCacheKey), ...subjects.map(userCacheKey)];
  // A few at a time: a tenant may have many keys, and a Worker has a limit on parallel subrequests.
  for (let i = 0; i < keys.length; i += 50) {
    await Promise.all(keys.slice(i, i + 50).map((key) => env.API_KEYS.delete(key)));
  }
}
