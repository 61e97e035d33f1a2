// The request log: every request a tenant's key makes is stored after the answer (waitOnExecutionContext
// waits for it), with secrets redacted, readable only by that tenant through GET /api/logs[/:id], and
// gone after 30 days. The peers are stubs; D1 is the real local one.
import { seedTenant } from '@mailgrid/testing/fixtures';
import { beforeAll, describe, expect, it } from 'vitest';
import { expireRequestLogs, redact, uuidv7 } from '../src/request-log';
import { call, postJson, realEnv, recordingAdmin, testEnv, uniqueSlug } from './helpers';

let tenant: Awaited<ReturnType<typeof seedTenant>>;
let other: Awaited<ReturnType<typeof seedTenant>>;

beforeAll(async () => {
  tenant = await seedTenant(realEnv.DB, { slug: uniqueSlug('gw-logs'), domain: 'logs.example.test' });
  other = await seedTenant(realEnv.DB, { slug: uniqueSlug('gw-logs-other'), domain: 'other.example.test' });
});

interface Listed {
  object: string;
  has_more: boolean;
  data: {
    id: string;
    endpoint: string;
    method: string;
    response_status: number;
    user_agent: string | null;
  }[];
}

async function logs(key: string, query = ''): Promise<Listed> {
  const response = await call(`/api/logs${query}`, { key });
  expect(response.status).toBe(200);
  return (await response.json()) as Listed;
}

describe('GET /api/logs', () => {
  it('keeps a request with its bodies, the key id and the user agent, and redacts the secrets', async () => {
    const env = testEnv({ ADMIN: recordingAdmin() });
    const created = await postJson('/api/api-keys', tenant.fullKey.token, { name: 'ci' }, env, {
      'user-agent': 'resend-node:6.38.0',
    });
    expect(created.status).toBe(201);
    const [entry] = (await logs(tenant.fullKey.token)).data;
    expect(entry).toMatchObject({
      object: 'log',
      endpoint: '/api-keys',
      method: 'POST',
      response_status: 201,
      user_agent: 'resend-node:6.38.0',
    });
    const response = await call(`/api/logs/${entry?.id}`, { key: tenant.fullKey.token });
    expect(response.status).toBe(200);
    const log = (await response.json()) as Record<string, unknown>;
    expect(log).toMatchObject({
      object: 'log',
      id: entry?.id,
      api_key_id: tenant.fullKey.id,
      request_body: { name: 'ci' },
      response_body: { id: '5d6f3c1e-0000-4000-8000-000000000001', token: '[redacted]' },
    });
    // The key's own token is nowhere in the row.
    const { results } = await realEnv.DB.prepare('SELECT * FROM request_logs WHERE id = ?')
      .bind(entry?.id)
      .all();
    expect(JSON.stringify(results)).not.toContain('mg_dev_kkkk');
    expect(JSON.stringify(results)).not.toContain(tenant.fullKey.token);
    // An id in capitals names the same entry.
    const upper = await call(`/api/logs/${entry?.id.toUpperCase()}`, { key: tenant.fullKey.token });
    expect(upper.status).toBe(200);
  });

  it('logs a refused request with its error, and shows one tenant none of another’s', async () => {
    const refused = await postJson('/api/domains', tenant.fullKey.token, { name: 'nope' }, testEnv());
    expect(refused.status).toBe(422);
    const [entry] = (await logs(tenant.fullKey.token)).data;
    expect(entry).toMatchObject({ endpoint: '/domains', response_status: 422 });
    const read = await call(`/api/logs/${entry?.id}`, { key: tenant.fullKey.token });
    expect(((await read.json()) as { response_body: { statusCode: number } }).response_body.statusCode).toBe(
      422,
    );
    expect((await call(`/api/logs/${entry?.id}`, { key: other.fullKey.token })).status).toBe(404);
    expect((await logs(other.fullKey.token)).data.map((row) => row.id)).not.toContain(entry?.id);
  });

  it('pages newest first with Resend’s cursors', async () => {
    for (let i = 0; i < 3; i++) {
      await call('/api/api-keys', { key: other.fullKey.token }, testEnv({ ADMIN: recordingAdmin() }));
    }
    const first = await logs(other.fullKey.token, '?limit=2');
    expect(first.data).toHaveLength(2);
    expect(first.has_more).toBe(true);
    const next = await logs(other.fullKey.token, `?limit=2&after=${first.data[1]?.id}`);
    expect((next.data[0]?.id ?? '') < (first.data[1]?.id ?? '')).toBe(true);
  });
});

describe('retention', () => {
  it('deletes rows older than 30 days and keeps the rest', async () => {
    const now = Date.now();
    const old = uuidv7(now - 31 * 86_400_000);
    const recent = uuidv7(now - 29 * 86_400_000);
    for (const id of [old, recent]) {
      await realEnv.DB.prepare(
        `INSERT INTO request_logs (tenant_id, id, created_at, method, endpoint, response_status)
         VALUES (?, ?, ?, 'GET', '/domains', 200)`,
      )
        .bind(tenant.tenantId, id, new Date(now).toISOString())
        .run();
    }
    expect(await expireRequestLogs(realEnv, now)).toBeGreaterThanOrEqual(1);
    const { results } = await realEnv.DB.prepare('SELECT id FROM request_logs WHERE id IN (?, ?)')
      .bind(old, recent)
      .all<{ id: string }>();
    expect(results.map((row) => row.id)).toEqual([recent]);
  });
});

describe('redact', () => {
  it('replaces secret fields and secret-shaped text, and keeps ids and ordinary values', () => {
    expect(
      redact({
        name: 'ci',
        password: 'hunter2',
        signing_secret: 'whsec_abc',
        api_key_id: 'k1',
        nested: [{ token: 'x' }, 'use mg_live_AbCdEf0123456789 please', 'whsec_QUJD='],
        headers: { Authorization: 'Bearer abc.def' },
      }),
    ).toEqual({
      name: 'ci',
      password: '[redacted]',
      signing_secret: '[redacted]',
      api_key_id: 'k1',
      nested: [{ token: '[redacted]' }, 'use [redacted] please', '[redacted]'],
      headers: { Authorization: '[redacted]' },
    });
  });

  it('makes UUIDv7 ids that sort by time', () => {
    const a = uuidv7(1_700_000_000_000);
    const b = uuidv7(1_700_000_000_001);
    expect(a < b).toBe(true);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
