import type { ApiKeySummary, CreateApiKeyResponse } from '@mailgrid/contracts/api-keys';
import { describe, expect, it } from 'vitest';
import { api, errorOf, mesh } from './client';

describe('API-key authentication through the gateway', () => {
  it('answers 401 missing_api_key without a key', async () => {
    const response = await api('/health');
    expect(response.status).toBe(401);
    expect(await errorOf(response)).toMatchObject({ statusCode: 401, name: 'missing_api_key' });
  });

  it.each([
    ['a malformed header', { authorization: 'Token abc' }],
    ['a key of another format', { authorization: 'Bearer re_123456789abcdef' }],
    ['a well-formed key that was never issued', { authorization: `Bearer mg_dev_${'x'.repeat(40)}` }],
  ])('answers 401 invalid_api_key for %s', async (_, headers) => {
    const response = await api('/health', { headers });
    expect(response.status).toBe(401);
    expect(await errorOf(response)).toMatchObject({ statusCode: 401, name: 'invalid_api_key' });
  });

  it('refuses a sending_access key on a management route with 403', async () => {
    const response = await api('/api/api-keys', { key: mesh.main.sending.token });
    expect(response.status).toBe(403);
    expect(await errorOf(response)).toMatchObject({ statusCode: 403, name: 'restricted_api_key' });
  });

  it('issues a key once, lists it by prefix only, and refuses it from the moment it is revoked', async () => {
    const created = await api('/api/api-keys', {
      method: 'POST',
      key: mesh.main.full.token,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ci deploy', permission: 'sending_access' }),
    });
    expect(created.status).toBe(201);
    const { id, token } = (await created.json()) as CreateApiKeyResponse;
    expect(token).toMatch(/^mg_dev_[A-Za-z0-9]{40}$/);

    // The new key works at once (and is now in the gateway's KV cache).
    expect((await api('/health', { key: token })).status).toBe(200);

    const listed = await api('/api/api-keys', { key: mesh.main.full.token });
    const { data } = (await listed.json()) as { data: ApiKeySummary[] };
    const summary = data.find((key) => key.id === id);
    expect(summary).toMatchObject({
      name: 'ci deploy',
      permission: 'sending_access',
      prefix: token.slice(0, 15),
    });
    expect(JSON.stringify(data)).not.toContain(token);

    const revoked = await api(`/api/api-keys/${id}`, { method: 'DELETE', key: mesh.main.full.token });
    expect(revoked.status).toBe(200);

    const refused = await api('/health', { key: token });
    expect(refused.status).toBe(401);
    expect(await errorOf(refused)).toMatchObject({ name: 'invalid_api_key' });
  });

  it("keeps one tenant's keys out of another's reach", async () => {
    const listed = await api('/api/api-keys', { key: mesh.other.full.token });
    const { data } = (await listed.json()) as { data: ApiKeySummary[] };
    expect(data.map((key) => key.prefix).sort()).toEqual(
      [mesh.other.full.prefix, mesh.other.sending.prefix].sort(),
    );

    const mainKeys = (await (await api('/api/api-keys', { key: mesh.main.full.token })).json()) as {
      data: ApiKeySummary[];
    };
    const target = mainKeys.data.find((key) => key.prefix === mesh.main.sending.prefix);
    expect(target).toBeDefined();
    const attempt = await api(`/api/api-keys/${target?.id}`, {
      method: 'DELETE',
      key: mesh.other.full.token,
    });
    expect(attempt.status).toBe(404);
    // Still alive for its owner.
    expect((await api('/health', { key: mesh.main.sending.token })).status).toBe(200);
  });
});
