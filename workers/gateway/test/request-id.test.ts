import { seedTenant } from '@mailgrid/testing/fixtures';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, realEnv, UUID, uniqueSlug } from './helpers';

let key: string;

beforeAll(async () => {
  const tenant = await seedTenant(realEnv.DB, { slug: uniqueSlug('request-id'), domain: 'rid.example.test' });
  key = tenant.fullKey.token;
});

describe('x-request-id', () => {
  it.each([
    ['a 200', () => call('/health', { key }), 200],
    ['a 401', () => call('/health'), 401],
    ['a 404', () => call('/no/such/route'), 404],
    ['a 405', () => call('/health', { method: 'POST', key }), 405],
  ] as const)('is on %s', async (_, send, status) => {
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers.get('x-request-id')).toMatch(UUID);
  });

  it('differs from one request to the next', async () => {
    const first = await call('/no/such/route');
    const second = await call('/no/such/route');
    expect(first.headers.get('x-request-id')).not.toBe(second.headers.get('x-request-id'));
  });

  it.each(['trace-12345678', 'a1b2c3d4e5f6', 'svc.api:req_2024-01-01T00-00'])(
    "echoes the caller's own id %s",
    async (id) => {
      const ok = await call('/health', { key, headers: { 'x-request-id': id } });
      expect(ok.headers.get('x-request-id')).toBe(id);
      const refused = await call('/health', { headers: { 'x-request-id': id } });
      expect(refused.headers.get('x-request-id')).toBe(id);
      expect(await refused.json()).toMatchObject({ request_id: id });
    },
  );

  it.each([
    ['too short', 'abc123'],
    ['markup', '<script>alert(1)</script>'],
    ['spaces', 'trace 12345678'],
    ['a leading punctuation mark', '-trace-12345678'],
    ['too long', `t${'x'.repeat(128)}`],
  ])('replaces an id that is %s with a generated one', async (_, id) => {
    const response = await call('/health', { headers: { 'x-request-id': id } });
    const header = response.headers.get('x-request-id');
    expect(header).not.toBe(id);
    expect(header).toMatch(UUID);
    expect(await response.text()).not.toContain(id);
  });

  it("puts the header's id in the error body", async () => {
    const response = await call('/api/api-keys', { key: 'not-a-key' });
    const body = await response.json<{ request_id: string }>();
    expect(body.request_id).toBe(response.headers.get('x-request-id'));
  });
});
