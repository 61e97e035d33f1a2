// Signed-in users (JWT → user → role) and the platform operator's secret, at the gateway. The admin
// worker is a recording stub here; the whole flow runs for real in tests/mesh/tenants-users.test.ts.
import type { Caller, RpcResult, UserObject, UserRole } from '@mailgrid/contracts';
import { seedTenant } from '@mailgrid/testing/fixtures';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Env } from '../src/env';
import {
  type AdminEntrypoints,
  call,
  healthyReport,
  postJson,
  realEnv,
  testEnv,
  uniqueSlug,
} from './helpers';

const SECRET = 'test-hs256-secret-at-least-32-bytes-long!';
const secretKey = new TextEncoder().encode(SECRET);

let tenantId: string;

beforeAll(async () => {
  const tenant = await seedTenant(realEnv.DB, { slug: uniqueSlug('users'), domain: 'users.example.test' });
  tenantId = tenant.tenantId;
});

afterEach(() => vi.restoreAllMocks());

/** A user of the tenant bound to a fresh identity subject; returns the subject. */
async function seedUser(role: UserRole, tenant = tenantId): Promise<{ subject: string; userId: string }> {
  const subject = crypto.randomUUID();
  const userId = crypto.randomUUID();
  const now = new Date().toISOString();
  await realEnv.DB.prepare(
    'INSERT INTO users (id, tenant_id, email, role, auth_subject, created_at, updated_at, joined_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  )
    .bind(userId, tenant, `${userId}@example.com`, role, subject, now, now, now)
    .run();
  return { subject, userId };
}

function hs256(claims: Record<string, unknown>, expiresIn = '1h', key = secretKey) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key);
}

/** An ADMIN stub that records the caller of each call and answers like the real one. */
function recordingAdmin() {
  const me: UserObject = {
    object: 'user',
    id: 'u',
    email: 'u@example.com',
    role: 'viewer',
    status: 'active',
    created_at: '',
    joined_at: null,
  };
  return {
    health: async () => healthyReport('admin'),
    getCurrentUser: vi.fn(
      async (_caller: Caller): Promise<RpcResult<UserObject>> => ({ ok: true, value: me }),
    ),
    listTemplates: vi.fn(async () => ({ ok: true, value: { object: 'list', has_more: false, data: [] } })),
    createApiKey: vi.fn(async () => ({ ok: true, value: { id: 'k', token: 'mg_dev_x' } })),
    createTenant: vi.fn(async () => ({ ok: true, value: { object: 'tenant', id: 't' } })),
    acceptInvitation: vi.fn(async () => ({ ok: true, value: me })),
  };
}

function envWith(admin: ReturnType<typeof recordingAdmin>, vars: Partial<Env> = {}): Env {
  return {
    ...testEnv({ ADMIN: admin as unknown as AdminEntrypoints }),
    AUTH_JWT_SECRET: SECRET,
    AUTH_JWT_AUDIENCE: 'authenticated',
    ...vars,
  } as Env;
}

