// Tenants (the operator's), users, invitations and the audit log, against the real local D1 and KV.
// Most calls go over the real RPC boundary; the invitation flow calls the module functions with a
// SEND stand-in, since the invitation token only exists in the email it sends.
import {
  type AuditLogObject,
  apiKeyCacheKey,
  type Caller,
  type RpcResult,
  type SendEmailRequest,
  userCacheKey,
} from '@mailgrid/contracts';
import { callerFor, seedTenant } from '@mailgrid/testing/fixtures';
import { describe, expect, it, vi } from 'vitest';
import type { Env } from '../src/env';
import { createTenant } from '../src/tenants';
import { acceptInvitation, inviteUser } from '../src/users';
import { account, messaging, realEnv, twoTenants, value } from './helpers';

const operator = () => ({ request_id: `req-${crypto.randomUUID()}` });

function errorOf<T>(result: RpcResult<T>) {
  if (result.ok) throw new Error('expected an error');
  return result.error;
}

/** An env whose SEND records the emails admin sends (and answers like the send worker). */
function mailingEnv() {
  const sent: { caller: Caller; email: SendEmailRequest }[] = [];
  const accept = vi.fn(async (caller: Caller, email: SendEmailRequest) => {
    sent.push({ caller, email });
    return { ok: true as const, value: { id: crypto.randomUUID() } };
  });
  const env = { ...realEnv, SEND: { accept } } as unknown as Env;
  const tokenFor = (to: string) => {
    const mail = sent.findLast((entry) => entry.email.to.includes(to));
    return /mgi_[A-Za-z0-9_-]+/.exec(mail?.email.text ?? '')?.[0] ?? '';
  };
  return { env, sent, tokenFor };
}

async function audit(caller: Caller, query: Record<string, string> = {}): Promise<AuditLogObject[]> {
  return value(await account.listAuditLogs(caller, { limit: 100, ...query })).data;
}

const slug = (label: string) => `${label}-${crypto.randomUUID().slice(0, 8)}`;

