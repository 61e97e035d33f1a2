// The gateway's side of the Domains API: validation (422 naming the field, admin not asked), the
// caller and input it passes on, ids that cannot be domains, and verify without a body. ADMIN is a
// recording stub; admin's own tests and the mesh cover what happens behind it.
import type { Caller, DomainObject, DomainsRpc } from '@mailgrid/contracts';
import { callerFor, seedTenant } from '@mailgrid/testing/fixtures';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../src/env';
import { call, postJson, realEnv, recordingAdmin, testEnv, uniqueSlug } from './helpers';

let tenant: Awaited<ReturnType<typeof seedTenant>>;
const id = '7b0e4a51-0000-4000-8000-00000000d0d0';

const domain: DomainObject = {
  object: 'domain',
  id,
  name: 'example.org',
  status: 'not_started',
  region: 'us-east-1',
  created_at: '2026-01-01T00:00:00.000Z',
  capabilities: { sending: 'enabled', receiving: 'disabled' },
  tls: 'opportunistic',
  open_tracking: false,
  click_tracking: false,
  tracking_subdomain: null,
  tracking_hostname: null,
  custom_return_path: 'send',
  records: [],
  last_checked_at: null,
};

function stubs() {
  return {
    createDomain: vi.fn<DomainsRpc['createDomain']>(async () => ({ ok: true, value: domain })),
    listDomains: vi.fn<DomainsRpc['listDomains']>(async () => ({
      ok: true,
      value: { object: 'list', has_more: false, data: [] },
    })),
    getDomain: vi.fn<DomainsRpc['getDomain']>(async () => ({ ok: true, value: domain })),
    updateDomain: vi.fn<DomainsRpc['updateDomain']>(async () => ({ ok: true, value: domain })),
    verifyDomain: vi.fn<DomainsRpc['verifyDomain']>(async () => ({ ok: true, value: domain })),
    deleteDomain: vi.fn<DomainsRpc['deleteDomain']>(async () => ({
      ok: true,
      value: { object: 'domain', id, deleted: true },
    })),
  };
}

let admin: ReturnType<typeof stubs>;
let adminEnv: Env;

beforeAll(async () => {
  tenant = await seedTenant(realEnv.DB, { slug: uniqueSlug('gw-domains'), domain: 'domains.example.test' });
});

beforeEach(() => {
  admin = stubs();
  adminEnv = testEnv({ ADMIN: { ...recordingAdmin(), ...admin } });
});

function caller(requestId: string): Caller {
  return callerFor(tenant.tenantId, tenant.fullKey, requestId);
}

describe('POST /api/domains', () => {
  it('passes the normalised input on and answers 201', async () => {
    const response = await postJson(
      '/api/domains',
      tenant.fullKey.token,
      { name: ' Example.ORG ', custom_return_path: 'Bounce', open_tracking: true },
      adminEnv,
      { 'x-request-id': 'domains-create-01' },
    );
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual(domain);
    expect(admin.createDomain).toHaveBeenCalledWith(caller('domains-create-01'), {
      name: 'example.org',
      custom_return_path: 'bounce',
      open_tracking: true,
    });
  });

  it.each([
    [{ name: 'example' }, 'name: name must be a host name such as example.com.'],
    [{ name: 'exa mple.com' }, 'name: name must be a host name'],
    [{ name: '-bad.example.com' }, 'name: name must be a host name'],
    [{ name: 'example.org', region: 'eu-central-1' }, 'region: region must be one of us-east-1, eu-west-1'],
    [
      { name: 'example.org', custom_return_path: 'a.b' },
      'custom_return_path: custom_return_path must be one DNS label',
    ],
    [
      { name: 'example.org', tracking_hostname: 'links' },
      'tracking_hostname: tracking_hostname must be a host name',
    ],
    [
      { name: 'example.org', tracking_subdomain: 'a_b' },
      'tracking_subdomain: tracking_subdomain must be one DNS label',
    ],
    [{ name: 'example.org', tls: 'required' }, 'tls: tls must be one of opportunistic, enforced'],
    [
      { name: 'example.org', capabilities: { sending: 'on' } },
      'capabilities.sending must be enabled or disabled',
    ],
    [{ name: 'example.org', capabilities: { inbound: 'enabled' } }, 'Unknown field: inbound.'],
    [{}, 'Missing required field: name.'],
  ])('refuses %j with 422 before admin is asked', async (body, message) => {
    const response = await postJson('/api/domains', tenant.fullKey.token, body, adminEnv);
    expect(response.status).toBe(422);
    expect(((await response.json()) as { message: string }).message).toContain(message);
    expect(admin.createDomain).not.toHaveBeenCalled();
  });

  it('is refused to a sending_access key (403)', async () => {
    const response = await postJson(
      '/api/domains',
      tenant.sendingKey.token,
      { name: 'example.org' },
      adminEnv,
    );
    expect(response.status).toBe(403);
    expect(admin.createDomain).not.toHaveBeenCalled();
  });
});

describe('the other domain routes', () => {
  it('lists with the parsed paging query', async () => {
    const response = await call(`/api/domains?limit=5&after=${id}`, { key: tenant.fullKey.token }, adminEnv);
    expect(response.status).toBe(200);
    expect(admin.listDomains.mock.calls[0]?.[1]).toEqual({ limit: 5, after: id });
  });

  it('verifies without a request body, as the SDK sends it', async () => {
    const response = await call(
      `/api/domains/${id}/verify`,
      { method: 'POST', key: tenant.fullKey.token },
      adminEnv,
    );
    expect(response.status).toBe(200);
    expect(admin.verifyDomain.mock.calls[0]?.[1]).toBe(id);
  });

  it('passes an update on, with null clearing a setting', async () => {
    const response = await call(
      `/api/domains/${id}`,
      {
        method: 'PATCH',
        key: tenant.fullKey.token,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ click_tracking: true, tracking_hostname: null }),
      },
      adminEnv,
    );
    expect(response.status).toBe(200);
    expect(admin.updateDomain.mock.calls[0]?.[2]).toEqual({ click_tracking: true, tracking_hostname: null });
  });

  it('answers 422 for an id that cannot be a domain, without asking admin', async () => {
    for (const [method, path] of [
      ['GET', '/api/domains/nope'],
      ['DELETE', '/api/domains/nope'],
      ['POST', '/api/domains/nope/verify'],
    ] as const) {
      const response = await call(path, { method, key: tenant.fullKey.token }, adminEnv);
      expect(response.status, `${method} ${path}`).toBe(422);
    }
    expect(admin.getDomain).not.toHaveBeenCalled();
    expect(admin.deleteDomain).not.toHaveBeenCalled();
    expect(admin.verifyDomain).not.toHaveBeenCalled();
  });

  it("answers admin's delete and its 409", async () => {
    const ok = await call(`/api/domains/${id}`, { method: 'DELETE', key: tenant.fullKey.token }, adminEnv);
    expect(await ok.json()).toEqual({ object: 'domain', id, deleted: true });
    admin.deleteDomain.mockResolvedValueOnce({
      ok: false,
      error: { code: 'conflict', message: 'API key "x" may only send from example.org; delete it first.' },
    });
    const refused = await call(
      `/api/domains/${id}`,
      { method: 'DELETE', key: tenant.fullKey.token },
      adminEnv,
    );
    expect(refused.status).toBe(409);
  });
});
