// AccountService.createTenantApiKey: the platform operator issues a key to a tenant (a new tenant's
// first one), over the real RPC boundary against the real local D1.
import type { Caller, OperatorContext } from '@mailgrid/contracts';
import { seedTenant } from '@mailgrid/testing/fixtures';
import { describe, expect, it } from 'vitest';
import { account, failure, realEnv, value } from './helpers';

const operator = (requestId = `req-${crypto.randomUUID()}`): OperatorContext => ({ request_id: requestId });
const slug = (label: string) => `${label}-${crypto.randomUUID().slice(0, 8)}`;

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function keyRow(id: string) {
  return realEnv.DB.prepare('SELECT * FROM api_keys WHERE id = ?').bind(id).first<Record<string, unknown>>();
}

function keyCount(tenantId: string) {
  return realEnv.DB.prepare('SELECT count(*) AS n FROM api_keys WHERE tenant_id = ?')
    .bind(tenantId)
    .first<number>('n');
}

async function auditRows(targetId: string) {
  const { results } = await realEnv.DB.prepare('SELECT * FROM audit_log WHERE target_id = ?')
    .bind(targetId)
    .all<Record<string, string | null>>();
  return results;
}

/** A tenant created by the operator, with no key and no user: what needs its first key. */
async function newTenant() {
  return value(
    await account.createTenant(operator(), { name: 'New', slug: slug('new'), daily_send_limit: null }),
  );
}

/** The Caller the gateway would pass for a request made with the issued key. */
function callerWith(tenantId: string, created: { id: string; token: string }): Caller {
  return {
    tenant_id: tenantId,
    key_id: created.id,
    key_prefix: created.token.slice(0, 'mg_dev_'.length + 8),
    permission: 'full_access',
    domain_id: null,
    request_id: `req-${crypto.randomUUID()}`,
  };
}

describe('createTenantApiKey', () => {
  it("issues a new tenant's first key once, storing only its prefix and SHA-256", async () => {
    const tenant = await newTenant();
    expect(await keyCount(tenant.id)).toBe(0);

    const created = value(
      await account.createTenantApiKey(operator(), tenant.id, { name: 'first', permission: 'full_access' }),
    );
    expect(created).toEqual({
      id: expect.any(String),
      token: expect.stringMatching(/^mg_dev_[A-Za-z0-9]{40}$/),
    });
    const row = await keyRow(created.id);
    expect(row).toMatchObject({
      tenant_id: tenant.id,
      name: 'first',
      permission: 'full_access',
      domain_id: null,
      prefix: created.token.slice(0, 'mg_dev_'.length + 8),
      hash: await sha256Hex(created.token),
      revoked_at: null,
    });
    expect(JSON.stringify(row)).not.toContain(created.token);

    // The tenant sees it as one of its own keys.
    const keys = value(await account.listApiKeys(callerWith(tenant.id, created)));
    expect(keys.map((key) => key.id)).toEqual([created.id]);
  });

  it('finds the tenant by slug as well as by id', async () => {
    const tenant = await newTenant();
    const created = value(
      await account.createTenantApiKey(operator(), tenant.slug, {
        name: 'by slug',
        permission: 'sending_access',
      }),
    );
    expect(await keyRow(created.id)).toMatchObject({ tenant_id: tenant.id, permission: 'sending_access' });
  });

  it("writes api_key.created to the tenant's audit log as the operator, with the request id and no secret", async () => {
    const tenant = await newTenant();
    const created = value(
      await account.createTenantApiKey(operator('op-key-0001'), tenant.id, {
        name: 'ci',
        permission: 'full_access',
      }),
    );
    const entries = await auditRows(created.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      tenant_id: tenant.id,
      action: 'api_key.created',
      target_type: 'api_key',
      actor_type: 'operator',
      actor_id: 'operator',
      request_id: 'op-key-0001',
    });
    expect(JSON.parse(entries[0]?.summary ?? '{}')).toMatchObject({
      name: 'ci',
      permission: 'full_access',
      prefix: created.token.slice(0, 'mg_dev_'.length + 8),
    });
    const stored = JSON.stringify(entries[0]);
    expect(stored).not.toContain(created.token.slice('mg_dev_'.length + 8));
    expect(stored).not.toContain(await sha256Hex(created.token));

    // Through the tenant's own audit log API, too.
    const { data } = value(
      await account.listAuditLogs(callerWith(tenant.id, created), { limit: 100, actor_type: 'operator' }),
    );
    expect(data.map((entry) => entry.action).sort()).toEqual(['api_key.created', 'tenant.created']);
  });

  it("restricts a key to one of the tenant's domains, and refuses another tenant's", async () => {
    const label = crypto.randomUUID().slice(0, 8);
    const acme = await seedTenant(realEnv.DB, {
      slug: `acme-${label}`,
      domain: `acme-${label}.example.test`,
    });
    const globex = await seedTenant(realEnv.DB, {
      slug: `globex-${label}`,
      domain: `globex-${label}.example.test`,
    });
    const bound = value(
      await account.createTenantApiKey(operator(), acme.tenantId, {
        name: 'bound',
        permission: 'sending_access',
        domain_id: acme.domainId,
      }),
    );
    expect(await keyRow(bound.id)).toMatchObject({ tenant_id: acme.tenantId, domain_id: acme.domainId });

    const before = await keyCount(acme.tenantId);
    const refused = await account.createTenantApiKey(operator(), acme.tenantId, {
      name: 'sneaky',
      permission: 'sending_access',
      domain_id: globex.domainId,
    });
    expect(failure(refused).code).toBe('invalid_parameter');
    expect(await keyCount(acme.tenantId)).toBe(before);
  });

  it('answers not_found for a tenant nobody has', async () => {
    const result = await account.createTenantApiKey(operator(), crypto.randomUUID(), {
      name: 'x',
      permission: 'full_access',
    });
    expect(failure(result).code).toBe('not_found');
    expect(
      failure(
        await account.createTenantApiKey(operator(), 'no-such-tenant', {
          name: 'x',
          permission: 'full_access',
        }),
      ).code,
    ).toBe('not_found');
  });

  it('refuses a suspended tenant with conflict and stores nothing; after a resume it issues', async () => {
    const tenant = await newTenant();
    value(await account.suspendTenant(operator(), tenant.id));
    const refused = await account.createTenantApiKey(operator(), tenant.id, {
      name: 'x',
      permission: 'full_access',
    });
    expect(failure(refused)).toMatchObject({ code: 'conflict', message: expect.stringMatching(/suspended/) });
    expect(await keyCount(tenant.id)).toBe(0);

    value(await account.resumeTenant(operator(), tenant.id));
    const created = value(
      await account.createTenantApiKey(operator(), tenant.id, { name: 'x', permission: 'full_access' }),
    );
    expect(await keyRow(created.id)).toMatchObject({ tenant_id: tenant.id });
  });
});