describe('operator: tenants', () => {
  it('creates a tenant with quotas and emails its first owner a one-time token, storing only its hash', async () => {
    const { env, sent, tokenFor } = mailingEnv();
    const created = await createTenant(env, operator(), {
      name: 'Initech',
      slug: slug('initech'),
      daily_send_limit: 500,
      rate_limit: { per_second: 5, burst: 8 },
      owner_email: 'boss@initech.test',
    });
    expect(created).toMatchObject({
      object: 'tenant',
      status: 'active',
      daily_send_limit: 500,
      rate_limit: { per_second: 5, burst: 8 },
      invitation: { email: 'boss@initech.test', role: 'owner', email_id: expect.any(String) },
    });
    // Sent as the platform tenant, from INVITE_FROM, to the owner.
    expect(sent).toHaveLength(1);
    expect(sent[0]?.caller.tenant_id).toBe(realEnv.PLATFORM_TENANT_ID);
    expect(sent[0]?.email).toMatchObject({ from: realEnv.INVITE_FROM, to: ['boss@initech.test'] });
    expect(sent[0]?.email.subject).toContain('Initech');
    const token = tokenFor('boss@initech.test');
    expect(token).toMatch(/^mgi_/);
    const rows = await realEnv.DB.prepare('SELECT * FROM invitations WHERE tenant_id = ?')
      .bind(created.id)
      .all();
    expect(JSON.stringify(rows.results)).not.toContain(token);

    const entries = await audit(
      callerFor(created.id, { id: '', token: '', prefix: '', permission: 'full_access' }),
    );
    expect(entries.map((entry) => [entry.action, entry.actor_type]).sort()).toEqual([
      ['tenant.created', 'operator'],
      ['user.invited', 'operator'],
    ]);
    expect(JSON.stringify(entries)).not.toContain(token);
  });

  it('refuses a slug that is taken with 409', async () => {
    const taken = slug('taken');
    value(await account.createTenant(operator(), { name: 'A', slug: taken, daily_send_limit: null }));
    expect(
      errorOf(await account.createTenant(operator(), { name: 'B', slug: taken, daily_send_limit: null }))
        .code,
    ).toBe('conflict');
  });

  it('lists tenants newest first with cursors, and finds one by id or slug', async () => {
    const a = value(
      await account.createTenant(operator(), { name: 'A', slug: slug('list-a'), daily_send_limit: null }),
    );
    const b = value(
      await account.createTenant(operator(), { name: 'B', slug: slug('list-b'), daily_send_limit: null }),
    );
    const first = value(await account.listTenants(operator(), { limit: 1 }));
    expect(first.data[0]?.id).toBe(b.id);
    expect(first.has_more).toBe(true);
    const next = value(await account.listTenants(operator(), { limit: 1, after: b.id }));
    expect(next.data[0]?.id).toBe(a.id);
    expect(value(await account.getTenant(operator(), a.slug)).id).toBe(a.id);
    expect(errorOf(await account.getTenant(operator(), 'no-such-tenant')).code).toBe('not_found');
  });

  it('suspends and resumes at once: the gateway cache entries of every key and user are dropped', async () => {
    const tenant = await seedTenant(realEnv.DB, { slug: slug('susp'), domain: 'susp.example.test' });
    const subject = crypto.randomUUID();
    const now = new Date().toISOString();
    await realEnv.DB.prepare(
      "INSERT INTO users (id, tenant_id, email, role, auth_subject, created_at, updated_at) VALUES (?, ?, 'u@susp.test', 'admin', ?, ?, ?)",
    )
      .bind(crypto.randomUUID(), tenant.tenantId, subject, now, now)
      .run();
    const cacheKeys = [
      apiKeyCacheKey(tenant.fullKey.prefix),
      apiKeyCacheKey(tenant.sendingKey.prefix),
      userCacheKey(subject),
    ];
    for (const key of cacheKeys) await realEnv.API_KEYS.put(key, '{"tenant_status":"active"}');

    expect(value(await account.suspendTenant(operator(), tenant.tenantId)).status).toBe('suspended');
    for (const key of cacheKeys) expect(await realEnv.API_KEYS.get(key)).toBeNull();
    const status = await realEnv.DB.prepare('SELECT status FROM tenants WHERE id = ?')
      .bind(tenant.tenantId)
      .first();
    expect(status).toEqual({ status: 'suspended' });

    for (const key of cacheKeys) await realEnv.API_KEYS.put(key, '{"tenant_status":"suspended"}');
    expect(value(await account.resumeTenant(operator(), tenant.tenantId)).status).toBe('active');
    for (const key of cacheKeys) expect(await realEnv.API_KEYS.get(key)).toBeNull();
    const actions = (await audit(callerFor(tenant.tenantId, tenant.fullKey))).map((entry) => entry.action);
    expect(actions).toEqual(['tenant.resumed', 'tenant.suspended']);
  });

  it('changes quotas; a new rate limit drops the cached keys so it applies from the next request', async () => {
    const tenant = await seedTenant(realEnv.DB, { slug: slug('quota'), domain: 'quota.example.test' });
    await realEnv.API_KEYS.put(apiKeyCacheKey(tenant.fullKey.prefix), '{}');
    const updated = value(
      await account.updateTenant(operator(), tenant.tenantId, {
        daily_send_limit: 3,
        rate_limit: { per_second: 2, burst: 4 },
      }),
    );
    expect(updated).toMatchObject({ daily_send_limit: 3, rate_limit: { per_second: 2, burst: 4 } });
    expect(await realEnv.API_KEYS.get(apiKeyCacheKey(tenant.fullKey.prefix))).toBeNull();
    const unlimited = value(
      await account.updateTenant(operator(), tenant.tenantId, { daily_send_limit: null }),
    );
    expect(unlimited.daily_send_limit).toBeNull();
  });
});

