// The gateway's side of the API Keys API: validation, the caller it passes on, and how it renders
// admin's answers. ADMIN is a recording stub; admin's own tests cover what it stores.
import type { AccountRpc, ApiKeySummary, Caller } from '@mailgrid/contracts';
import { callerFor, seedTenant } from '@mailgrid/testing/fixtures';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../src/env';
import { call, postJson, realEnv, recordingAdmin, testEnv, uniqueSlug } from './helpers';

let tenant: Awaited<ReturnType<typeof seedTenant>>;
let admin: ReturnType<typeof recordingAdmin>;
let adminEnv: Env;

beforeAll(async () => {
  tenant = await seedTenant(realEnv.DB, { slug: uniqueSlug('gw-keys'), domain: 'keys.example.test' });
});

beforeEach(() => {
  admin = recordingAdmin();
  adminEnv = testEnv({ ADMIN: admin });
});

function expectedCaller(requestId: string): Caller {
  return callerFor(tenant.tenantId, tenant.fullKey, requestId);
}

describe('POST /api/api-keys', () => {
  it("answers 201 with admin's new key, passing the validated input and the caller", async () => {
    const response = await postJson('/api/api-keys', tenant.fullKey.token, { name: '  CI  ' }, adminEnv, {
      'x-request-id': 'keys-create-0001',
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({
      id: '5d6f3c1e-0000-4000-8000-000000000001',
      token: `mg_dev_${'k'.repeat(40)}`,
    });
    expect(admin.createApiKey).toHaveBeenCalledTimes(1);
    expect(admin.createApiKey).toHaveBeenCalledWith(expectedCaller('keys-create-0001'), {
      name: 'CI',
      permission: 'full_access',
    });
  });

  it('passes a sending_access permission and a domain restriction on', async () => {
    const input = { name: 'mailer', permission: 'sending_access', domain_id: tenant.domainId };
    const response = await postJson('/api/api-keys', tenant.fullKey.token, input, adminEnv);
    expect(response.status).toBe(201);
    expect(admin.createApiKey.mock.calls[0]?.[1]).toEqual(input);
  });

  it('accepts a JSON content type with parameters', async () => {
    const response = await postJson('/api/api-keys', tenant.fullKey.token, { name: 'ci' }, adminEnv, {
      'content-type': 'application/json; charset=utf-8',
    });
    expect(response.status).toBe(201);
  });

  it("turns admin's error result into its status", async () => {
    admin.createApiKey.mockResolvedValueOnce({
      ok: false,
      error: { code: 'invalid_parameter', message: 'domain_id x is not one of your domains.' },
    });
    const response = await postJson(
      '/api/api-keys',
      tenant.fullKey.token,
      { name: 'ci', domain_id: crypto.randomUUID() },
      adminEnv,
    );
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({
      statusCode: 422,
      name: 'invalid_parameter',
      message: 'domain_id x is not one of your domains.',
    });
  });

  it('is refused to a sending_access key before admin is asked', async () => {
    const response = await postJson('/api/api-keys', tenant.sendingKey.token, { name: 'ci' }, adminEnv);
    expect(response.status).toBe(403);
    expect(admin.createApiKey).not.toHaveBeenCalled();
  });
});

describe('GET /api/api-keys', () => {
  it('answers a list object around what admin returns', async () => {
    const summary: ApiKeySummary = {
      id: tenant.fullKey.id,
      name: 'full',
      permission: 'full_access',
      domain_id: null,
      prefix: tenant.fullKey.prefix,
      created_at: '2026-01-01T00:00:00.000Z',
      last_used_at: null,
    };
    admin.listApiKeys.mockResolvedValueOnce({ ok: true, value: [summary] });
    const response = await call(
      '/api/api-keys',
      { key: tenant.fullKey.token, headers: { 'x-request-id': 'keys-list-0001' } },
      adminEnv,
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ object: 'list', has_more: false, data: [summary] });
    expect(admin.listApiKeys).toHaveBeenCalledWith(expectedCaller('keys-list-0001'));
  });
});

describe('DELETE /api/api-keys/:id', () => {
  it('answers the deleted key object', async () => {
    const id = crypto.randomUUID();
    const response = await call(
      `/api/api-keys/${id}`,
      { method: 'DELETE', key: tenant.fullKey.token, headers: { 'x-request-id': 'keys-delete-01' } },
      adminEnv,
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ object: 'api_key', id, deleted: true });
    expect(admin.deleteApiKey).toHaveBeenCalledWith(expectedCaller('keys-delete-01'), id);
  });

  it('answers 404 not_found when admin has no such key', async () => {
    admin.deleteApiKey.mockResolvedValueOnce({
      ok: false,
      error: { code: 'not_found', message: 'API key abc not found.' },
    });
    const response = await call(
      '/api/api-keys/0d6b1f9e-0000-4000-8000-00000000abc0',
      { method: 'DELETE', key: tenant.fullKey.token },
      adminEnv,
    );
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      statusCode: 404,
      name: 'not_found',
      message: 'API key abc not found.',
    });
  });
});

describe('PATCH /api/api-keys/:id', () => {
  function patch(id: string, body: unknown, key = tenant.fullKey.token) {
    return call(
      `/api/api-keys/${id}`,
      {
        method: 'PATCH',
        key,
        headers: { 'content-type': 'application/json', 'x-request-id': 'keys-patch-0001' },
        body: JSON.stringify(body),
      },
      patchEnv,
    );
  }

  let updateApiKey: ReturnType<typeof vi.fn<AccountRpc['updateApiKey']>>;
  let patchEnv: Env;

  beforeEach(() => {
    updateApiKey = vi.fn<AccountRpc['updateApiKey']>(async (_caller, id) => ({
      ok: true,
      value: { object: 'api_key', id },
    }));
    patchEnv = testEnv({ ADMIN: { ...admin, updateApiKey } });
  });

  it("renames through admin and answers Resend's { object, id }", async () => {
    const id = crypto.randomUUID();
    const response = await patch(id, { name: '  Production  ' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ object: 'api_key', id });
    expect(updateApiKey).toHaveBeenCalledWith(expectedCaller('keys-patch-0001'), id, { name: 'Production' });
  });

  it.each([
    [{}, 'Missing required field: name.'],
    [{ name: '' }, 'name: name must not be empty.'],
    [{ name: 'x'.repeat(51) }, 'name:'],
    [{ name: 'x', permission: 'sending_access' }, 'Unknown field: permission.'],
  ])('refuses %j with 422 before admin is asked', async (body, message) => {
    const response = await patch(crypto.randomUUID(), body);
    expect(response.status).toBe(422);
    expect(((await response.json()) as { message: string }).message).toContain(message);
    expect(updateApiKey).not.toHaveBeenCalled();
  });

  it('is refused to a sending_access key (403)', async () => {
    const response = await patch(crypto.randomUUID(), { name: 'x' }, tenant.sendingKey.token);
    expect(response.status).toBe(403);
    expect(updateApiKey).not.toHaveBeenCalled();
  });
});
