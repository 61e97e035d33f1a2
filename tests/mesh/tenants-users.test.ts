// Tenants, users, sign-in and the audit log through the real stack: the operator creates a tenant,
// the invitation arrives at SES, the owner accepts it with a JWT signed by the test's HS256 secret,
// users act with their roles, every change lands in the audit log under the right actor, and another
// tenant sees none of it. Suspension and quotas apply from the next request. Last: a sweep of the
// gateway's whole route table (sending keys and viewers refused on every change).
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, errorOf, mesh } from './client';
import { delivered, postEmail } from './mail';

// The response shapes (as in packages/contracts' users, tenants and audit-log modules, whose index
// pulls in Workers types this Node project does not have).
interface InvitationObject {
  id: string;
  user_id: string;
  email: string;
  role: string;
  email_id: string | null;
}
interface UserObject {
  id: string;
  email: string;
  role: string;
  status: string;
}
interface TenantObject {
  id: string;
  slug: string;
  status: string;
}
interface AuditLogObject {
  id: string;
  actor_type: string;
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string;
  request_id: string | null;
  created_at: string;
}

const { auth } = mesh;
const label = crypto.randomUUID().slice(0, 8);

function signIn(subject: string, claims: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ sub: subject, aud: 'authenticated', role: 'authenticated', ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(auth.jwtSecret));
}

function operator(path: string, init: RequestInit = {}) {
  return api(`/api/operator${path}`, {
    ...init,
    key: auth.operatorSecret,
    headers: { 'content-type': 'application/json', ...init.headers },
  });
}