describe('signing in with a JWT', () => {
  it('maps a valid HS256 token to its user: a Caller with user_id, role, full_access and no key', async () => {
    const { subject, userId } = await seedUser('developer');
    const admin = recordingAdmin();
    const token = await hs256({ sub: subject, aud: 'authenticated', email: 'dev@example.com' });
    const response = await call('/api/users/me', { key: token }, envWith(admin));
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit-limit')).toBe('20');
    const caller = admin.getCurrentUser.mock.calls[0]?.[0];
    expect(caller).toMatchObject({
      tenant_id: tenantId,
      user_id: userId,
      role: 'developer',
      permission: 'full_access',
      key_id: '',
      key_prefix: '',
    });
  });

  it.each([
    [
      'a bad signature',
      async (sub: string) =>
        hs256(
          { sub, aud: 'authenticated' },
          '1h',
          new TextEncoder().encode('another secret, also long enough!!'),
        ),
      /signature/,
    ],
    ['an expired token', async (sub: string) => hs256({ sub, aud: 'authenticated' }, '-1 min'), /expired/],
    ['the wrong audience', async (sub: string) => hs256({ sub, aud: 'someone-else' }), /"aud"/],
    ['no subject', async () => hs256({ aud: 'authenticated' }), /subject/],
  ])('refuses %s with 401 invalid_access_token', async (_, make, message) => {
    const { subject } = await seedUser('owner');
    const admin = recordingAdmin();
    const response = await call('/api/users/me', { key: await make(subject) }, envWith(admin));
    expect(response.status).toBe(401);
    const body = (await response.json()) as { name: string; message: string };
    expect(body.name).toBe('invalid_access_token');
    expect(body.message).toMatch(message);
    expect(admin.getCurrentUser).not.toHaveBeenCalled();
  });

  it('checks the issuer when one is configured', async () => {
    const { subject } = await seedUser('owner');
    const vars = { AUTH_JWT_ISSUER: 'https://auth.example.test/auth/v1' };
    const wrong = await new SignJWT({ sub: subject, aud: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('https://evil.example.test')
      .setExpirationTime('1h')
      .sign(secretKey);
    expect((await call('/api/users/me', { key: wrong }, envWith(recordingAdmin(), vars))).status).toBe(401);
    const right = await new SignJWT({ sub: subject, aud: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('https://auth.example.test/auth/v1')
      .setExpirationTime('1h')
      .sign(secretKey);
    expect((await call('/api/users/me', { key: right }, envWith(recordingAdmin(), vars))).status).toBe(200);
  });

  it('verifies RS256 tokens against the provider JWKS', async () => {
    const { subject, userId } = await seedUser('admin');
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const jwksUrl = `https://auth-${crypto.randomUUID()}.example.test/.well-known/jwks.json`;
    const realFetch = globalThis.fetch;
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url === jwksUrl) return Response.json({ keys: [jwk] });
      return realFetch(input, init);
    });
    const admin = recordingAdmin();
    const env = envWith(admin, { AUTH_JWT_SECRET: undefined, AUTH_JWKS_URL: jwksUrl });
    const token = await new SignJWT({ sub: subject, aud: 'authenticated' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setExpirationTime('1h')
      .sign(privateKey);
    const response = await call('/api/users/me', { key: token }, env);
    expect(response.status).toBe(200);
    expect(admin.getCurrentUser.mock.calls[0]?.[0]).toMatchObject({ user_id: userId, role: 'admin' });
    expect(
      fetchSpy.mock.calls.some(([input]) => String(input instanceof Request ? input.url : input) === jwksUrl),
    ).toBe(true);

    // A token signed by a key the provider does not publish is refused.
    const stranger = await generateKeyPair('RS256');
    const forged = await new SignJWT({ sub: subject, aud: 'authenticated' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setExpirationTime('1h')
      .sign(stranger.privateKey);
    const refused = await call('/api/users/me', { key: forged }, env);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ name: 'invalid_access_token' });
  });

  it('refuses a valid identity that is no user with 403 not_a_member', async () => {
    const token = await hs256({ sub: crypto.randomUUID(), aud: 'authenticated' });
    const response = await call('/api/users/me', { key: token }, envWith(recordingAdmin()));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ name: 'not_a_member' });
  });

  it('refuses a JWT when sign-in is not configured', async () => {
    const { subject } = await seedUser('owner');
    const token = await hs256({ sub: subject, aud: 'authenticated' });
    const env = envWith(recordingAdmin(), { AUTH_JWT_SECRET: undefined });
    const response = await call('/api/users/me', { key: token }, env);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ name: 'invalid_access_token' });
  });

  it('refuses a removed user once admin dropped the cached record', async () => {
    const { subject, userId } = await seedUser('developer');
    const token = await hs256({ sub: subject, aud: 'authenticated' });
    const env = envWith(recordingAdmin());
    expect((await call('/api/users/me', { key: token }, env)).status).toBe(200);
    expect(await realEnv.API_KEYS.get(`user:${subject}`)).not.toBeNull();
    await realEnv.DB.prepare('DELETE FROM users WHERE id = ?').bind(userId).run();
    await realEnv.API_KEYS.delete(`user:${subject}`);
    const response = await call('/api/users/me', { key: token }, env);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ name: 'not_a_member' });
  });

  it('refuses a user of a suspended tenant', async () => {
    const other = await seedTenant(realEnv.DB, { slug: uniqueSlug('susp'), domain: 'susp.example.test' });
    await realEnv.DB.prepare("UPDATE tenants SET status = 'suspended' WHERE id = ?")
      .bind(other.tenantId)
      .run();
    const { subject } = await seedUser('owner', other.tenantId);
    const token = await hs256({ sub: subject, aud: 'authenticated' });
    const response = await call('/api/users/me', { key: token }, envWith(recordingAdmin()));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ name: 'tenant_suspended' });
  });
});

