// Onboarding through the real stack, as on `npm start`: the operator creates a tenant and issues its
// first API key (POST /api/operator/tenants/:id/api-keys), and that key adds a domain and sends an
// email the local SES delivers; and a user signs in with a token from packages/stack/src/token.ts,
// signed with the secret the stack gave the gateway, to accept the invitation the operator sent.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { localSubject } from '@mailgrid/stack';
import { describe, expect, it } from 'vitest';
import { api, errorOf, mesh } from './client';
import { delivered, inboxMessage, resendWith } from './mail';

interface TenantObject {
  id: string;
  slug: string;
  status: string;
  invitation: { email: string; email_id: string | null } | null;
}
interface AuditLogObject {
  actor_type: string;
  actor_id: string;
  action: string;
  target_id: string;
}

const { auth } = mesh;
const label = crypto.randomUUID().slice(0, 8);
const TOKEN_SCRIPT = fileURLToPath(new URL('../../packages/stack/src/token.ts', import.meta.url));

function operator(path: string, body?: unknown) {
  return api(`/api/operator${path}`, {
    method: 'POST',
    key: auth.operatorSecret,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function newTenant(name: string, extra: Record<string, unknown> = {}): Promise<TenantObject> {
  const response = await operator('/tenants', {
    name,
    slug: `${name.toLowerCase()}-${label}`,
    rate_limit: { per_second: 500, burst: 500 },
    ...extra,
  });
  expect(response.status).toBe(201);
  return (await response.json()) as TenantObject;
}

/** The stand-in's pretend DNS: publish every record SES asks of the identity. */
async function publishAll(domain: string) {
  const response = await fetch(`${mesh.sesProxyUrl}/__standin/publish`, {
    method: 'POST',
    body: JSON.stringify({ domain }),
  });
  expect(response.status).toBe(200);
}

/** What a developer runs: `node packages/stack/src/token.ts <email>`, with dev.env's secret. */
function tokenFor(email: string): string {
  const run = spawnSync(process.execPath, [TOKEN_SCRIPT, email], {
    env: { ...process.env, MAILGRID_AUTH_JWT_SECRET: auth.jwtSecret },
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stderr).toContain(localSubject(email));
  const lines = run.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

describe("a new tenant's first API key, from the operator", () => {
  it('is issued once, audited as the operator, and sends an email the local SES delivers', async () => {
    const tenant = await newTenant('Initech');

    const issued = await operator(`/tenants/${tenant.id}/api-keys`, { name: 'first key' });
    expect(issued.status).toBe(201);
    const key = (await issued.json()) as { id: string; token: string };
    expect(key).toEqual({
      id: expect.any(String),
      token: expect.stringMatching(/^mg_[a-z]+_[A-Za-z0-9]{40}$/),
    });

    // The tenant's own key now: it lists itself (never its token) and manages the tenant.
    const listed = await api('/api/api-keys', { key: key.token });
    expect(listed.status).toBe(200);
    const keys = (await listed.json()) as { data: { id: string; name: string; permission: string }[] };
    expect(keys.data).toEqual([
      expect.objectContaining({ id: key.id, name: 'first key', permission: 'full_access' }),
    ]);
    expect(JSON.stringify(keys)).not.toContain(key.token);

    // A domain, verified once its records are published.
    const resend = resendWith(key.token);
    const name = `initech-${label}.example.org`;
    const domain = await resend.domains.create({ name });
    expect(domain.error).toBeNull();
    await publishAll(name);
    const verify = await api(`/api/domains/${domain.data?.id}/verify`, { key: key.token, method: 'POST' });
    expect(verify.status).toBe(200);
    expect(((await verify.json()) as { status: string }).status).toBe('verified');

    // It sends, and the local SES has the message.
    const sent = await resend.emails.send({
      from: `Initech <hello@${name}>`,
      to: 'peter@example.com',
      subject: 'TPS reports',
      text: 'Sent with the key the operator issued.',
    });
    expect(sent.error).toBeNull();
    const { mail, record } = await delivered(sent.data?.id as string);
    expect(mail.subject).toBe('TPS reports');
    expect(record.destination.ToAddresses).toEqual(['peter@example.com']);
    expect(await inboxMessage(record.message_id)).toMatchObject({ subject: 'TPS reports' });

    // The tenant's audit log names the operator as the key's creator, with no secret.
    const audit = await api(`/api/audit-logs?limit=100&actor_type=operator`, { key: key.token });
    const entries = ((await audit.json()) as { data: AuditLogObject[] }).data;
    expect(entries.find((entry) => entry.action === 'api_key.created')).toMatchObject({
      actor_type: 'operator',
      actor_id: 'operator',
      target_id: key.id,
    });
    const text = JSON.stringify(entries);
    expect(text).not.toContain(key.token);
    expect(text).not.toContain(auth.operatorSecret);
  });

  it('takes the slug, a sending_access permission and a domain restriction', async () => {
    const tenant = await newTenant('Hooli');
    const bad = await operator(`/tenants/${tenant.slug}/api-keys`, {
      name: 'mailer',
      permission: 'sending_access',
      domain_id: crypto.randomUUID(),
    });
    expect(bad.status).toBe(422);
    expect((await errorOf(bad)).message).toMatch(/domain_id/);

    const issued = await operator(`/tenants/${tenant.slug}/api-keys`, {
      name: 'mailer',
      permission: 'sending_access',
    });
    expect(issued.status).toBe(201);
    const { token } = (await issued.json()) as { token: string };
    // A sending key: refused on management routes.
    expect((await api('/api/api-keys', { key: token })).status).toBe(403);
  });

  it('needs the operator secret, an active tenant and one that exists', async () => {
    const tenant = await newTenant('Vandelay');
    const path = `/api/operator/tenants/${tenant.id}/api-keys`;
    const body = JSON.stringify({ name: 'x' });
    const headers = { 'content-type': 'application/json' };
    const without = await api(path, { method: 'POST', headers, body });
    expect(without.status).toBe(401);
    const withKey = await api(path, { method: 'POST', headers, body, key: mesh.main.full.token });
    expect(withKey.status).toBe(401);
    expect((await errorOf(withKey)).name).toBe('invalid_operator_secret');

    expect((await operator(`/tenants/${crypto.randomUUID()}/api-keys`, { name: 'x' })).status).toBe(404);
    expect((await operator('/tenants/no-such-tenant/api-keys', { name: 'x' })).status).toBe(404);

    expect((await operator(`/tenants/${tenant.id}/suspend`)).status).toBe(200);
    const suspended = await operator(`/tenants/${tenant.id}/api-keys`, { name: 'x' });
    expect(suspended.status).toBe(409);
    expect((await errorOf(suspended)).message).toMatch(/suspended/);
    expect((await operator(`/tenants/${tenant.id}/resume`)).status).toBe(200);
    expect((await operator(`/tenants/${tenant.id}/api-keys`, { name: 'x' })).status).toBe(201);
  });
});

describe('signing in locally with token.ts', () => {
  it("accepts the operator's invitation as the owner, and signs in again as the same user", async () => {
    const email = `owner-${label}@globex.test`;
    const tenant = await newTenant('Globex', { owner_email: email });
    const emailId = tenant.invitation?.email_id;
    expect(emailId).toEqual(expect.any(String));
    const { mail } = await delivered(emailId as string);
    const invitation = /mgi_[A-Za-z0-9_-]+/.exec(mail.text ?? '')?.[0];
    expect(invitation).toBeDefined();

    const jwt = tokenFor(email);
    const accepted = await api('/api/invitations/accept', {
      method: 'POST',
      key: jwt,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: invitation }),
    });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ email, role: 'owner', status: 'active' });

    // A later token for the same address is the same identity, so the same user.
    const again = await api('/api/users/me', { key: tokenFor(email) });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ email, role: 'owner' });
    // Another address is nobody here.
    const stranger = await api('/api/users/me', { key: tokenFor(`someone-${label}@globex.test`) });
    expect(stranger.status).toBe(403);
  });
});