function send(path: string, key: string, method: string, body?: unknown) {
  return api(path, {
    method,
    key,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** The one-time token in the invitation email SES was given. */
async function invitationToken(invitation: InvitationObject): Promise<string> {
  expect(invitation.email_id).toEqual(expect.any(String));
  const { mail, record } = await delivered(invitation.email_id as string);
  expect(record.destination.ToAddresses).toEqual([invitation.email]);
  expect(mail.from?.text).toContain('no-reply@platform.mesh.test');
  const token = /mgi_[A-Za-z0-9_-]+/.exec(mail.text ?? '')?.[0];
  expect(token).toBeDefined();
  return token as string;
}

/** Accepts an invitation as a fresh identity; returns its JWT and the user. */
async function join(invitation: InvitationObject): Promise<{ jwt: string; user: UserObject }> {
  const jwt = await signIn(`sub-${crypto.randomUUID()}`);
  const response = await send('/api/invitations/accept', jwt, 'POST', {
    token: await invitationToken(invitation),
  });
  expect(response.status).toBe(200);
  return { jwt, user: (await response.json()) as UserObject };
}

async function auditLog(key: string, query = ''): Promise<{ data: AuditLogObject[]; has_more: boolean }> {
  const response = await api(`/api/audit-logs?limit=100${query}`, { key });
  expect(response.status).toBe(200);
  return response.json() as Promise<{ data: AuditLogObject[]; has_more: boolean }>;
}

describe('a tenant from the operator to its users', () => {
  let tenant: TenantObject;
  let owner: { jwt: string; user: UserObject };
  let viewer: { jwt: string; user: UserObject };
  let developer: { jwt: string; user: UserObject };
  let ownerKey: string;

  beforeAll(async () => {
    const response = await operator('/tenants', {
      method: 'POST',
      body: JSON.stringify({
        name: 'Umbrella',
        slug: `umbrella-${label}`,
        rate_limit: { per_second: 500, burst: 500 },
        owner_email: `owner-${label}@umbrella.test`,
      }),
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as TenantObject & { invitation: InvitationObject };
    tenant = created;

    // Before accepting, the identity is nobody here.
    const stranger = await signIn(`sub-${crypto.randomUUID()}`);
    const refused = await api('/api/users/me', { key: stranger });
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).name).toBe('not_a_member');

    owner = await join(created.invitation);
  }, 60_000);

  it('refuses operator routes without the operator secret, and never echoes it', async () => {
    const missing = await api('/api/operator/tenants');
    expect(missing.status).toBe(401);
    const wrong = await api('/api/operator/tenants', { key: `${auth.operatorSecret}x` });
    expect(wrong.status).toBe(401);
    expect((await errorOf(wrong)).name).toBe('invalid_operator_secret');
    const withKey = await api('/api/operator/tenants', { key: mesh.main.full.token });
    expect(withKey.status).toBe(401);
    const listed = await operator('/tenants?limit=100');
    expect(listed.status).toBe(200);
    const body = await listed.text();
    expect(body).not.toContain(auth.operatorSecret);
    expect((JSON.parse(body) as { data: TenantObject[] }).data.map((t) => t.id)).toContain(tenant.id);
  });

  it('makes the accepting identity the owner, who manages the tenant with a JWT', async () => {
    expect(owner.user).toMatchObject({
      role: 'owner',
      status: 'active',
      email: `owner-${label}@umbrella.test`,
    });
    const me = await api('/api/users/me', { key: owner.jwt });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: owner.user.id, role: 'owner' });
    const key = await send('/api/api-keys', owner.jwt, 'POST', { name: 'ci' });
    expect(key.status).toBe(201);
    ownerKey = ((await key.json()) as { token: string }).token;
    expect((await api('/api/users', { key: ownerKey })).status).toBe(200);

    const invitedViewer = await send('/api/users/invitations', owner.jwt, 'POST', {
      email: `viewer-${label}@umbrella.test`,
      role: 'viewer',
    });
    expect(invitedViewer.status).toBe(201);
    viewer = await join((await invitedViewer.json()) as InvitationObject);
    const invitedDeveloper = await send('/api/users/invitations', ownerKey, 'POST', {
      email: `dev-${label}@umbrella.test`,
      role: 'developer',
    });
    expect(invitedDeveloper.status).toBe(201);
    developer = await join((await invitedDeveloper.json()) as InvitationObject);

    const users = (await (await api('/api/users', { key: viewer.jwt })).json()) as { data: UserObject[] };
    expect(users.data.map((user) => [user.email, user.role, user.status]).sort()).toEqual(
      [
        [`dev-${label}@umbrella.test`, 'developer', 'active'],
        [`owner-${label}@umbrella.test`, 'owner', 'active'],
        [`viewer-${label}@umbrella.test`, 'viewer', 'active'],
      ].sort(),
    );
  });

  it('lets a viewer read and refuses every change it tries with 403 insufficient_role', async () => {
    expect((await api('/api/templates', { key: viewer.jwt })).status).toBe(200);
    for (const [path, method, body] of [
      ['/api/templates', 'POST', { name: 'x', html: '<p>x</p>' }],
      ['/api/api-keys', 'POST', { name: 'x' }],
      ['/api/users/invitations', 'POST', { email: 'x@umbrella.test', role: 'viewer' }],
      [`/api/users/${viewer.user.id}`, 'PATCH', { role: 'owner' }],
      ['/api/emails', 'POST', { from: 'a@umbrella.test', to: 'b@example.com', subject: 's', text: 't' }],
    ] as const) {
      const response = await send(path, viewer.jwt, method, body);
      expect(response.status, `${method} ${path}`).toBe(403);
      expect((await errorOf(response)).name).toBe('insufficient_role');
    }
  });

  it('lets a developer build but not manage members or keys', async () => {
    const template = await send('/api/templates', developer.jwt, 'POST', {
      name: `t-${label}`,
      html: '<p>hi</p>',
    });
    expect(template.status).toBe(201);
    const invite = await send('/api/users/invitations', developer.jwt, 'POST', {
      email: 'x@umbrella.test',
      role: 'viewer',
    });
    expect(invite.status).toBe(403);
    expect((await send('/api/api-keys', developer.jwt, 'POST', { name: 'x' })).status).toBe(403);
  });

  it('records each change under its actor, with filters and pagination', async () => {
    const { data } = await auditLog(owner.jwt);
    const seen = data.map((entry) => [entry.action, entry.actor_type, entry.actor_id]);
    expect(seen).toEqual(
      expect.arrayContaining([
        ['tenant.created', 'operator', 'operator'],
        ['user.invited', 'operator', 'operator'],
        ['user.joined', 'user', owner.user.id],
        ['api_key.created', 'user', owner.user.id],
        ['user.invited', 'user', owner.user.id],
        ['user.invited', 'api_key', ownerKey.slice(0, 15)],
        ['user.joined', 'user', developer.user.id],
        ['template.created', 'user', developer.user.id],
      ]),
    );
    for (const entry of data) {
      expect(entry.request_id).toEqual(expect.any(String));
      expect(entry.created_at).toEqual(expect.any(String));
    }
    // Secrets never appear: not the key, not an invitation token, not the operator secret.
    const text = JSON.stringify(data);
    expect(text).not.toContain(ownerKey);
    expect(text).not.toMatch(/mgi_/);
    expect(text).not.toContain(auth.operatorSecret);

    const byDeveloper = await auditLog(owner.jwt, `&actor_type=user&actor_id=${developer.user.id}`);
    expect(byDeveloper.data.map((entry) => entry.action).sort()).toEqual(['template.created', 'user.joined']);
    const invites = await auditLog(owner.jwt, '&action=user.invited');
    expect(invites.data).toHaveLength(3);
    const ownerHistory = await auditLog(owner.jwt, `&target_type=user&target_id=${owner.user.id}`);
    expect(ownerHistory.data.map((entry) => entry.action).sort()).toEqual(['user.invited', 'user.joined']);

    const page1 = (await (await api('/api/audit-logs?limit=2', { key: viewer.jwt })).json()) as {
      object: string;
      data: AuditLogObject[];
      has_more: boolean;
    };
    expect(page1).toMatchObject({ object: 'list', has_more: true });
    expect(page1.data).toHaveLength(2);
    const page2 = (await (
      await api(`/api/audit-logs?limit=2&after=${page1.data[1]?.id}`, { key: viewer.jwt })
    ).json()) as { data: AuditLogObject[] };
    expect(page2.data.map((entry) => entry.id)).toEqual(data.slice(2, 4).map((entry) => entry.id));
    const back = (await (
      await api(`/api/audit-logs?limit=2&before=${page2.data[0]?.id}`, { key: viewer.jwt })
    ).json()) as { data: AuditLogObject[] };
    expect(back.data.map((entry) => entry.id)).toEqual(page1.data.map((entry) => entry.id));

    const bad = await api('/api/audit-logs?actor_type=robot', { key: viewer.jwt });
    expect(bad.status).toBe(422);
    expect((await errorOf(bad)).message).toMatch(/actor_type/);
  });

  it("shows another tenant none of this tenant's users or audit entries", async () => {
    const users = (await (await api('/api/users', { key: mesh.other.full.token })).json()) as {
      data: UserObject[];
    };
    expect(users.data.map((user) => user.id)).not.toContain(viewer.user.id);
    const entries = await auditLog(mesh.other.full.token, `&target_id=${owner.user.id}`);
    expect(entries.data).toEqual([]);
    const patch = await send(`/api/users/${viewer.user.id}`, mesh.other.full.token, 'PATCH', {
      role: 'admin',
    });
    expect(patch.status).toBe(404);
    const cursor = await api(`/api/audit-logs?after=${(await auditLog(owner.jwt)).data[0]?.id}`, {
      key: mesh.other.full.token,
    });
    expect(cursor.status).toBe(422);
  });

  it('refuses a removed user from their next request', async () => {
    expect((await api('/api/users/me', { key: developer.jwt })).status).toBe(200);
    const removed = await send(`/api/users/${developer.user.id}`, owner.jwt, 'DELETE');
    expect(removed.status).toBe(200);
    expect(await removed.json()).toEqual({ object: 'user', id: developer.user.id, deleted: true });
    const refused = await api('/api/users/me', { key: developer.jwt });
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).name).toBe('not_a_member');
  });

  it('suspends the tenant at once for keys and users, and resumes it', async () => {
    expect((await api('/health', { key: ownerKey })).status).toBe(200);
    expect((await api('/api/users/me', { key: owner.jwt })).status).toBe(200);
    const suspended = await operator(`/tenants/${tenant.id}/suspend`, { method: 'POST' });
    expect(suspended.status).toBe(200);
    expect(await suspended.json()).toMatchObject({ id: tenant.id, status: 'suspended' });
    for (const key of [ownerKey, owner.jwt, viewer.jwt]) {
      const refused = await api('/api/users/me', { key });
      expect(refused.status).toBe(403);
      expect((await errorOf(refused)).name).toBe('tenant_suspended');
    }
    const resumed = await operator(`/tenants/${tenant.slug}/resume`, { method: 'POST' });
    expect(await resumed.json()).toMatchObject({ status: 'active' });
    expect((await api('/health', { key: ownerKey })).status).toBe(200);
    expect((await api('/api/users/me', { key: owner.jwt })).status).toBe(200);
    const actions = (await auditLog(owner.jwt, '&actor_type=operator')).data.map((entry) => entry.action);
    expect(actions.slice(0, 2)).toEqual(['tenant.resumed', 'tenant.suspended']);
  });
});