describe('roles', () => {
  it('lets a viewer read but refuses every change with 403 insufficient_role', async () => {
    const { subject } = await seedUser('viewer');
    const token = await hs256({ sub: subject, aud: 'authenticated' });
    const admin = recordingAdmin();
    const env = envWith(admin);
    expect((await call('/api/templates', { key: token }, env)).status).toBe(200);
    const write = await postJson('/api/api-keys', token, { name: 'x' }, env);
    expect(write.status).toBe(403);
    expect(await write.json()).toMatchObject({
      name: 'insufficient_role',
      message: expect.stringMatching(/Viewers/),
    });
    const send = await postJson(
      '/api/emails',
      token,
      { from: 'a@b.c', to: 'd@e.f', subject: 's', text: 't' },
      env,
    );
    expect(send.status).toBe(403);
    expect(admin.createApiKey).not.toHaveBeenCalled();
  });

  it('keeps users and API keys to owners and admins', async () => {
    const developer = await seedUser('developer');
    const admin = await seedUser('admin');
    const stub = recordingAdmin();
    const env = envWith(stub);
    const devToken = await hs256({ sub: developer.subject, aud: 'authenticated' });
    const refused = await postJson('/api/api-keys', devToken, { name: 'x' }, env);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ name: 'insufficient_role' });
    const invite = await postJson(
      '/api/users/invitations',
      devToken,
      { email: 'a@example.com', role: 'viewer' },
      env,
    );
    expect(invite.status).toBe(403);
    const adminToken = await hs256({ sub: admin.subject, aud: 'authenticated' });
    expect((await postJson('/api/api-keys', adminToken, { name: 'x' }, env)).status).toBe(201);
    expect(stub.createApiKey).toHaveBeenCalledOnce();
  });
});

describe('operator routes', () => {
  const OPERATOR_SECRET = 'op-secret-for-tests';

  it('refuses every request when no operator secret is configured', async () => {
    const response = await call('/api/operator/tenants', { key: 'anything' }, envWith(recordingAdmin()));
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      name: 'invalid_operator_secret',
      message: expect.stringMatching(/disabled/),
    });
  });

  it.each([
    ['no secret', undefined],
    ['a wrong secret', 'op-secret-for-test'],
    ['an API key', 'mg_dev_AAAAAAAA'],
  ])('refuses %s with 401', async (_, key) => {
    const admin = recordingAdmin();
    const env = envWith(admin, { OPERATOR_SECRET });
    const response = await postJson('/api/operator/tenants', key as string, { name: 'A', slug: 'a' }, env);
    expect(response.status).toBe(401);
    const body = await response.text();
    expect(body).toContain('invalid_operator_secret');
    expect(body).not.toContain(OPERATOR_SECRET);
    expect(admin.createTenant).not.toHaveBeenCalled();
  });

  it('passes the operator with the right secret to admin, with the request id', async () => {
    const admin = recordingAdmin();
    const env = envWith(admin, { OPERATOR_SECRET });
    const response = await postJson(
      '/api/operator/tenants',
      OPERATOR_SECRET,
      { name: 'Acme', slug: 'acme', daily_send_limit: 100 },
      env,
    );
    expect(response.status).toBe(201);
    expect(admin.createTenant).toHaveBeenCalledWith(
      { request_id: response.headers.get('x-request-id') },
      { name: 'Acme', slug: 'acme', daily_send_limit: 100 },
    );
  });

  it('validates the body: a bad slug is 422 naming the field', async () => {
    const env = envWith(recordingAdmin(), { OPERATOR_SECRET });
    const response = await postJson(
      '/api/operator/tenants',
      OPERATOR_SECRET,
      { name: 'Acme', slug: 'Not A Slug!' },
      env,
    );
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ message: expect.stringMatching(/^slug/) });
  });
});

describe('accepting an invitation', () => {
  it('needs a verified JWT, not an API key, and passes its subject', async () => {
    const admin = recordingAdmin();
    const env = envWith(admin);
    const withKey = await postJson(
      '/api/invitations/accept',
      `mg_dev_${'A'.repeat(40)}`,
      { token: 'mgi_x' },
      env,
    );
    expect(withKey.status).toBe(401);
    const subject = crypto.randomUUID();
    const token = await hs256({ sub: subject, aud: 'authenticated' });
    const response = await postJson('/api/invitations/accept', token, { token: 'mgi_x' }, env);
    expect(response.status).toBe(200);
    expect(admin.acceptInvitation).toHaveBeenCalledWith(
      { subject, request_id: response.headers.get('x-request-id') },
      'mgi_x',
    );
  });
});
