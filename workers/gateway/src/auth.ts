// Authentication and permissions. A bearer token is an API key (`mg_…`) or, when it looks like a
// JWT, a signed-in user (see jwt.ts); the platform operator has its own secret (operator routes).
// Every failure to authenticate is a 401 with a message that says what to fix; a real credential
// without the permission or role a route needs is a 403.
//
// An API key is looked up in KV (`api-key:<prefix>`: the record, or that there is none) and only then
// in D1. Failed API-key authentication is cheap and bounded: a malformed key touches no storage, an
// unknown prefix costs one D1 read per minute (the miss is cached), and each client address may fail
// only so often before it is answered 429 without D1 being asked (rate-limit.ts).
import { digestsEqual, hashApiKey, parseApiKey } from '@mailgrid/api-keys';
import {
  type ApiKeyPermission,
  type ApiKeyRecord,
  AppError,
  apiKeyCacheKey,
  type Caller,
  type RateLimitRule,
  type UserRecord,
  type UserRole,
  userCacheKey,
} from '@mailgrid/contracts';
import { createDb, meteredD1 } from '@mailgrid/db';
import { findApiKeyByPrefix, findUserBySubject } from '@mailgrid/db/cross-tenant';
import { config, type Env } from './env';
import { looksLikeJwt, type VerifiedIdentity, verifyAccessToken } from './jwt';
import { beginKeyLookup, clientAddress, recordAuthFailure } from './rate-limit';
import { sessionToken, verifySession } from './session';

/**
 * How long a key record stays in KV. Revocation deletes the entry at once; the TTL bounds how long
 * another location's copy, or a tenant's changed rate limit or status, can lag behind D1.
 */
const CACHE_TTL_SECONDS = 300;
/**
 * How long KV remembers that no key has a prefix (KV's shortest TTL). Admin deletes the entry when it
 * creates a key with that prefix (prefixes are random, so that is belt and braces); a flood of
 * made-up keys costs D1 one read per prefix at most, and the per-address failure limit bounds how
 * many prefixes one address may try (rate-limit.ts).
 */
const MISS_CACHE_TTL_SECONDS = 60;
/** What KV holds under `api-key:<prefix>`: the key's record, or that D1 has no such key. */
type CachedKey = ApiKeyRecord | { missing: true };
/**
 * A user record's KV lifetime. A role change or removal deletes the entry at once (admin); the TTL
 * bounds how long another location's copy can lag: a removed user is refused within a minute at most.
 */
const USER_CACHE_TTL_SECONDS = 60;

/** What the tenant's rate limit needs: its id and its bucket. */
export interface TenantLimits {
  tenant_id: string;
  rate_limit: RateLimitRule;
}

export interface Authenticated {
  caller: Caller;
  record: TenantLimits;
  /** Signed in by the dashboard's session cookie, renewed: the Set-Cookie header to answer with. */
  setCookie?: string;
}

export async function authenticate(
  request: Request,
  env: Env,
  ctx: ExecutionContext,
  requestId: string,
): Promise<Authenticated> {
  // The dashboard's session cookie stands in for a missing Authorization header (session.ts).
  const session = request.headers.get('authorization') ? null : sessionToken(request);
  if (session) {
    const { subject, renewed } = await verifySession(env, request, session);
    const user = await authenticateSubject(env, ctx, subject, requestId);
    return renewed ? { ...user, setCookie: renewed } : user;
  }
  const token = bearerToken(request);
  if (!token.startsWith('mg_') && looksLikeJwt(token)) return authenticateUser(env, ctx, token, requestId);
  // A malformed key is refused here, before any storage (KV, D1 or the failure bucket) is touched.
  const parsed = parseApiKey(token);
  if (!parsed) {
    throw new AppError(
      'invalid_api_key',
      'API key is invalid. Expected "Authorization: Bearer mg_<env>_<key>" (or a signed-in user\'s JWT).',
    );
  }
  const record = await verifyKey(env, ctx, clientAddress(request), token, parsed.prefix);
  assertActive(record.tenant_status);
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

/** A JWT that verifies, without asking who it is in Mailgrid: for accepting an invitation. */
export async function authenticateIdentity(request: Request, env: Env): Promise<VerifiedIdentity> {
  const token = bearerToken(request);
  if (token.startsWith('mg_') || !looksLikeJwt(token)) {
    throw new AppError(
      'invalid_access_token',
      'Accepting an invitation needs the signed-in user\'s JWT ("Authorization: Bearer <jwt>"), not an API key.',
    );
  }
  return verifyAccessToken(env, token);
}

/** The platform operator: `Authorization: Bearer <OPERATOR_SECRET>`, compared in constant time. */
export async function authenticateOperator(request: Request, env: Env): Promise<void> {
  const { OPERATOR_SECRET } = config(env);
  if (!OPERATOR_SECRET) {
    throw new AppError(
      'invalid_operator_secret',
      'Operator routes are disabled: this Mailgrid has no OPERATOR_SECRET configured.',
    );
  }
  const header = request.headers.get('authorization') ?? '';
  const given = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header.trim())?.[1] ?? '';
  // Hashing both sides first makes the comparison's time independent of the lengths too.
  const [givenHash, expectedHash] = await Promise.all([hashApiKey(given), hashApiKey(OPERATOR_SECRET)]);
  if (!given || !digestsEqual(givenHash, expectedHash)) {
    throw new AppError(
      'invalid_operator_secret',
      'Operator routes need "Authorization: Bearer <OPERATOR_SECRET>"; the secret given is missing or wrong.',
    );
  }
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

/** Every role may read; viewers change nothing. */
export const READER_ROLES: readonly UserRole[] = ['owner', 'admin', 'developer', 'viewer'];
export const WRITER_ROLES: readonly UserRole[] = ['owner', 'admin', 'developer'];

/**
 * A signed-in user's role against the route's: `roles` when the route names them, otherwise any
 * role for GET and any role but viewer for everything else. API keys are not subject to roles.
 */
export function requireRole(caller: Caller, method: string, roles?: readonly UserRole[]): void {
  if (!caller.user_id) return;
  const allowed = roles ?? (method === 'GET' ? READER_ROLES : WRITER_ROLES);
  if (!caller.role || !allowed.includes(caller.role)) {
    throw new AppError(
      'insufficient_role',
      caller.role === 'viewer'
        ? 'Viewers can read but not change anything. Ask an owner or admin for another role.'
        : `Your role (${caller.role}) cannot do this; it needs ${allowed.join(' or ')}.`,
    );
  }
}

function bearerToken(request: Request): string {
  const header = request.headers.get('authorization');
  if (!header?.trim()) {
    throw new AppError('missing_api_key', 'Missing API key. Send it as "Authorization: Bearer mg_...".');
  }
  const token = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header.trim())?.[1];
  if (!token) {
    throw new AppError(
      'invalid_api_key',
      'API key is invalid. Expected "Authorization: Bearer mg_<env>_<key>" (or a signed-in user\'s JWT).',
    );
  }
  return token;
}

