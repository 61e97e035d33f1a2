// API-key authentication and permissions. Every failure to authenticate is a 401 with a message
// that says what to fix; a real key without the permission a route needs is a 403.
import { digestsEqual, hashApiKey, parseApiKey } from '@mailgrid/api-keys';
import {
  type ApiKeyPermission,
  type ApiKeyRecord,
  AppError,
  apiKeyCacheKey,
  type Caller,
} from '@mailgrid/contracts';
import { createDb, findApiKeyByPrefix } from '@mailgrid/db';
import type { Env } from './env';

/**
 * How long a key record stays in KV. Revocation deletes the entry at once; the TTL bounds how long
 * another location's copy, or a tenant's changed rate limit or status, can lag behind D1.
 */
const CACHE_TTL_SECONDS = 300;

export interface Authenticated {
  caller: Caller;
  record: ApiKeyRecord;
}

export async function authenticate(
  request: Request,
  env: Env,
  ctx: ExecutionContext,
  requestId: string,
): Promise<Authenticated> {
  const header = request.headers.get('authorization');
  if (!header?.trim()) {
    throw new AppError('missing_api_key', 'Missing API key. Send it as "Authorization: Bearer mg_...".');
  }
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header.trim());
  const token = match?.[1];
  const parsed = token ? parseApiKey(token) : null;
  if (!token || !parsed) {
    throw new AppError(
      'invalid_api_key',
      'API key is invalid. Expected "Authorization: Bearer mg_<env>_<key>".',
    );
  }
  const record = await lookup(env, ctx, parsed.prefix);
  if (!record || !digestsEqual(record.hash, await hashApiKey(token))) {
    throw new AppError('invalid_api_key', 'API key is invalid or has been revoked.');
  }
  if (record.tenant_status !== 'active') {
    throw new AppError('tenant_suspended', 'This account is suspended. Contact the platform operator.');
  }
  return {
    record,
    caller: {
      tenant_id: record.tenant_id,
      key_id: record.id,
      key_prefix: parsed.prefix,
      permission: record.permission,
      domain_id: record.domain_id,
      request_id: requestId,
    },
  };
}

/** `sending_access` keys may send and read health, nothing else (as Resend's). */
export function requirePermission(caller: Caller, needed: ApiKeyPermission): void {
  if (needed === 'full_access' && caller.permission !== 'full_access') {
    throw new AppError(
      'restricted_api_key',
      'This API key can only send emails. Use a full_access key for this route.',
    );
  }
}

async function lookup(env: Env, ctx: ExecutionContext, prefix: string): Promise<ApiKeyRecord | null> {
  const cacheKey = apiKeyCacheKey(prefix);
  const cached = await env.API_KEYS.get<ApiKeyRecord>(cacheKey, 'json');
  if (cached) return cached;
  const record = await findApiKeyByPrefix(createDb(env.DB), prefix);
  // Misses are not cached: a key created a moment ago must work on its first request.
  if (record) {
    ctx.waitUntil(env.API_KEYS.put(cacheKey, JSON.stringify(record), { expirationTtl: CACHE_TTL_SECONDS }));
  }
  return record;
}
