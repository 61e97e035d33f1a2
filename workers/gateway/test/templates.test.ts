// The gateway's side of the Templates API: validation, the caller and input it passes on, and how it
// renders admin's answers. ADMIN is a recording stub; admin's own tests cover what it stores.
import type { Caller, MessagingRpc, RpcResult, TemplateObject } from '@mailgrid/contracts';
import { callerFor, seedTenant } from '@mailgrid/testing/fixtures';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../src/env';
import { call, postJson, realEnv, recordingAdmin, testEnv, uniqueSlug } from './helpers';

const TEMPLATE_ID = '7a1c2e3f-0000-4000-8000-000000000001';

/** recordingAdmin plus the template methods, answering like admin's MessagingService. */
function recordingTemplatesAdmin() {
  const answer = async (): Promise<RpcResult<{ object: 'template'; id: string }>> => ({
    ok: true,
    value: { object: 'template', id: TEMPLATE_ID },
  });
  return {
    ...recordingAdmin(),
    createTemplate: vi.fn<MessagingRpc['createTemplate']>(answer),
    getTemplate: vi.fn<MessagingRpc['getTemplate']>(
      async (): Promise<RpcResult<TemplateObject>> => ({ ok: true, value: templateObject() }),
    ),
    listTemplates: vi.fn<MessagingRpc['listTemplates']>(async () => ({
      ok: true,
      value: { object: 'list', has_more: false, data: [] },
    })),
    updateTemplate: vi.fn<MessagingRpc['updateTemplate']>(answer),
    publishTemplate: vi.fn<MessagingRpc['publishTemplate']>(answer),
    duplicateTemplate: vi.fn<MessagingRpc['duplicateTemplate']>(answer),
    deleteTemplate: vi.fn<MessagingRpc['deleteTemplate']>(async () => ({
      ok: true,
      value: { object: 'template', id: TEMPLATE_ID, deleted: true },
    })),
  };
}

function templateObject(): TemplateObject {
  return {
    object: 'template',
    id: TEMPLATE_ID,
    name: 'Welcome',
    alias: 'welcome',
    status: 'published',
    from: null,
    subject: 'Hi {{{NAME}}}',
    reply_to: null,
    html: '<p>Hi {{{NAME}}}</p>',
    text: null,
    variables: [{ key: 'NAME', type: 'string', fallback_value: 'there' }],
    published_at: '2026-01-01T00:00:00.000Z',
    has_unpublished_versions: false,
    current_version_id: '0b7c6a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d',
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
  };
}

let tenant: Awaited<ReturnType<typeof seedTenant>>;
let admin: ReturnType<typeof recordingTemplatesAdmin>;
let adminEnv: Env;

beforeAll(async () => {
  // Many requests from one tenant: a bucket large enough that the rate limit never answers instead.
  tenant = await seedTenant(realEnv.DB, {
    slug: uniqueSlug('gw-tpl'),
    domain: 'tpl.example.test',
    rateLimit: { per_second: 1000, burst: 1000 },
  });
});

beforeEach(() => {
  admin = recordingTemplatesAdmin();
  adminEnv = testEnv({ ADMIN: admin });
});

function expectedCaller(requestId: string): Caller {
  return callerFor(tenant.tenantId, tenant.fullKey, requestId);
}

function send(method: string, path: string, body?: unknown, key = tenant.fullKey.token) {
  return call(
    path,
    {
      method,
      key,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    },
    adminEnv,
  );
}

function templateCalls() {
  return [
    admin.createTemplate,
    admin.getTemplate,
    admin.listTemplates,
    admin.updateTemplate,
    admin.publishTemplate,
    admin.duplicateTemplate,
    admin.deleteTemplate,
  ].reduce((sum, fn) => sum + fn.mock.calls.length, 0);
}

const VALID = {
  name: 'Order confirmation',
  html: '<p>{{{PRODUCT}}}</p>',
  variables: [{ key: 'PRODUCT', type: 'string', fallback_value: 'item' }],
};

