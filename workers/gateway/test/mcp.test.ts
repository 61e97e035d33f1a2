// The MCP endpoint's tools are generated from the route table: every keyed route is a tool with a
// unique name (Resend's where resend-mcp has one), annotations, a self-contained input schema and a
// description in sections; /mcp speaks JSON-RPC over Streamable HTTP with the API's auth, and a
// tool call runs its route as the API would.
import { seedTenant } from '@mailgrid/testing/fixtures';
import * as v from 'valibot';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApi } from '../src/api/openapi';
import { route } from '../src/api/route';
import { routes } from '../src/api/table';
import { mcpTools } from '../src/mcp/endpoint';
import { fromOperationId } from '../src/mcp/names';
import { buildTools } from '../src/mcp/tools';
import { call, realEnv, recordingPeers, uniqueSlug } from './helpers';

let tenant: Awaited<ReturnType<typeof seedTenant>>;

beforeAll(async () => {
  // The server is loaded on the first /mcp request: load it here, not inside one test's 5 s.
  await import('../src/mcp/endpoint');
  tenant = await seedTenant(realEnv.DB, {
    slug: uniqueSlug('gw-mcp'),
    domain: 'mcp.example.test',
    rateLimit: { per_second: 1000, burst: 1000 },
  });
}, 60_000);

const tools = mcpTools();
const byName = new Map(tools.map((tool) => [tool.name, tool]));

