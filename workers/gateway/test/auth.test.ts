import { seedTenant } from '@mailgrid/testing/fixtures';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, realEnv } from './helpers';

let tenant: Awaited<ReturnType<typeof seedTenant>>;

beforeAll(async () => {
  tenant = await seedTenant(realEnv.DB, { slug: 'auth-test', domain: 'auth.example.test' });
});

describe('API-key authentication', () => {
  it('refuses a request without a key with 401 missing_api_key', async () => {
    const response = await call('/health');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ statusCode: 401, name: 'missing_api_key' });
  });

  it.each([
    ['not a bearer header', 'Basic abc'],
    ['a key of the wrong shape', 'Bearer re_123456789'],
    ['a well-formed key nobody issued', `Bearer mg_dev_${'A'.repeat(40)}`],
  ])('refuses %s with 401 invalid_api_key', async (_, authorization) => {
    const response = await call('/health', { headers: { authorization } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ name: 'invalid_api_key' });
  });

  it('refuses a key whose prefix exists but whose secret part is wrong', async () => {
    const forged =
      tenant.fullKey.token.slice(0, -4) + (tenant.fullKey.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const response = await call('/health', { key: forged });
    expect(response.status).toBe(401);
  });

  it('accepts a valid key and caches its record in KV under the prefix', async () => {
    const response = await call('/health', { key: tenant.sendingKey.token });
    expect(response.status).toBe(200);
    const cached = await realEnv.API_KEYS.get(`api-key:${tenant.sendingKey.prefix}`, 'json');
    expect(cached).toMatchObject({ tenant_id: tenant.tenantId, permission: 'sending_access' });
    // Only the hash is cached, never the key.
    expect(JSON.stringify(cached)).not.toContain(tenant.sendingKey.token);
  });

  it('refuses a suspended tenant with 403', async () => {
    const suspended = await seedTenant(realEnv.DB, { slug: 'suspended', domain: 'suspended.example.test' });
    await realEnv.DB.prepare("UPDATE tenants SET status = 'suspended' WHERE id = ?")
      .bind(suspended.tenantId)
      .run();
    const response = await call('/health', { key: suspended.fullKey.token });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ name: 'tenant_suspended' });
  });

  it('refuses a sending_access key on a management route with 403 restricted_api_key', async () => {
    const response = await call('/api/api-keys', { key: tenant.sendingKey.token });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ name: 'restricted_api_key' });
  });

  it('stores no key in plain text', async () => {
    const rows = await realEnv.DB.prepare('SELECT * FROM api_keys WHERE tenant_id = ?')
      .bind(tenant.tenantId)
      .all();
    expect(rows.results.length).toBe(2);
    for (const row of rows.results) {
      expect(JSON.stringify(row)).not.toContain(tenant.fullKey.token);
      expect(JSON.stringify(row)).not.toContain(tenant.sendingKey.token);
    }
  });
});