describe('POST /api/templates', () => {
  it('answers 201 { object, id } from admin, passing the validated input and the caller', async () => {
    const response = await postJson(
      '/api/templates',
      tenant.fullKey.token,
      {
        ...VALID,
        name: '  Order confirmation  ',
        alias: 'order-confirmation',
        reply_to: 'help@tpl.example.test',
      },
      adminEnv,
      { 'x-request-id': 'tpl-create-0001' },
    );
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ object: 'template', id: TEMPLATE_ID });
    expect(admin.createTemplate).toHaveBeenCalledTimes(1);
    expect(admin.createTemplate).toHaveBeenCalledWith(expectedCaller('tpl-create-0001'), {
      ...VALID,
      alias: 'order-confirmation',
      reply_to: 'help@tpl.example.test',
    });
  });

  it('accepts what the resend SDK sends, nulls for unset fields included', async () => {
    const body = {
      name: 'Welcome',
      subject: null,
      html: '<p>{{{N}}}</p>',
      text: null,
      alias: null,
      from: null,
      reply_to: ['a@tpl.example.test', 'b@tpl.example.test'],
      variables: [
        { key: 'N', type: 'number', fallback_value: 3 },
        { key: 'M', type: 'string', fallback_value: null },
      ],
    };
    const response = await postJson('/api/templates', tenant.fullKey.token, body, adminEnv);
    expect(response.status).toBe(201);
    expect(admin.createTemplate.mock.calls[0]?.[1]).toEqual(body);
  });

  it.each([
    ['no name', { html: '<p>x</p>' }, 422, 'missing_required_field', 'Missing required field: name.'],
    ['no html', { name: 'x' }, 422, 'missing_required_field', 'Missing required field: html.'],
    ['an empty name', { ...VALID, name: '   ' }, 422, 'invalid_parameter', 'name: must not be empty.'],
    ['an unknown field', { ...VALID, react: '<X />' }, 422, 'invalid_parameter', 'Unknown field: react.'],
    [
      'an alias that looks like an id',
      { ...VALID, alias: crypto.randomUUID() },
      422,
      'invalid_parameter',
      'alias: an alias must not look like a template id.',
    ],
    ['an alias with a space', { ...VALID, alias: 'a b' }, 422, 'invalid_parameter', /^alias: an alias is/],
    [
      'a variable type Mailgrid does not render',
      { ...VALID, variables: [{ key: 'X', type: 'boolean' }] },
      422,
      'invalid_parameter',
      "variables.0.type: type must be 'string' or 'number'.",
    ],
    [
      'a variable without a key',
      { ...VALID, variables: [{ type: 'string' }] },
      422,
      'missing_required_field',
      'Missing required field: variables.0.key.',
    ],
    [
      'more than 50 variables',
      { ...VALID, variables: Array.from({ length: 51 }, (_, i) => ({ key: `V${i}`, type: 'string' })) },
      422,
      'invalid_parameter',
      'variables: a template may declare at most 50 variables.',
    ],
    [
      'a reply_to that is not an address',
      { ...VALID, reply_to: 42 },
      422,
      'invalid_parameter',
      /^reply_to: /,
    ],
    ['an array body', [VALID], 422, 'validation_error', 'The request body must be a JSON object.'],
  ])('refuses %s before admin is asked', async (_label, body, status, name, message) => {
    const response = await postJson('/api/templates', tenant.fullKey.token, body, adminEnv);
    expect(response.status).toBe(status);
    const error = (await response.json()) as { name: string; message: string };
    expect(error.name).toBe(name);
    expect(error.message).toMatch(message);
    expect(templateCalls()).toBe(0);
  });

  it('refuses a body that is not JSON before admin is asked', async () => {
    const response = await call(
      '/api/templates',
      { method: 'POST', key: tenant.fullKey.token, headers: { 'content-type': 'text/plain' }, body: 'x' },
      adminEnv,
    );
    expect(response.status).toBe(415);
    expect(templateCalls()).toBe(0);
  });

  it.each([
    ['conflict', 409],
    ['invalid_parameter', 422],
  ] as const)("renders admin's %s as %i", async (code, status) => {
    admin.createTemplate.mockResolvedValueOnce({ ok: false, error: { code, message: 'from admin' } });
    const response = await postJson('/api/templates', tenant.fullKey.token, VALID, adminEnv);
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ statusCode: status, name: code, message: 'from admin' });
  });
});

describe('GET /api/templates', () => {
  it('passes limit, after and before on, and answers the list object', async () => {
    const after = crypto.randomUUID();
    const response = await call(
      `/api/templates?limit=2&after=${after}`,
      { key: tenant.fullKey.token, headers: { 'x-request-id': 'tpl-list-0001' } },
      adminEnv,
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ object: 'list', has_more: false, data: [] });
    expect(admin.listTemplates).toHaveBeenCalledWith(expectedCaller('tpl-list-0001'), { limit: 2, after });
  });

  it('defaults to 20', async () => {
    await call('/api/templates', { key: tenant.fullKey.token }, adminEnv);
    expect(admin.listTemplates.mock.calls[0]?.[1]).toEqual({ limit: 20 });
  });

  it.each(['limit=0', 'limit=101', 'limit=abc', 'after=not-an-id', 'before=welcome'])(
    'refuses %s before admin is asked',
    async (query) => {
      const response = await call(`/api/templates?${query}`, { key: tenant.fullKey.token }, adminEnv);
      expect(response.status).toBe(422);
      expect(templateCalls()).toBe(0);
    },
  );
});

