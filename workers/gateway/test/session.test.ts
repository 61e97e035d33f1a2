// The dashboard's session cookie (session.ts, api/table/session.ts) and the dashboard's pages
// (dashboard.ts): exchanging a token once for an HttpOnly cookie, the cookie as the API's credential,
// CSRF, one-time links, sign-out; browsers' page loads get the app, API clients keep their JSON.
import type { UserRole } from '@mailgrid/contracts';
import { seedTenant } from '@mailgrid/testing/fixtures';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../src/env';
import { call, realEnv, testEnv, uniqueSlug } from './helpers';

const SECRET = 'test-hs256-secret-at-least-32-bytes-long!';
const ORIGIN = 'https://api.mailgrid.test';
let tenantId: string;

beforeAll(async () => {
  tenantId = (await seedTenant(realEnv.DB, { slug: uniqueSlug('session'), domain: 'session.example.test' }))
    .tenantId;
});

/** The dashboard's index.html for every path the assets are asked for (their SPA handling). */
const assets = {
  fetch: async (request: Request) =>
    new Response(`<!doctype html><title>app</title>${new URL(request.url).pathname}`, {
      headers: { 'content-type': 'text/html; charset=utf-8' },
    }),
} as unknown as Fetcher;

/** Admin's domains calls, answered as the real ones would be (their bodies are not what is tested). */
const admin = {
  health: async () => ({ worker: 'admin', ok: true, environment: 'test', checks: {} }),
  listDomains: async () => ({ ok: true, value: { object: 'list', has_more: false, data: [] } }),
  createDomain: async () => ({ ok: true, value: { object: 'domain', id: 'd' } }),
};

const env = (): Env =>
  ({
    ...testEnv({ ADMIN: admin }),
    AUTH_JWT_SECRET: SECRET,
    AUTH_JWT_AUDIENCE: 'authenticated',
    SESSION_SECRET: 'another-secret-for-sessions-32-bytes!!',
    ASSETS: assets,
  }) as Env;

async function seedUser(role: UserRole): Promise<string> {
  const subject = crypto.randomUUID();
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  await realEnv.DB.prepare(
    'INSERT INTO users (id, tenant_id, email, role, auth_subject, created_at, updated_at, joined_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  )
    .bind(id, tenantId, `${id}@example.com`, role, subject, now, now, now)
    .run();
  return subject;
}

function token(subject: string, { life = '1h', jti }: { life?: string; jti?: string } = {}) {
  const jwt = new SignJWT({ sub: subject, aud: 'authenticated' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(life);
  if (jti) jwt.setJti(jti);
  return jwt.sign(new TextEncoder().encode(SECRET));
}

async function signIn(bearer: string): Promise<Response> {
  return call('/api/session', { method: 'POST', key: bearer }, env());
}

/** The `name=value` of a Set-Cookie header. */
const cookieOf = (response: Response) => (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

describe('dashboard sign-in', () => {
  it('exchanges an access token for an HttpOnly, Secure, SameSite=Strict session cookie that the API accepts', async () => {
    const response = await signIn(await token(await seedUser('developer')));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ object: 'session', role: 'developer' });
    const setCookie = response.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(
      /^mailgrid_session=[\w-]+\.[\w-]+\.[\w-]+; Path=\/; Max-Age=3600; HttpOnly; SameSite=Strict; Secure$/,
    );
    // The cookie alone authenticates.
    const list = await call('/api/domains', { headers: { cookie: cookieOf(response) } }, env());
    expect(list.status).toBe(200);
    expect(await call('/api/domains', {}, env())).toHaveProperty('status', 401);
  });

  it('refuses a change made with the cookie from another origin, and accepts it from its own', async () => {
    const cookie = cookieOf(await signIn(await token(await seedUser('admin'))));
    const from = (origin?: string) =>
      call(
        '/api/domains',
        {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json', ...(origin ? { origin } : {}) },
          body: JSON.stringify({ name: 'x.example.test' }),
        },
        env(),
      );
    for (const response of [await from('https://evil.example'), await from()]) {
      expect(response.status).toBe(403);
      expect(((await response.json()) as { name: string }).name).toBe('cross_site_request');
    }
    expect((await from(ORIGIN)).status).toBe(201);
  });

  it("refuses a viewer's change through the cookie (insufficient_role)", async () => {
    const cookie = cookieOf(await signIn(await token(await seedUser('viewer'))));
    const response = await call(
      '/api/domains',
      {
        method: 'POST',
        headers: { cookie, origin: ORIGIN, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x.example.test' }),
      },
      env(),
    );
    expect(response.status).toBe(403);
    expect(((await response.json()) as { name: string }).name).toBe('insufficient_role');
  });

  it('spends a one-time link: its token signs in once, and a link token may live 15 minutes at most', async () => {
    const subject = await seedUser('owner');
    const link = await token(subject, { life: '10 min', jti: crypto.randomUUID() });
    expect((await signIn(link)).status).toBe(200);
    const again = await signIn(link);
    expect(again.status).toBe(401);
    expect(((await again.json()) as { message: string }).message).toMatch(/used already/);
    const longLived = await signIn(await token(subject, { life: '1h', jti: crypto.randomUUID() }));
    expect(longLived.status).toBe(401);
  });

  it('refuses a forged or foreign cookie, and someone who is not a member', async () => {
    const forged = await call('/api/domains', { headers: { cookie: 'mailgrid_session=a.b.c' } }, env());
    expect(forged.status).toBe(401);
    const stranger = await signIn(await token(crypto.randomUUID()));
    expect(stranger.status).toBe(403);
    expect(stranger.headers.get('set-cookie')).toBeNull();
  });

  it('signs out by clearing the cookie', async () => {
    const response = await call('/api/session', { method: 'DELETE' }, env());
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toMatch(/^mailgrid_session=; Path=\/; Max-Age=0; HttpOnly/);
  });
});

describe('dashboard pages', () => {
  const get = (path: string, accept: string) => call(path, { headers: { accept } }, env());

  it("serves the app to a browser's page loads, with a strict content security policy", async () => {
    for (const path of ['/', '/emails', '/emails/abc', '/domains']) {
      const response = await get(path, 'text/html,application/xhtml+xml');
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<title>app</title>');
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    }
  });

  it('keeps JSON for API clients and the API, docs and health paths for browsers', async () => {
    expect(await (await get('/', 'application/json')).json()).toMatchObject({ object: 'mailgrid' });
    const hint = await get('/emails', '*/*');
    expect(hint.status).toBe(404);
    expect(((await hint.json()) as { message: string }).message).toMatch(/Did you mean \/api\/emails/);
    const api = await get('/api/emails', 'text/html');
    expect(api.status).toBe(401);
    expect(await (await get('/docs', 'text/html')).text()).not.toContain('<title>app</title>');
  });
});