describe('quotas set by the operator', () => {
  it('refuses sends past the daily limit with 429 daily_quota_exceeded, and lifts it again', async () => {
    const { sweep } = auth;
    const set = await operator(`/tenants/${sweep.tenantId}`, {
      method: 'PATCH',
      body: JSON.stringify({ daily_send_limit: 1 }),
    });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ daily_send_limit: 1 });
    try {
      const email = { from: 'hello@sweep.mesh.test', to: 'quota@example.com', subject: 'q', text: 'q' };
      expect((await postEmail(sweep.full.token, email)).status).toBe(200);
      const refused = await postEmail(sweep.full.token, email);
      expect(refused.status).toBe(429);
      const error = await errorOf(refused);
      expect(error.name).toBe('daily_quota_exceeded');
      expect(error.message).toMatch(/1 emails per day/);
    } finally {
      await operator(`/tenants/${sweep.tenantId}`, {
        method: 'PATCH',
        body: JSON.stringify({ daily_send_limit: null }),
      });
    }
    expect(
      (
        await postEmail(sweep.full.token, {
          from: 'hello@sweep.mesh.test',
          to: 'q@example.com',
          subject: 'q',
          text: 'q',
        })
      ).status,
    ).toBe(200);
  });

  it('applies a new API rate limit from the next request', async () => {
    const { sweep } = auth;
    expect((await api('/health', { key: sweep.full.token })).headers.get('ratelimit-limit')).toBe('1000');
    await operator(`/tenants/${sweep.tenantId}`, {
      method: 'PATCH',
      body: JSON.stringify({ rate_limit: { per_second: 900, burst: 950 } }),
    });
    expect((await api('/health', { key: sweep.full.token })).headers.get('ratelimit-limit')).toBe('950');
    await operator(`/tenants/${sweep.tenantId}`, {
      method: 'PATCH',
      body: JSON.stringify({ rate_limit: { per_second: 1000, burst: 1000 } }),
    });
  });
});