async function authenticateUser(
  env: Env,
  ctx: ExecutionContext,
  token: string,
  requestId: string,
): Promise<Authenticated> {
  const { subject } = await verifyAccessToken(env, token);
  return authenticateSubject(env, ctx, subject, requestId);
}

/** The Mailgrid user a verified identity is (a JWT's or the dashboard session's `sub`). */
export async function authenticateSubject(
  env: Env,
  ctx: ExecutionContext,
  subject: string,
  requestId: string,
): Promise<Authenticated> {
  const user = await lookupUser(env, ctx, subject);
  if (!user) {
    throw new AppError(
      'not_a_member',
      'You are signed in, but not a member of any Mailgrid account. Accept an invitation first (POST /api/invitations/accept).',
    );
  }
  assertActive(user.tenant_status);
  return {
    record: user,
    caller: {
      tenant_id: user.tenant_id,
      key_id: '',
      key_prefix: '',
      permission: 'full_access',
      domain_id: null,
      request_id: requestId,
      user_id: user.id,
      role: user.role,
    },
  };
}

function assertActive(status: string) {
  if (status !== 'active') {
    throw new AppError('tenant_suspended', 'This account is suspended. Contact the platform operator.');
  }
}

/**
 * The record of a well-formed key, from KV or else D1, or the failure: 401, or 429 once the client's
 * address is over its failure limit (then before D1 is read, see rate-limit.ts).
 */
async function verifyKey(
  env: Env,
  ctx: ExecutionContext,
  address: string,
  token: string,
  prefix: string,
): Promise<ApiKeyRecord> {
  const cacheKey = apiKeyCacheKey(prefix);
  const cached = await env.API_KEYS.get<CachedKey>(cacheKey, 'json');
  // Only a cache miss asks D1, and not for an address over its failure limit.
  const lookup = cached ? null : await beginKeyLookup(env, address);
  try {
    let record: ApiKeyRecord | null;
    if (cached) {
      record = 'missing' in cached ? null : cached;
    } else {
      record = await findKey(env, prefix);
      ctx.waitUntil(
        env.API_KEYS.put(cacheKey, JSON.stringify(record ?? ({ missing: true } satisfies CachedKey)), {
          expirationTtl: record ? CACHE_TTL_SECONDS : MISS_CACHE_TTL_SECONDS,
        }),
      );
    }
    if (!record || !digestsEqual(record.hash, await hashApiKey(token))) {
      // 429 once this address is over its failure limit, else the 401 below.
      await recordAuthFailure(env, address, lookup?.tokenTaken ?? false);
      throw new AppError('invalid_api_key', 'API key is invalid or has been revoked.');
    }
    return record;
  } finally {
    lookup?.end();
  }
}

/** The key's record from D1, logged with what the read cost (the auth-flood bench counts these lines). */
async function findKey(env: Env, prefix: string): Promise<ApiKeyRecord | null> {
  const { db, usage } = meteredD1(env.DB);
  const record = await findApiKeyByPrefix(createDb(db), prefix);
  console.log(JSON.stringify({ event: 'auth.key_lookup', found: record !== null, d1: usage }));
  return record;
}

async function lookupUser(env: Env, ctx: ExecutionContext, subject: string): Promise<UserRecord | null> {
  const cacheKey = userCacheKey(subject);
  const cached = await env.API_KEYS.get<UserRecord>(cacheKey, 'json');
  if (cached) return cached;
  const record = await findUserBySubject(createDb(env.DB), subject);
  // Misses are not cached: a user who has just accepted an invitation must get in at once.
  if (record) {
    ctx.waitUntil(
      env.API_KEYS.put(cacheKey, JSON.stringify(record), { expirationTtl: USER_CACHE_TTL_SECONDS }),
    );
  }
  return record;
}