describe('the generated tools', () => {
  it('are one per keyed API route, with unique names', () => {
    const keyed = routes.filter(
      (r) =>
        r.path.startsWith('/api/') &&
        ['sending_access', 'full_access'].includes(r.permission ?? 'full_access'),
    );
    expect(tools.length).toBe(keyed.length);
    expect(new Set(tools.map((tool) => tool.name)).size).toBe(tools.length);
    for (const tool of tools) expect(tool.name).toMatch(/^[a-z0-9][a-z0-9_-]{0,63}$/);
    // No operator, identity or public route is a tool.
    expect(tools.some((tool) => tool.plan.route.path.startsWith('/api/operator'))).toBe(false);
    expect(byName.has('accept-invitation')).toBe(false);
  });

  it("take Resend's MCP names where resend-mcp has the tool", () => {
    for (const [name, operationId] of [
      ['send-email', 'emails/send'],
      ['send-batch-emails', 'emails/send-batch'],
      ['list-emails', 'emails/list'],
      ['get-email', 'emails/get'],
      ['create-broadcast', 'broadcasts/create'],
      ['send-broadcast', 'broadcasts/send'],
      ['list-domains', 'domains/list'],
      ['create-contact', 'contacts/create'],
      ['remove-contact', 'contacts/delete'],
      ['add-contact-to-segment', 'contacts/add-segment'],
      ['list-api-keys', 'api-keys/list'],
    ] as const) {
      expect(byName.get(name)?.plan.route.operationId, name).toBe(operationId);
    }
    // Mailgrid's own resources are tools too.
    for (const name of ['list-streams', 'get-reputation', 'get-stats', 'list-audit-logs']) {
      expect(byName.has(name), name).toBe(true);
    }
  });

  it('name a route Resend has no tool for from its operationId', () => {
    expect(fromOperationId('streams/create')).toBe('create-stream');
    expect(fromOperationId('streams/list')).toBe('list-streams');
    expect(fromOperationId('files/delete')).toBe('remove-file');
    expect(fromOperationId('webhooks/list-deliveries')).toBe('list-webhook-deliveries');
    expect(fromOperationId('audit-logs/list')).toBe('list-audit-logs');
    expect(fromOperationId('contact-properties/get')).toBe('get-contact-property');
    // A route added to the table becomes a tool with no edit to the MCP code.
    const widget = route({
      operationId: 'widgets/list-parts',
      method: 'GET',
      path: '/api/widgets/:id/parts',
      params: { id: { schema: { type: 'string' }, expects: 'a widget id', parse: (value: string) => value } },
      summary: 'List the parts of a widget',
      response: v.pipe(
        v.object({ object: v.literal('list'), data: v.array(v.string()), has_more: v.boolean() }),
        v.title('PartList'),
      ),
      call: async () => ({ ok: true, value: { object: 'list', data: [], has_more: false } }),
    });
    const [tool] = buildTools([widget], buildOpenApi([widget]));
    expect(tool?.name).toBe('list-widget-parts');
    expect(tool?.inputSchema.required).toEqual(['id']);
    expect(tool?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
  });

  it('each carry annotations, a standalone object input schema and a description in sections', () => {
    for (const tool of tools) {
      const { annotations, inputSchema, description } = tool;
      expect(typeof annotations.readOnlyHint, tool.name).toBe('boolean');
      expect(typeof annotations.destructiveHint, tool.name).toBe('boolean');
      expect(annotations.readOnlyHint && annotations.destructiveHint, tool.name).toBe(false);
      expect(inputSchema.type, tool.name).toBe('object');
      const text = JSON.stringify(inputSchema);
      expect(text, tool.name).not.toContain('#/components/');
      const defs = (inputSchema.$defs ?? {}) as Record<string, unknown>;
      for (const [, ref] of text.matchAll(/"#\/\$defs\/([^"]+)"/g))
        expect(defs, `${tool.name}: ${ref}`).toHaveProperty(ref as string);
      expect(description, tool.name).toMatch(
        /^\*\*Purpose:\*\* .+\n\n\*\*NOT for:\*\* .+\n\n\*\*Returns:\*\* .+/s,
      );
    }
    expect(byName.get('list-emails')?.annotations.readOnlyHint).toBe(true);
    expect(byName.get('remove-contact')?.annotations.destructiveHint).toBe(true);
    expect(byName.get('cancel-broadcast')?.annotations.destructiveHint).toBe(true);
    expect(byName.get('send-email')?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      openWorldHint: true,
    });
  });

  it("take the route's own arguments: path, query and body fields side by side", () => {
    const send = byName.get('send-email');
    expect(send?.inputSchema.required).toEqual(expect.arrayContaining(['to']));
    expect(Object.keys(send?.inputSchema.properties as object)).toEqual(
      expect.arrayContaining(['from', 'to', 'subject', 'html', 'idempotency_key']),
    );
    const list = byName.get('list-contacts');
    expect(Object.keys(list?.inputSchema.properties as object)).toEqual(
      expect.arrayContaining(['limit', 'after']),
    );
    expect(byName.get('send-batch-emails')?.inputSchema.required).toEqual(['emails']);
  });
});

/** A JSON-RPC exchange with /mcp (the 2025 stateless transport, as most clients speak it today). */
async function rpc(key: string | undefined, method: string, params: object = {}, env = recordingPeers().env) {
  return call(
    '/mcp',
    {
      method: 'POST',
      key,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    },
    env,
  );
}

async function result<T>(response: Response): Promise<T> {
  const text = await response.text();
  // The stateless transport may answer as one SSE event.
  const json = text.startsWith('{') ? text : (/^data: (.*)$/m.exec(text)?.[1] ?? text);
  return (JSON.parse(json) as { result: T }).result;
}

