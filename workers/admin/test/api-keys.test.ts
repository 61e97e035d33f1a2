// AccountService's API-key methods, called over a real RPC boundary (the worker's own loopback
// binding in `exports`), against the real local D1 and KV.
import { apiKeyCacheKey, type Caller } from '@mailgrid/contracts';
import { callerFor, seedTenant } from '@mailgrid/testing/fixtures';
import { beforeAll, describe, expect, it } from 'vitest';
import { account, realEnv, value } from './helpers';

type Tenant = Awaited<ReturnType<typeof seedTenant>>;

let acme: Tenant;
let globex: Tenant;

beforeAll(async () => {
  acme = await seedTenant(realEnv.DB, { slug: slug('acme'), domain: 'acme.example.test' });
  globex = await seedTenant(realEnv.DB, { slug: slug('globex'), domain: 'globex.example.test' });
});

function slug(label: string): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}`;
}

function callerOf(tenant: Tenant, requestId?: string): Caller {
  return callerFor(tenant.tenantId, tenant.fullKey, requestId);
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function keyRow(id: string) {
  return realEnv.DB.prepare('SELECT * FROM api_keys WHERE id = ?').bind(id).first<Record<string, unknown>>();
}

async function auditRows(targetId: string) {
  const { results } = await realEnv.DB.prepare(
    'SELECT * FROM audit_log WHERE target_id = ? ORDER BY created_at',
  )
    .bind(targetId)
    .all<Record<string, string | null>>();
  return results;
}

describe('createApiKey', () => {
  it('returns a new key once and stores only its prefix and SHA-256', async () => {
    const caller = callerOf(acme, 'admin-create-0001');
    const created = value(await account.createApiKey(caller, { name: 'CI', permission: 'full_access' }));
    expect(created.token).toMatch(/^mg_dev_[A-Za-z0-9]{40}$/);

    const row = await keyRow(created.id);
    expect(row).toMatchObject({
      tenant_id: acme.tenantId,
      name: 'CI',
      permission: 'full_access',
      domain_id: null,
      prefix: created.token.slice(0, 'mg_dev_'.length + 8),
      hash: await sha256Hex(created.token),
      revoked_at: null,
    });
    const secret = created.token.slice('mg_dev_'.length + 8);
    expect(JSON.stringify(row)).not.toContain(created.token);
    expect(JSON.stringify(row)).not.toContain(secret);
  });

  it('writes an api_key.created audit entry with the request id and no secret', async () => {
    const caller = callerOf(acme, 'admin-create-0002');
    const created = value(
      await account.createApiKey(caller, { name: 'mailer', permission: 'sending_access' }),
    );
    const entries = await auditRows(created.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      tenant_id: acme.tenantId,
      action: 'api_key.created',
      target_type: 'api_key',
      actor_type: 'api_key',
      actor_id: acme.fullKey.prefix,
      request_id: 'admin-create-0002',
    });
    const summary = JSON.parse(entries[0]?.summary ?? '{}');
    expect(summary).toMatchObject({ name: 'mailer', permission: 'sending_access' });
    const stored = JSON.stringify(entries[0]);
    expect(stored).not.toContain(created.token.slice('mg_dev_'.length + 8));
    expect(stored).not.toContain(await sha256Hex(created.token));
  });

  it('gives every key its own token', async () => {
    const caller = callerOf(acme);
    const a = value(await account.createApiKey(caller, { name: 'a', permission: 'full_access' }));
    const b = value(await account.createApiKey(caller, { name: 'b', permission: 'full_access' }));
    expect(a.id).not.toBe(b.id);
    expect(a.token).not.toBe(b.token);
  });

  it("restricts a key to one of the tenant's own domains", async () => {
    const created = value(
      await account.createApiKey(callerOf(acme), {
        name: 'domain-bound',
        permission: 'sending_access',
        domain_id: acme.domainId,
      }),
    );
    expect(await keyRow(created.id)).toMatchObject({ domain_id: acme.domainId });
  });

  it("refuses another tenant's domain with invalid_parameter and stores nothing", async () => {
    const count = () =>
      realEnv.DB.prepare('SELECT count(*) AS n FROM api_keys WHERE tenant_id = ?')
        .bind(acme.tenantId)
        .first<number>('n');
    const before = await count();
    const result = await account.createApiKey(callerOf(acme), {
      name: 'sneaky',
      permission: 'sending_access',
      domain_id: globex.domainId,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_parameter' } });
    expect(await count()).toBe(before);
  });
});

describe('listApiKeys', () => {
  it("lists only the caller's tenant's live keys, without hash or token", async () => {
    const caller = callerOf(globex);
    const created = value(await account.createApiKey(caller, { name: 'listed', permission: 'full_access' }));
    const keys = value(await account.listApiKeys(caller));

    expect(keys.map((key) => key.id).sort()).toEqual(
      [globex.fullKey.id, globex.sendingKey.id, created.id].sort(),
    );
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(
        ['created_at', 'domain_id', 'id', 'last_used_at', 'name', 'permission', 'prefix'].sort(),
      );
    }
    expect(JSON.stringify(keys)).not.toContain(created.token);
    expect(keys.find((key) => key.id === created.id)).toMatchObject({
      name: 'listed',
      prefix: created.token.slice(0, 15),
    });
  });

  it('does not list a revoked key', async () => {
    const caller = callerOf(globex);
    const created = value(
      await account.createApiKey(caller, { name: 'short-lived', permission: 'full_access' }),
    );
    value(await account.deleteApiKey(caller, created.id));
    const keys = value(await account.listApiKeys(caller));
    expect(keys.map((key) => key.id)).not.toContain(created.id);
  });
});

describe('deleteApiKey', () => {
  it('revokes the key, audits it and drops it from the gateway cache', async () => {
    const caller = callerOf(acme, 'admin-delete-0001');
    const created = value(
      await account.createApiKey(caller, { name: 'to-revoke', permission: 'full_access' }),
    );
    const prefix = created.token.slice(0, 15);
    await realEnv.API_KEYS.put(apiKeyCacheKey(prefix), JSON.stringify({ id: created.id }));

    expect(await account.deleteApiKey(caller, created.id)).toEqual({ ok: true, value: { id: created.id } });

    const row = await keyRow(created.id);
    expect(row?.revoked_at).toEqual(expect.any(String));
    expect(await realEnv.API_KEYS.get(apiKeyCacheKey(prefix))).toBeNull();
    const revoked = (await auditRows(created.id)).filter((entry) => entry.action === 'api_key.revoked');
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toMatchObject({ request_id: 'admin-delete-0001', actor_id: acme.fullKey.prefix });
  });

  it("answers not_found for another tenant's key and leaves it live", async () => {
    const victim = globex.sendingKey;
    await realEnv.API_KEYS.put(apiKeyCacheKey(victim.prefix), JSON.stringify({ id: victim.id }));

    const result = await account.deleteApiKey(callerOf(acme), victim.id);
    expect(result).toMatchObject({ ok: false, error: { code: 'not_found' } });

    expect(await keyRow(victim.id)).toMatchObject({ revoked_at: null });
    expect(await realEnv.API_KEYS.get(apiKeyCacheKey(victim.prefix))).not.toBeNull();
    expect(await auditRows(victim.id)).toEqual([]);
  });

  it('answers not_found the second time', async () => {
    const caller = callerOf(acme);
    const created = value(await account.createApiKey(caller, { name: 'twice', permission: 'full_access' }));
    expect((await account.deleteApiKey(caller, created.id)).ok).toBe(true);
    expect(await account.deleteApiKey(caller, created.id)).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect((await auditRows(created.id)).map((entry) => entry.action)).toEqual([
      'api_key.created',
      'api_key.revoked',
    ]);
  });

  it('answers not_found for an id nobody has', async () => {
    expect(await account.deleteApiKey(callerOf(acme), crypto.randomUUID())).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });
});
