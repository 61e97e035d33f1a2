import { seedTenant } from '@mailgrid/testing/fixtures';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Env } from '../src/env';
import { call, postJson, realEnv, recordingAdmin, testEnv, uniqueSlug } from './helpers';

let key: string;

beforeAll(async () => {
  const tenant = await seedTenant(realEnv.DB, { slug: uniqueSlug('errors'), domain: 'errors.example.test' });
  key = tenant.fullKey.token;
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the error envelope', () => {
  it("is Resend's shape plus the request id", async () => {
    const response = await call('/api/nothing-here', { headers: { 'x-request-id': 'errors-envelope-1' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toMatchInlineSnapshot(`
      {
        "message": "No route for GET /api/nothing-here.",
        "name": "not_found",
        "request_id": "errors-envelope-1",
        "statusCode": 404,
      }
    `);
  });

  it('answers 401 in the same shape', async () => {
    const response = await call('/api/api-keys', { headers: { 'x-request-id': 'errors-envelope-2' } });
    expect(await response.json()).toMatchInlineSnapshot(`
      {
        "message": "Missing API key. Send it as "Authorization: Bearer mg_...".",
        "name": "missing_api_key",
        "request_id": "errors-envelope-2",
        "statusCode": 401,
      }
    `);
  });
});

describe('routing', () => {
  it('answers GET / with what this host is and where the docs are', async () => {
    const response = await call('/');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      object: 'mailgrid',
      api: '/api',
      docs: '/docs',
      openapi: '/openapi.json',
    });
  });

  it('names the route meant when a path only lacks /api', async () => {
    for (const [method, path, meant] of [
      ['GET', '/emails', '/api/emails'],
      ['POST', '/emails/batch', '/api/emails/batch'],
      ['GET', '/contacts/ada@customer.test', '/api/contacts/ada@customer.test'],
    ] as const) {
      const response = await call(path, { method });
      expect(response.status).toBe(404);
      expect(((await response.json()) as { message: string }).message).toBe(
        `No route for ${method} ${path}. Did you mean ${meant}? Every API route is under /api.`,
      );
    }
  });

  it('takes a doubled or trailing slash for the route it names', async () => {
    const targetEnv = testEnv({ ADMIN: recordingAdmin() });
    // A tenant of its own: the shared one's request budget is for the tests that measure it.
    const { fullKey } = await seedTenant(realEnv.DB, {
      slug: uniqueSlug('slashes'),
      domain: 'slashes.example.test',
      rateLimit: { per_second: 100, burst: 100 },
    });
    for (const path of ['/api//api-keys', '//api/api-keys', '/api/api-keys/']) {
      const response = await call(path, { key: fullKey.token }, targetEnv);
      expect(response.status, path).toBe(200);
    }
  });

  it.each([
    ['GET', '/nothing'],
    ['POST', '/api/api-keys/extra/segments'],
    ['GET', '/api/api-keys-export'],
  ])('answers %s %s with 404 not_found, with or without a key', async (method, path) => {
    for (const withKey of [undefined, key]) {
      const response = await call(path, { method, key: withKey });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ statusCode: 404, name: 'not_found' });
    }
  });

  it.each([
    ['PUT', '/api/api-keys', 'GET, POST'],
    ['PATCH', '/api/api-keys', 'GET, POST'],
    ['DELETE', '/api/api-keys', 'GET, POST'],
    ['POST', '/health', 'GET'],
    ['GET', '/api/api-keys/2b8a9bd8-8f6e-4d0e-9a8f-9b2f4d1f3a10', 'DELETE, PATCH'],
    // Fixed paths beside a `:id` route of the same method are not an object named like them.
    ['DELETE', '/api/contacts/imports', 'GET, POST'],
    ['PATCH', '/api/emails/batch', 'POST'],
    ['PATCH', '/api/users/me', 'GET'],
    ['GET', '/api/webhooks/ses', 'POST'],
  ])('answers %s %s with 405 and allow: %s', async (method, path, allow) => {
    const response = await call(path, { method, key });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(await response.json()).toMatchObject({ statusCode: 405, name: 'method_not_allowed' });
  });
});