describe('POST /mcp', () => {
  it('refuses a request without a key, 401 with the error envelope', async () => {
    const response = await rpc(undefined, 'tools/list');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ statusCode: 401, name: 'missing_api_key' });
  });

  it('initializes, and lists every tool to a full-access key', async () => {
    const init = await rpc(tenant.fullKey.token, 'initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'test', version: '1' },
    });
    expect(init.status).toBe(200);
    expect(await result(init)).toMatchObject({
      serverInfo: { name: 'mailgrid' },
      capabilities: { tools: {} },
    });
    const listed = await result<{ tools: { name: string }[] }>(await rpc(tenant.fullKey.token, 'tools/list'));
    // Every tool but the signed-in user's own (GET /users/me answers only a user's JWT).
    const forKeys = tools.filter((tool) => tool.name !== 'get-current-user');
    expect(listed.tools.map((tool) => tool.name).sort()).toEqual(forKeys.map((tool) => tool.name).sort());
  });

  it('lists only the sending tools to a sending-access key, and refuses it a management tool', async () => {
    const listed = await result<{ tools: { name: string }[] }>(
      await rpc(tenant.sendingKey.token, 'tools/list'),
    );
    const names = listed.tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['send-email', 'send-batch-emails']));
    expect(names).not.toContain('list-domains');
    const { calls, env } = recordingPeers();
    const refused = await result<{ isError: boolean; content: { text: string }[] }>(
      await rpc(tenant.sendingKey.token, 'tools/call', { name: 'list-domains', arguments: {} }, env),
    );
    expect(refused.isError).toBe(true);
    expect(JSON.parse(refused.content[0]?.text ?? '')).toMatchObject({
      statusCode: 403,
      name: 'restricted_api_key',
    });
    expect(calls).toEqual([]);
  });

  it('runs a tool as its route: the RPC call, paging arguments as the query', async () => {
    const { calls, env } = recordingPeers();
    const done = await result<{ isError?: boolean; content: { text: string }[] }>(
      await rpc(tenant.fullKey.token, 'tools/call', { name: 'list-contacts', arguments: { limit: 5 } }, env),
    );
    expect(done.isError).toBeUndefined();
    expect(JSON.parse(done.content[0]?.text ?? '')).toMatchObject({ object: 'list', data: [] });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[1]).toMatchObject({ limit: 5 });
  });

  it('answers invalid arguments as a tool error with the validation envelope, calling nothing', async () => {
    const { calls, env } = recordingPeers();
    const refused = await result<{ isError: boolean; content: { text: string }[] }>(
      await rpc(tenant.fullKey.token, 'tools/call', { name: 'get-email', arguments: { id: 'nope' } }, env),
    );
    expect(refused.isError).toBe(true);
    expect(JSON.parse(refused.content[0]?.text ?? '')).toMatchObject({ statusCode: 422 });
    const unknown = await result<{ isError: boolean; content: { text: string }[] }>(
      await rpc(
        tenant.fullKey.token,
        'tools/call',
        { name: 'list-domains', arguments: { colour: 'red' } },
        env,
      ),
    );
    expect(unknown.isError).toBe(true);
    expect(unknown.content[0]?.text).toContain('colour');
    expect(calls).toEqual([]);
  });

  it('takes one rate-limit token per tool call, none for initialize or tools/list', async () => {
    // 3 tokens, refilled at 1 a second: the calls below are done well within a second.
    const tight = await seedTenant(realEnv.DB, {
      slug: uniqueSlug('gw-mcp-tight'),
      domain: 'mcp-tight.example.test',
      rateLimit: { per_second: 1, burst: 3 },
    });
    const token = tight.fullKey.token;
    const init = await rpc(token, 'initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'test', version: '1' },
    });
    expect(init.status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await rpc(token, 'tools/list')).status).toBe(200);
    const listContacts = async () =>
      result<{ isError?: boolean; content: { text: string }[] }>(
        await rpc(token, 'tools/call', { name: 'list-contacts', arguments: {} }),
      );
    for (let i = 0; i < 3; i++) expect((await listContacts()).isError, `call ${i + 1}`).toBeUndefined();
    const refused = await listContacts();
    expect(refused.isError).toBe(true);
    expect(JSON.parse(refused.content[0]?.text ?? '')).toMatchObject({
      statusCode: 429,
      name: 'rate_limit_exceeded',
    });
  });

  it('is stateless: GET and DELETE are 405', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await call('/mcp', {
        method,
        key: tenant.fullKey.token,
        headers: { accept: 'text/event-stream' },
      });
      expect(response.status, method).toBe(405);
    }
  });
});