interface SweptRoute {
  method: string;
  path: string;
  permission: string;
}

describe("the gateway's whole route table", async () => {
  // The running gateway's own description of every route (generated from its route table, which a
  // gateway test keeps complete), so routes added later are swept too.
  const document = (await (await fetch(`${mesh.url}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { 'x-mailgrid-permission': string }>>;
  };
  const routes: SweptRoute[] = Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path: path.replace(/\{([a-z_]+)\}/g, ':$1'),
      permission: operation['x-mailgrid-permission'],
    })),
  );
  const keyed = routes.filter(
    (route) => route.permission === 'full_access' || route.permission === 'sending_access',
  );
  const changes = keyed.filter((route) => route.method !== 'GET');
  // Every route a full_access key is needed for, reads as much as changes.
  const management = keyed.filter((route) => route.permission === 'full_access');
  const reads = keyed.filter((route) => route.method === 'GET');
  const concrete = (path: string) => path.replace(/:[a-z_]+/g, '00000000-0000-4000-8000-000000000000');

  let viewerJwt: string;
  beforeAll(async () => {
    const invited = await send('/api/users/invitations', auth.sweep.full.token, 'POST', {
      email: `sweep-viewer-${label}@example.com`,
      role: 'viewer',
    });
    expect(invited.status).toBe(201);
    viewerJwt = (await join((await invited.json()) as InvitationObject)).jwt;
  }, 60_000);

  it('has routes to sweep', () => {
    expect(management.filter((route) => route.method !== 'GET').length).toBeGreaterThan(10);
    expect(management.filter((route) => route.method === 'GET').length).toBeGreaterThan(10);
    expect(reads.length).toBeGreaterThan(5);
  });

  it('refuses a sending_access key on every management route with 403 restricted_api_key', async () => {
    for (const route of management) {
      const path = concrete(route.path);
      const response =
        route.method === 'GET'
          ? await api(path, { key: auth.sweep.sending.token })
          : await send(path, auth.sweep.sending.token, route.method, {});
      expect(response.status, `${route.method} ${route.path}`).toBe(403);
      expect((await errorOf(response)).name, `${route.method} ${route.path}`).toBe('restricted_api_key');
    }
  });

  it('refuses a viewer on every change with 403 insufficient_role', async () => {
    for (const route of changes) {
      const response = await send(concrete(route.path), viewerJwt, route.method, {});
      expect(response.status, `${route.method} ${route.path}`).toBe(403);
      expect((await errorOf(response)).name, `${route.method} ${route.path}`).toBe('insufficient_role');
    }
  });

  it('lets a viewer through on every read (what it finds is another matter)', async () => {
    for (const route of reads) {
      const response = await api(concrete(route.path), { key: viewerJwt });
      expect([401, 403], `${route.method} ${route.path} → ${response.status}`).not.toContain(response.status);
    }
  });
});