describe('POST /api/api-keys with a bad body', () => {
  let admin: ReturnType<typeof recordingAdmin>;
  let adminEnv: Env;

  beforeAll(() => {
    admin = recordingAdmin();
    adminEnv = testEnv({ ADMIN: admin });
  });

  afterEach(() => {
    // Nothing is created from input the gateway refused.
    expect(admin.createApiKey).not.toHaveBeenCalled();
    admin.createApiKey.mockClear();
  });

  async function expectError(response: Response, status: number, name: string, mentions?: string) {
    expect(response.status).toBe(status);
    const body = await response.json<{ statusCode: number; name: string; message: string }>();
    expect(body).toMatchObject({ statusCode: status, name });
    if (mentions) expect(body.message).toContain(mentions);
  }

  it('refuses a text/plain body with 415 unsupported_media_type', async () => {
    const response = await call(
      '/api/api-keys',
      { method: 'POST', key, headers: { 'content-type': 'text/plain' }, body: '{"name":"ci"}' },
      adminEnv,
    );
    await expectError(response, 415, 'unsupported_media_type', 'application/json');
  });

  it('refuses a body without a content type with 415', async () => {
    const response = await call(
      '/api/api-keys',
      { method: 'POST', key, body: new TextEncoder().encode('{"name":"ci"}') },
      adminEnv,
    );
    expect(response.status).toBe(415);
  });

  it('refuses malformed JSON with 400 invalid_json', async () => {
    await expectError(await postJson('/api/api-keys', key, '{"name": "ci",', adminEnv), 400, 'invalid_json');
  });

  it.each(['', '   \n'])('refuses an empty body (%j) with 400 invalid_json', async (body) => {
    await expectError(await postJson('/api/api-keys', key, body, adminEnv), 400, 'invalid_json', 'empty');
  });

  it.each([
    ['an array', '[{"name":"ci"}]'],
    ['null', 'null'],
    ['a string', '"ci"'],
  ])('refuses %s with 422 validation_error', async (_, body) => {
    await expectError(await postJson('/api/api-keys', key, body, adminEnv), 422, 'validation_error');
  });

  it('refuses a body without name with 422 missing_required_field naming it', async () => {
    await expectError(
      await postJson('/api/api-keys', key, { permission: 'full_access' }, adminEnv),
      422,
      'missing_required_field',
      'name',
    );
  });

  it('refuses an unknown field with 422 invalid_parameter naming it', async () => {
    await expectError(
      await postJson('/api/api-keys', key, { name: 'ci', scopes: ['emails'] }, adminEnv),
      422,
      'invalid_parameter',
      'scopes',
    );
  });

  it.each([
    ['an unknown permission', { name: 'ci', permission: 'admin' }, 'permission'],
    ['a name of the wrong type', { name: 42 }, 'name'],
    ['a blank name', { name: '   ' }, 'name'],
    ['a name over 50 characters', { name: 'n'.repeat(51) }, 'name'],
    ['a domain_id that is not an id', { name: 'ci', domain_id: 'example.com' }, 'domain_id'],
  ])('refuses %s with 422 invalid_parameter', async (_, body, field) => {
    await expectError(await postJson('/api/api-keys', key, body, adminEnv), 422, 'invalid_parameter', field);
  });

  describe('over MAX_BODY_BYTES', () => {
    let smallEnv: Env;
    // Valid JSON, padded with whitespace past the limit.
    const oversized = `{"name":"ci"}${' '.repeat(2048)}`;

    beforeAll(() => {
      smallEnv = { ...adminEnv, MAX_BODY_BYTES: '1024' };
    });

    it('refuses a body with an honest Content-Length with 413 payload_too_large', async () => {
      const response = await postJson('/api/api-keys', key, oversized, smallEnv, {
        'content-length': String(oversized.length),
      });
      await expectError(response, 413, 'payload_too_large', '1024');
    });

    it('refuses a streamed body without Content-Length once it passes the limit', async () => {
      const chunk = new TextEncoder().encode(' '.repeat(256));
      let pulled = 0;
      // Far more than the limit: the gateway must stop reading, not buffer it all.
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulled >= 4 * 1024 * 1024) return controller.close();
          pulled += chunk.byteLength;
          controller.enqueue(chunk);
        },
      });
      const response = await call(
        '/api/api-keys',
        { method: 'POST', key, headers: { 'content-type': 'application/json' }, body },
        smallEnv,
      );
      await expectError(response, 413, 'payload_too_large');
      expect(pulled).toBeLessThan(1024 * 1024);
    });

    it('accepts a body just under the limit', async () => {
      const padded = `{"name":"ci"}${' '.repeat(1000)}`;
      const response = await postJson('/api/api-keys', key, padded, smallEnv);
      expect(response.status).toBe(201);
      expect(admin.createApiKey).toHaveBeenCalledTimes(1);
      admin.createApiKey.mockClear();
    });
  });
});

describe('a fault of ours', () => {
  it('becomes 500 internal_server_error without leaking the message, logged with the request id', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const admin = recordingAdmin();
    admin.listApiKeys.mockRejectedValueOnce(new Error('D1_ERROR: no such column: secret_sauce'));
    const response = await call(
      '/api/api-keys',
      { key, headers: { 'x-request-id': 'errors-fault-0001' } },
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain('secret_sauce');
    expect(text).not.toContain('D1_ERROR');
    expect(JSON.parse(text)).toMatchObject({
      statusCode: 500,
      name: 'internal_server_error',
      request_id: 'errors-fault-0001',
    });
    const log = logged.mock.calls.map((args) => args.join(' ')).join('\n');
    expect(log).toContain('errors-fault-0001');
    expect(log).toContain('secret_sauce');
  });
});