describe('GET /api/templates/:id', () => {
  it.each([TEMPLATE_ID, 'welcome', 'order_confirmation.v2'])(
    'asks admin for %s and answers its object',
    async (ref) => {
      const response = await call(
        `/api/templates/${ref}`,
        { key: tenant.fullKey.token, headers: { 'x-request-id': 'tpl-get-00001' } },
        adminEnv,
      );
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(templateObject());
      expect(admin.getTemplate).toHaveBeenCalledWith(expectedCaller('tpl-get-00001'), ref);
    },
  );

  it.each(['a%20b', '-leading-dash', `${'x'.repeat(101)}`, '%7B%7Bx%7D%7D'])(
    'refuses the reference %s before admin is asked',
    async (ref) => {
      const response = await call(`/api/templates/${ref}`, { key: tenant.fullKey.token }, adminEnv);
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({
        name: 'invalid_parameter',
        message: 'Path parameter id must be a template id or alias.',
      });
      expect(templateCalls()).toBe(0);
    },
  );

  it("answers admin's not_found as 404", async () => {
    admin.getTemplate.mockResolvedValueOnce({
      ok: false,
      error: { code: 'not_found', message: 'Template nope not found.' },
    });
    const response = await call('/api/templates/nope', { key: tenant.fullKey.token }, adminEnv);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ statusCode: 404, name: 'not_found' });
  });
});

describe('PATCH /api/templates/:id', () => {
  it('passes the reference and the validated changes on, nulls included', async () => {
    const response = await send('PATCH', '/api/templates/welcome', {
      name: ' New ',
      text: null,
      alias: 'new-alias',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ object: 'template', id: TEMPLATE_ID });
    expect(admin.updateTemplate.mock.calls[0]?.slice(1)).toEqual([
      'welcome',
      { name: 'New', text: null, alias: 'new-alias' },
    ]);
  });

  it.each([
    ['an unknown field', { status: 'published' }],
    ['a null name', { name: null }],
    ['a null html', { html: null }],
    ['a bad variable', { variables: [{ key: 'X', type: 'date' }] }],
  ])('refuses %s before admin is asked', async (_label, body) => {
    const response = await send('PATCH', '/api/templates/welcome', body);
    expect(response.status).toBe(422);
    expect(templateCalls()).toBe(0);
  });

  it('refuses a bad reference before reading the body', async () => {
    const response = await send('PATCH', '/api/templates/a%20b', { name: 'x' });
    expect(response.status).toBe(422);
    expect(templateCalls()).toBe(0);
  });
});

describe('DELETE /api/templates/:id', () => {
  it("answers admin's deleted object", async () => {
    const response = await send('DELETE', '/api/templates/welcome');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ object: 'template', id: TEMPLATE_ID, deleted: true });
    expect(admin.deleteTemplate.mock.calls[0]?.[1]).toBe('welcome');
  });
});

describe('POST /api/templates/:id/publish and /duplicate', () => {
  it('publishes: 200 { object, id }', async () => {
    const response = await send('POST', `/api/templates/${TEMPLATE_ID}/publish`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ object: 'template', id: TEMPLATE_ID });
    expect(admin.publishTemplate.mock.calls[0]?.[1]).toBe(TEMPLATE_ID);
  });

  it('duplicates: 201 { object, id } of the copy', async () => {
    const response = await send('POST', '/api/templates/welcome/duplicate');
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ object: 'template', id: TEMPLATE_ID });
    expect(admin.duplicateTemplate.mock.calls[0]?.[1]).toBe('welcome');
  });
});

describe('permissions and methods', () => {
  it.each([
    ['POST', '/api/templates', VALID],
    ['GET', '/api/templates', undefined],
    ['GET', '/api/templates/welcome', undefined],
    ['PATCH', '/api/templates/welcome', { name: 'x' }],
    ['DELETE', '/api/templates/welcome', undefined],
    ['POST', '/api/templates/welcome/publish', undefined],
    ['POST', '/api/templates/welcome/duplicate', undefined],
  ])('refuses %s %s to a sending_access key with 403 before admin is asked', async (method, path, body) => {
    const response = await send(method, path, body, tenant.sendingKey.token);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ name: 'restricted_api_key' });
    expect(templateCalls()).toBe(0);
  });

  it('answers 405 with allow for another method on a template', async () => {
    const response = await send('PUT', '/api/templates/welcome', { name: 'x' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('DELETE, GET, PATCH');
    expect(templateCalls()).toBe(0);
  });
});
