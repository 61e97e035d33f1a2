// Mailgrid's own MCP endpoint (POST /mcp) through the whole mesh, with the official MCP SDK client
// over Streamable HTTP, as Claude Desktop (through mcp-remote) or any MCP client would connect: the
// tools are listed with Resend's names, every read tool answers, an email and a broadcast are sent
// and reach SES, and the API key's permission decides what may be listed and called.
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, errorOf, mesh } from './client';
import { delivered, sesRecords } from './mail';

const { mcp } = mesh;
const from = 'Agent <agent@mcp.mesh.test>';
const unique = (label: string) => `${label}-${crypto.randomUUID().slice(0, 8)}`;

interface ToolResult {
  content: { type: string; text: string }[];
  isError?: boolean;
}

async function connect(key: string): Promise<Client> {
  const client = new Client({ name: 'mailgrid-mesh-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${mesh.url}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${key}` } },
  });
  await client.connect(transport);
  return client;
}

let full: Client;
let sending: Client;

beforeAll(async () => {
  [full, sending] = await Promise.all([connect(mcp.full.token), connect(mcp.sending.token)]);
});

afterAll(async () => {
  await Promise.all([full?.close(), sending?.close()]);
});

async function callTool(client: Client, name: string, args: Record<string, unknown> = {}) {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

/** A tool's JSON answer; fails the test with the tool's error envelope when it is an error. */
async function value<T = Record<string, unknown>>(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
) {
  const result = await callTool(client, name, args);
  const text = result.content.map((part) => part.text).join('');
  expect(result.isError, `${name}: ${text}`).toBeFalsy();
  return JSON.parse(text) as T;
}

/** The README's Streamable HTTP client config, pointed at this mesh with the given key. */
function readmeConfig(key: string): { url: string; headers: Record<string, string> } {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /<!-- mcp-config -->\s*```json\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no <!-- mcp-config --> block');
  const server = (
    JSON.parse(block) as { mcpServers: Record<string, { url: string; headers: Record<string, string> }> }
  ).mcpServers.mailgrid;
  if (!server) throw new Error('the README config has no mailgrid server');
  return {
    url: server.url.replace('http://localhost:8787', mesh.url),
    headers: Object.fromEntries(
      Object.entries(server.headers).map(([name, value]) => [name, value.replace('mg_dev_your_key', key)]),
    ),
  };
}

describe('the MCP endpoint', () => {
  it("connects as the README's client config says", async () => {
    const { url, headers } = readmeConfig(mcp.full.token);
    const client = new Client({ name: 'readme', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
    expect(client.getServerVersion()?.name).toBe('mailgrid');
    expect((await client.listTools()).tools.length).toBeGreaterThan(50);
    await client.close();
  });

  it('refuses a client without a key: 401 with the error envelope', async () => {
    const response = await api('/mcp', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    expect(await errorOf(response)).toMatchObject({ statusCode: 401, name: 'missing_api_key' });
    await expect(connect('mg_dev_not-a-real-key')).rejects.toThrow(/401/);
  });

  it("lists every resource's tools under Resend's MCP names, each annotated", async () => {
    const { tools } = await full.listTools();
    const names = tools.map((tool) => tool.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of [
      'send-email',
      'send-batch-emails',
      'list-emails',
      'get-email',
      'create-broadcast',
      'send-broadcast',
      'list-broadcasts',
      'list-templates',
      'create-contact',
      'list-contacts',
      'list-contact-imports',
      'list-contact-properties',
      'list-segments',
      'list-topics',
      'list-domains',
      'list-api-keys',
      'list-webhooks',
      'list-suppressions',
      // Mailgrid's own.
      'list-streams',
      'get-reputation',
      'get-stats',
      'list-audit-logs',
    ]) {
      expect(names, name).toContain(name);
    }
    for (const tool of tools) {
      expect(tool.inputSchema.type, tool.name).toBe('object');
      expect(typeof tool.annotations?.readOnlyHint, tool.name).toBe('boolean');
      expect(typeof tool.annotations?.destructiveHint, tool.name).toBe('boolean');
      expect(tool.description, tool.name).toContain('**NOT for:**');
    }
  });

  it('answers every read tool that needs no argument', async () => {
    const { tools } = await full.listTools();
    const reads = tools.filter(
      (tool) => tool.annotations?.readOnlyHint && !tool.inputSchema.required?.length,
    );
    expect(reads.length).toBeGreaterThan(15);
    const failed: string[] = [];
    for (const tool of reads) {
      const result = await callTool(full, tool.name);
      if (result.isError) failed.push(`${tool.name}: ${result.content[0]?.text}`);
    }
    expect(failed).toEqual([]);
  });

  it('creates an audience and reads each object back through the get tools', async () => {
    const segment = await value<{ id: string }>(full, 'create-segment', { name: unique('mcp-segment') });
    const contact = await value<{ id: string }>(full, 'create-contact', {
      email: `${unique('reader')}@example.test`,
      first_name: 'Ada',
      segments: [{ id: segment.id }],
    });
    const topic = await value<{ id: string }>(full, 'create-topic', {
      name: unique('mcp-topic'),
      default_subscription: 'opt_in',
    });
    const template = await value<{ id: string }>(full, 'create-template', {
      name: unique('mcp-template'),
      html: '<p>Hello from a template</p>',
    });
    const [domain] = (await value<{ data: { id: string; name: string }[] }>(full, 'list-domains')).data;
    expect(domain?.name).toBe('mcp.mesh.test');

    expect(await value(full, 'get-segment', { id: segment.id })).toMatchObject({ id: segment.id });
    expect(await value(full, 'get-contact', { id: contact.id })).toMatchObject({ first_name: 'Ada' });
    expect(await value(full, 'get-topic', { id: topic.id })).toMatchObject({ id: topic.id });
    expect(await value(full, 'get-template', { id: template.id })).toMatchObject({ id: template.id });
    expect(await value(full, 'get-domain', { id: domain?.id })).toMatchObject({ name: 'mcp.mesh.test' });
    const members = await value<{ data: { id: string }[] }>(full, 'list-segment-contacts', {
      id: segment.id,
    });
    expect(members.data.map((member) => member.id)).toEqual([contact.id]);
    const pageOne = await value<{ data: unknown[]; has_more: boolean }>(full, 'list-contacts', { limit: 1 });
    expect(pageOne.data).toHaveLength(1);
  });

  it('sends an email with a sending-access key, delivered to SES', async () => {
    const to = `${unique('mcp-send')}@example.test`;
    const sent = await value<{ id: string }>(sending, 'send-email', {
      from,
      to: [to],
      subject: 'Sent by an agent',
      text: 'Hello from the MCP endpoint.',
      idempotency_key: unique('mcp-send'),
    });
    const { mail } = await delivered(sent.id);
    expect(mail.subject).toBe('Sent by an agent');
    expect(mail.text?.trim()).toBe('Hello from the MCP endpoint.');
    const read = await value<{ id: string; to: string[] }>(full, 'get-email', { id: sent.id });
    expect(read).toMatchObject({ id: sent.id, to: [to] });
  });

  it('sends a broadcast to a small segment: create-broadcast, then send-broadcast', async () => {
    const segment = await value<{ id: string }>(full, 'create-segment', { name: unique('mcp-news') });
    const addresses = [0, 1].map((n) => `${unique(`mcp-news-${n}`)}@example.test`);
    for (const email of addresses) {
      await value(full, 'create-contact', { email, segments: [{ id: segment.id }] });
    }
    const broadcast = await value<{ id: string }>(full, 'create-broadcast', {
      segment_id: segment.id,
      from,
      subject: 'News from the agent',
      html: '<p>Hello {{{FIRST_NAME|there}}}</p>',
      name: unique('mcp-broadcast'),
    });
    await value(full, 'send-broadcast', { id: broadcast.id });
    const deadline = Date.now() + 60_000;
    let mailed: string[] = [];
    while (Date.now() < deadline) {
      const { records } = await sesRecords();
      mailed = records
        .flatMap((record) => record.destination.ToAddresses ?? [])
        .filter((address) => addresses.some((expected) => address.includes(expected)));
      if (mailed.length >= addresses.length) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(mailed.length).toBe(addresses.length);
    const recipients = await value<{ data: { email: string }[] }>(full, 'list-broadcast-recipients', {
      id: broadcast.id,
      type: 'sent',
    });
    expect(recipients.data.map((recipient) => recipient.email).sort()).toEqual([...addresses].sort());
  });

  it('answers invalid arguments as a tool error carrying the 422 envelope', async () => {
    const result = await callTool(sending, 'send-email', { from, to: ['not an address'], subject: 'x' });
    expect(result.isError).toBe(true);
    expect(JSON.parse(result.content[0]?.text ?? '')).toMatchObject({ statusCode: 422 });
  });

  it("shows a sending-access key only the sending tools, and refuses it a management tool with the API's 403", async () => {
    const names = (await sending.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('send-email');
    expect(names).toContain('send-batch-emails');
    expect(names).not.toContain('list-domains');
    expect(names).not.toContain('create-api-key');
    const refused = await callTool(sending, 'list-domains');
    expect(refused.isError).toBe(true);
    expect(JSON.parse(refused.content[0]?.text ?? '')).toMatchObject({
      statusCode: 403,
      name: 'restricted_api_key',
    });
  });
});
