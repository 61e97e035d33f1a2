// POST /api/operator/tenants/:id/api-keys at the gateway: the operator's secret and nothing else,
// the body validated as POST /api/api-keys's, admin's answer and failures rendered. ADMIN is a
// recording stub; admin's tests cover what it stores, tests/mesh/onboarding.test.ts the whole way.
import type { AccountRpc, CreateApiKeyResponse, RpcResult } from '@mailgrid/contracts';
import { seedTenant } from '@mailgrid/testing/fixtures';
import { beforeAll, describe, expect, it, vi } from 'vitest';
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

const OPERATOR_SECRET = 'operator-keys-secret-for-tests';
const TENANT = '7d1c2e3f-0000-4000-8000-00000000a001';
const ISSUED: CreateApiKeyResponse = {
  id: '5d6f3c1e-0000-4000-8000-000000000002',
  token: `mg_dev_${'t'.repeat(40)}`,
};

let tenant: Awaited<ReturnType<typeof seedTenant>>;

beforeAll(async () => {
  tenant = await seedTenant(realEnv.DB, { slug: uniqueSlug('gw-op-keys'), domain: 'op-keys.example.test' });
});

function operatorEnv(vars: Partial<Env> = { OPERATOR_SECRET }) {
  const admin = {
    health: async () => healthyReport('admin'),
    createTenantApiKey: vi.fn<AccountRpc['createTenantApiKey']>(
      async (): Promise<RpcResult<CreateApiKeyResponse>> => ({ ok: true, value: ISSUED }),
    ),
  };
  const env = { ...testEnv({ ADMIN: admin as unknown as AdminEntrypoints }), ...vars } as Env;
  return { admin, env };
}

const path = (ref: string) => `/api/operator/tenants/${ref}/api-keys`;

describe('POST /api/operator/tenants/:id/api-keys', () => {
  it("answers 201 with admin's new key, passing the operator, the tenant and the validated body", async () => {
    const { admin, env } = operatorEnv();
    const response = await postJson(path(TENANT), OPERATOR_SECRET, { name: '  first  ' }, env, {
      'x-request-id': 'op-keys-0001',
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual(ISSUED);
    expect(admin.createTenantApiKey).toHaveBeenCalledExactlyOnceWith({ request_id: 'op-keys-0001' }, TENANT, {
      name: 'first',
      permission: 'full_access',
    });
  });

  it('takes a slug, a sending_access permission and a domain restriction', async () => {
    const { admin, env } = operatorEnv();
    const domainId = crypto.randomUUID();
    const body = { name: 'mailer', permission: 'sending_access', domain_id: domainId };
    const response = await postJson(path('acme-corp'), OPERATOR_SECRET, body, env);
    expect(response.status).toBe(201);
    expect(admin.createTenantApiKey.mock.calls[0]?.slice(1)).toEqual(['acme-corp', body]);
  });

  it.each([
    ['no secret', undefined],
    ['a wrong secret', `${OPERATOR_SECRET}x`],
  ])('refuses %s with 401 before admin is asked, never echoing the secret', async (_, key) => {
    const { admin, env } = operatorEnv();
    const response = await postJson(path(TENANT), key as string, { name: 'x' }, env);
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(text).toContain('invalid_operator_secret');
    expect(text).not.toContain(OPERATOR_SECRET);
    expect(admin.createTenantApiKey).not.toHaveBeenCalled();
  });

  it("refuses a tenant's own full_access key: the route is the operator's", async () => {
    const { admin, env } = operatorEnv();
    const response = await postJson(path(tenant.tenantId), tenant.fullKey.token, { name: 'x' }, env);
    expect(response.status).toBe(401);
    expect(admin.createTenantApiKey).not.toHaveBeenCalled();
  });

  it('refuses every request when no operator secret is configured', async () => {
    const { admin, env } = operatorEnv({});
    const response = await postJson(path(TENANT), 'anything', { name: 'x' }, env);
    expect(response.status).toBe(401);
    expect(admin.createTenantApiKey).not.toHaveBeenCalled();
  });

  it.each([
    ['no name', {}, /\bname\b/],
    ['an empty name', { name: '  ' }, /^name/],
    ['an unknown permission', { name: 'x', permission: 'root' }, /^permission/],
    ['a domain_id that is no UUID', { name: 'x', domain_id: 'example.com' }, /^domain_id/],
    ['an unknown field', { name: 'x', tenant_id: TENANT }, /tenant_id/],
  ])('refuses %s with 422 before admin is asked', async (_, body, message) => {
    const { admin, env } = operatorEnv();
    const response = await postJson(path(TENANT), OPERATOR_SECRET, body, env);
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ message: expect.stringMatching(message) });
    expect(admin.createTenantApiKey).not.toHaveBeenCalled();
  });

  it('refuses a tenant reference that is neither a UUID nor a slug with 422', async () => {
    const { admin, env } = operatorEnv();
    const response = await postJson(path('Not_A_Slug'), OPERATOR_SECRET, { name: 'x' }, env);
    expect(response.status).toBe(422);
    expect(admin.createTenantApiKey).not.toHaveBeenCalled();
  });

  it.each([
    ['an unknown tenant', 'not_found', 404],
    ['a suspended tenant', 'conflict', 409],
    ["another tenant's domain", 'invalid_parameter', 422],
  ] as const)("answers admin's refusal of %s with its status", async (_, code, status) => {
    const { admin, env } = operatorEnv();
    admin.createTenantApiKey.mockResolvedValueOnce({ ok: false, error: { code, message: `${code}.` } });
    const response = await postJson(path(TENANT), OPERATOR_SECRET, { name: 'x' }, env);
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ statusCode: status, name: code });
  });

  it('answers 405 with allow: POST for another method', async () => {
    const { env } = operatorEnv();
    const response = await call(path(TENANT), { method: 'GET', key: OPERATOR_SECRET }, env);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});