describe('users and invitations', () => {
  async function tenantWithOwner() {
    const { acme, globex } = await twoTenants();
    const { env, tokenFor } = mailingEnv();
    // The first owner: invited by... nobody but the operator may invite an owner with a key, so
    // the row is written as the operator's create would.
    const ownerSubject = crypto.randomUUID();
    const ownerId = crypto.randomUUID();
    const now = new Date().toISOString();
    await realEnv.DB.prepare(
      "INSERT INTO users (id, tenant_id, email, role, auth_subject, created_at, updated_at, joined_at) VALUES (?, ?, 'owner@acme.test', 'owner', ?, ?, ?, ?)",
    )
      .bind(ownerId, acme.tenant_id, ownerSubject, now, now, now)
      .run();
    const owner: Caller = { ...acme, key_id: '', key_prefix: '', user_id: ownerId, role: 'owner' };
    return { acme, globex, owner, ownerId, env, tokenFor };
  }

  it('invites, accepts with the JWT subject (once), and the user becomes active', async () => {
    const { acme, env, tokenFor } = await tenantWithOwner();
    const invitation = await inviteUser(env, acme, { email: 'dev@acme.test', role: 'developer' });
    expect(invitation).toMatchObject({ object: 'invitation', email: 'dev@acme.test', role: 'developer' });
    const listed = value(await account.listUsers(acme)).data.find((user) => user.id === invitation.user_id);
    expect(listed).toMatchObject({ status: 'invited', role: 'developer', joined_at: null });

    const subject = crypto.randomUUID();
    const user = await acceptInvitation(
      env,
      { subject, request_id: 'req-accept' },
      tokenFor('dev@acme.test'),
    );
    expect(user).toMatchObject({ id: invitation.user_id, status: 'active', role: 'developer' });
    await expect(
      acceptInvitation(env, { subject: crypto.randomUUID(), request_id: 'r' }, tokenFor('dev@acme.test')),
    ).rejects.toMatchObject({ code: 'conflict' });
    await expect(acceptInvitation(env, { subject, request_id: 'r' }, 'mgi_wrong')).rejects.toMatchObject({
      code: 'not_found',
    });

    const joined = (await audit(acme, { action: 'user.joined' }))[0];
    expect(joined).toMatchObject({
      actor_type: 'user',
      actor_id: invitation.user_id,
      request_id: 'req-accept',
    });
  });

  it('refuses an expired invitation, and one identity joining a second tenant', async () => {
    const { acme, globex, env, tokenFor } = await tenantWithOwner();
    await inviteUser(env, acme, { email: 'late@acme.test', role: 'viewer' });
    await realEnv.DB.prepare(
      "UPDATE invitations SET expires_at = '2000-01-01T00:00:00.000Z' WHERE tenant_id = ?",
    )
      .bind(acme.tenant_id)
      .run();
    await expect(
      acceptInvitation(env, { subject: crypto.randomUUID(), request_id: 'r' }, tokenFor('late@acme.test')),
    ).rejects.toMatchObject({ code: 'invalid_parameter', message: expect.stringMatching(/expired/) });

    const subject = crypto.randomUUID();
    await inviteUser(env, acme, { email: 'twice@acme.test', role: 'viewer' });
    await acceptInvitation(env, { subject, request_id: 'r' }, tokenFor('twice@acme.test'));
    await inviteUser(env, globex, { email: 'twice@acme.test', role: 'viewer' });
    await expect(
      acceptInvitation(env, { subject, request_id: 'r' }, tokenFor('twice@acme.test')),
    ).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('re-inviting a pending user replaces the token; a joined member is a conflict', async () => {
    const { acme, env, tokenFor } = await tenantWithOwner();
    await inviteUser(env, acme, { email: 'again@acme.test', role: 'viewer' });
    const first = tokenFor('again@acme.test');
    const second = await inviteUser(env, acme, { email: 'again@acme.test', role: 'developer' });
    expect(tokenFor('again@acme.test')).not.toBe(first);
    await expect(
      acceptInvitation(env, { subject: crypto.randomUUID(), request_id: 'r' }, first),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
    const user = await acceptInvitation(
      env,
      { subject: crypto.randomUUID(), request_id: 'r' },
      tokenFor('again@acme.test'),
    );
    expect(user).toMatchObject({ id: second.user_id, role: 'developer' });
    await expect(inviteUser(env, acme, { email: 'again@acme.test', role: 'viewer' })).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('keeps owners to owners, and never leaves a tenant without one', async () => {
    const { acme, owner, ownerId, env } = await tenantWithOwner();
    // An API key acts as an admin: it may not invite an owner, nor demote or remove one.
    expect(errorOf(await account.inviteUser(acme, { email: 'o2@acme.test', role: 'owner' })).code).toBe(
      'insufficient_role',
    );
    expect(errorOf(await account.updateUser(acme, ownerId, { role: 'viewer' })).code).toBe(
      'insufficient_role',
    );
    // The only owner cannot step down or leave.
    expect(errorOf(await account.updateUser(owner, ownerId, { role: 'admin' })).code).toBe('conflict');
    expect(errorOf(await account.removeUser(owner, ownerId)).code).toBe('conflict');
    // A viewer (however it got past the gateway) manages nobody.
    const invited = await inviteUser(env, acme, { email: 'v@acme.test', role: 'viewer' });
    const viewer: Caller = { ...acme, key_id: '', key_prefix: '', user_id: invited.user_id, role: 'viewer' };
    expect(errorOf(await account.updateUser(viewer, invited.user_id, { role: 'admin' })).code).toBe(
      'insufficient_role',
    );
  });

  it('changes a role and removes a user, dropping their cached sign-in at once', async () => {
    const { acme, env, tokenFor } = await tenantWithOwner();
    const invited = await inviteUser(env, acme, { email: 'gone@acme.test', role: 'developer' });
    const subject = crypto.randomUUID();
    await acceptInvitation(env, { subject, request_id: 'r' }, tokenFor('gone@acme.test'));

    await realEnv.API_KEYS.put(userCacheKey(subject), '{"role":"developer"}');
    expect(value(await account.updateUser(acme, invited.user_id, { role: 'viewer' })).role).toBe('viewer');
    expect(await realEnv.API_KEYS.get(userCacheKey(subject))).toBeNull();

    await realEnv.API_KEYS.put(userCacheKey(subject), '{"role":"viewer"}');
    expect(value(await account.removeUser(acme, invited.user_id))).toEqual({
      object: 'user',
      id: invited.user_id,
      deleted: true,
    });
    expect(await realEnv.API_KEYS.get(userCacheKey(subject))).toBeNull();
    expect(value(await account.listUsers(acme)).data.map((user) => user.id)).not.toContain(invited.user_id);
    const actions = (await audit(acme, { target_id: invited.user_id })).map((entry) => entry.action);
    expect(actions).toEqual(['user.removed', 'user.updated', 'user.joined', 'user.invited']);
  });

  it("keeps each tenant's users to itself", async () => {
    const { acme, globex, env } = await tenantWithOwner();
    const invited = await inviteUser(env, acme, { email: 'mine@acme.test', role: 'viewer' });
    expect(value(await account.listUsers(globex)).data).toEqual([]);
    expect(errorOf(await account.updateUser(globex, invited.user_id, { role: 'admin' })).code).toBe(
      'not_found',
    );
    expect(errorOf(await account.removeUser(globex, invited.user_id)).code).toBe('not_found');
  });

  it('answers /users/me for a user and not_found for an API key', async () => {
    const { acme, owner, ownerId } = await tenantWithOwner();
    expect(value(await account.getCurrentUser(owner))).toMatchObject({
      id: ownerId,
      role: 'owner',
      status: 'active',
    });
    expect(errorOf(await account.getCurrentUser(acme)).code).toBe('not_found');
  });
});

describe('audit log', () => {
  it('filters, pages with after/before, and names the actor; another tenant sees none of it', async () => {
    const { acme, globex } = await twoTenants();
    for (const name of ['a', 'b', 'c']) {
      value(
        await messaging.createWebhook(acme, {
          endpoint: `https://hooks.example.test/${name}`,
          events: ['email.sent'],
        }),
      );
    }
    const all = await audit(acme, { action: 'webhook.created' });
    expect(all).toHaveLength(3);
    expect(all.every((entry) => entry.actor_type === 'api_key' && entry.actor_id === acme.key_prefix)).toBe(
      true,
    );
    expect(all.every((entry) => entry.request_id === acme.request_id)).toBe(true);

    const page1 = value(await account.listAuditLogs(acme, { limit: 2, action: 'webhook.created' }));
    expect(page1.has_more).toBe(true);
    const page2 = value(
      await account.listAuditLogs(acme, { limit: 2, action: 'webhook.created', after: page1.data[1]?.id }),
    );
    expect(page2).toMatchObject({ has_more: false });
    expect([...page1.data, ...page2.data].map((entry) => entry.id)).toEqual(all.map((entry) => entry.id));
    const back = value(
      await account.listAuditLogs(acme, { limit: 2, action: 'webhook.created', before: page2.data[0]?.id }),
    );
    expect(back.data.map((entry) => entry.id)).toEqual(page1.data.map((entry) => entry.id));

    const target = all[0] as AuditLogObject;
    expect(
      (await audit(acme, { target_type: 'webhook', target_id: target.target_id })).map((e) => e.id),
    ).toEqual([target.id]);
    expect(await audit(acme, { actor_type: 'user' })).toEqual([]);
    expect(await audit(acme, { from: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
    expect(await audit(acme, { to: '2000-01-01T00:00:00.000Z' })).toEqual([]);

    expect(await audit(globex)).toEqual([]);
    expect(errorOf(await account.listAuditLogs(globex, { limit: 10, after: target.id })).code).toBe(
      'invalid_parameter',
    );
  });
});
