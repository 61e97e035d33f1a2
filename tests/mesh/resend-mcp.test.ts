// Resend's own MCP server against Mailgrid: the unmodified `resend-mcp` package (2.22), started over
// stdio as an MCP client would start it, with a Mailgrid key as RESEND_API_KEY and RESEND_BASE_URL
// pointed at the mesh's /api (the `resend` SDK inside it reads that variable). Its tools call the
// API as Resend's SDK does, so a tool that fails here is a compatibility bug in Mailgrid's API.
//
// Left out: resend-mcp's tools for what Mailgrid does not have (automations, received emails,
// events, OAuth grants, the visual editor), and the tools whose API is being built elsewhere right
// now (marked `todo` below, each naming its gap).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mesh } from './client';
import { delivered, sesRecords } from './mail';

const { mcp } = mesh;
const from = 'Resend MCP <resend-mcp@mcp.mesh.test>';
const unique = (label: string) => `${label}-${crypto.randomUUID().slice(0, 8)}`;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const server = fileURLToPath(new URL('./node_modules/resend-mcp/dist/index.js', import.meta.url));
// resend-mcp loads a .env from its working directory: an empty folder, so only what is given here counts.
const cwd = mkdtempSync(join(tmpdir(), 'resend-mcp-'));

let client: Client;
let stderr = '';

beforeAll(async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [server],
    cwd,
    env: {
      ...getDefaultEnvironment(),
      RESEND_API_KEY: mcp.full.token,
      RESEND_BASE_URL: `${mesh.url}/api`,
    },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  client = new Client({ name: 'mailgrid-resend-mcp-test', version: '1.0.0' });
  await client.connect(transport);
});

afterAll(async () => {
  await client?.close();
  rmSync(cwd, { recursive: true, force: true });
});

/** Calls a resend-mcp tool; its text, or the test fails with resend-mcp's error (our envelope inside). */
async function run(name: string, args: Record<string, unknown> = {}): Promise<string> {
  const result = (await client.callTool({ name, arguments: args })) as {
    content: { type: string; text?: string }[];
    isError?: boolean;
  };
  const text = result.content.map((part) => part.text ?? '').join('\n');
  expect(result.isError, `${name} ${JSON.stringify(args)}: ${text}\n${stderr.slice(-2000)}`).toBeFalsy();
  return text;
}

function idIn(text: string): string {
  const id = /ID: ([0-9a-f-]{36})/i.exec(text)?.[1] ?? UUID.exec(text)?.[0];
  if (!id) throw new Error(`no id in: ${text}`);
  return id;
}

const ids: Record<string, string> = {};
const contactEmail = `${unique('resend-mcp')}@example.test`;

describe('resend-mcp (unmodified) against Mailgrid', () => {
  it('starts and lists its tools', async () => {
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(
      expect.arrayContaining(['send-email', 'create-broadcast', 'send-broadcast', 'list-domains']),
    );
  });

  it('creates a segment, a contact in it, a topic, a template and a contact property', async () => {
    ids.segment = idIn(await run('create-segment', { name: unique('rmcp-segment') }));
    ids.contact = idIn(
      await run('create-contact', {
        email: contactEmail,
        firstName: 'Grace',
        lastName: 'Hopper',
        segmentIds: [ids.segment],
      }),
    );
    ids.topic = idIn(
      await run('create-topic', { name: unique('rmcp-topic'), defaultSubscription: 'opt_in' }),
    );
    ids.template = idIn(
      await run('create-template', { name: unique('rmcp-template'), html: '<p>Hello</p>' }),
    );
    ids.property = idIn(
      await run('create-contact-property', { key: unique('plan').replace(/-/g, '_'), type: 'string' }),
    );
  });

  it('lists every resource', async () => {
    for (const name of [
      'list-domains',
      'list-emails',
      'list-broadcasts',
      'list-templates',
      'list-contacts',
      'list-contact-properties',
      'list-segments',
      'list-topics',
      'list-api-keys',
    ]) {
      await run(name);
    }
    expect(await run('list-contacts', { segmentId: ids.segment })).toContain(contactEmail);
    expect(await run('list-contact-segments', { contactId: ids.contact })).toContain(ids.segment);
    await run('list-contact-topics', { id: ids.contact });
  });

  it('gets each object it created, and the domain', async () => {
    const domains = await run('list-domains');
    ids.domain = idIn(domains);
    expect(await run('get-domain', { id: ids.domain })).toContain('mcp.mesh.test');
    expect(await run('get-segment', { id: ids.segment })).toContain(ids.segment);
    expect(await run('get-contact', { id: ids.contact })).toContain(contactEmail);
    expect(await run('get-contact', { email: contactEmail })).toContain(ids.contact);
    expect(await run('get-topic', { id: ids.topic })).toContain(ids.topic);
    expect(await run('get-template', { id: ids.template })).toContain(ids.template);
    await run('get-contact-property', { contactPropertyId: ids.property });
  });

  it('updates and removes through its tools', async () => {
    await run('update-contact', { id: ids.contact, firstName: 'Ada' });
    expect(await run('get-contact', { id: ids.contact })).toContain('Ada');
    await run('update-segment', { id: ids.segment, name: unique('rmcp-renamed') });
    await run('update-topic', { id: ids.topic, description: 'News, now and then' });
    await run('update-contact-topics', {
      id: ids.contact,
      topics: [{ id: ids.topic, subscription: 'opt_out' }],
    });
    await run('publish-template', { id: ids.template });
    const copy = idIn(await run('duplicate-template', { id: ids.template }));
    await run('remove-template', { id: copy });
  });

  it('sends an email, delivered to the local SES, and reads it back', async () => {
    const to = `${unique('rmcp-send')}@example.test`;
    const sent = await run('send-email', {
      from,
      to: [to],
      subject: 'Sent through resend-mcp',
      text: 'Hello from Resend’s MCP server.',
    });
    ids.email = idIn(sent);
    const { mail } = await delivered(ids.email);
    expect(mail.subject).toBe('Sent through resend-mcp');
    expect(await run('get-email', { id: ids.email })).toContain(to);
    expect(await run('list-emails')).toContain(ids.email);
  });

  it('sends a batch', async () => {
    const text = await run('send-batch-emails', {
      emails: [0, 1].map((n) => ({
        from,
        to: [`${unique(`rmcp-batch-${n}`)}@example.test`],
        subject: `Batch ${n}`,
        text: 'One of two.',
      })),
    });
    expect(text.match(new RegExp(UUID.source, 'gi'))?.length).toBe(2);
  });

  it('creates a broadcast to the segment and sends it', async () => {
    ids.broadcast = idIn(
      await run('create-broadcast', {
        name: unique('rmcp-broadcast'),
        segmentId: ids.segment,
        from,
        subject: 'News through resend-mcp',
        html: '<p>Hello {{{FIRST_NAME|there}}}</p>',
      }),
    );
    expect(await run('get-broadcast', { broadcastId: ids.broadcast })).toContain(ids.broadcast);
    await run('send-broadcast', { broadcastId: ids.broadcast });
    const deadline = Date.now() + 60_000;
    let mailed = false;
    while (!mailed && Date.now() < deadline) {
      const { records } = await sesRecords();
      mailed = records.some((record) =>
        record.destination.ToAddresses?.some((to) => to.includes(contactEmail)),
      );
      if (!mailed) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(mailed).toBe(true);
    await run('list-broadcast-recipients', { broadcastId: ids.broadcast, type: 'sent' });
    await run('list-broadcast-clicked-links', { broadcastId: ids.broadcast });
  });
  it("reports the API's refusal as a tool error carrying Mailgrid's envelope", async () => {
    const missing = crypto.randomUUID();
    const result = (await client.callTool({ name: 'get-domain', arguments: { id: missing } })) as {
      content: { text?: string }[];
      isError?: boolean;
    };
    expect(result.isError).toBe(true);
    const text = result.content.map((part) => part.text).join('\n');
    expect(text).toContain('"statusCode":404');
    expect(text).toContain('"name":"not_found"');
  });

  it('manages API keys', async () => {
    const id = idIn(await run('create-api-key', { name: unique('rmcp-key'), permission: 'sending_access' }));
    expect(await run('list-api-keys')).toContain(id);
    await run('update-api-key', { id, name: unique('rmcp-key-renamed') });
    await run('remove-api-key', { id });
  });

  it('manages a domain: create, update, verify, remove', async () => {
    const id = idIn(await run('create-domain', { name: `${unique('rmcp')}.example.test` }));
    await run('get-domain', { id });
    await run('update-domain', { id, openTracking: true, clickTracking: false });
    await run('verify-domain', { id });
    await run('remove-domain', { id });
  });

  it('schedules, reschedules and cancels an email', async () => {
    const at = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
    const id = idIn(
      await run('send-email', {
        from,
        to: [`${unique('rmcp-later')}@example.test`],
        subject: 'Later',
        text: 'Not yet.',
        scheduledAt: at(2),
      }),
    );
    await run('update-email', { id, scheduledAt: at(3) });
    await run('cancel-email', { id });
    expect(await run('get-email', { id })).toMatch(/cancel/i);
  });

  it('duplicates, edits, schedules, cancels and removes a broadcast', async () => {
    const copy = idIn(await run('duplicate-broadcast', { broadcastId: ids.broadcast }));
    await run('update-broadcast', { broadcastId: copy, subject: 'The copy' });
    await run('send-broadcast', {
      broadcastId: copy,
      scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    await run('cancel-broadcast', { broadcastId: copy });
    const draft = idIn(
      await run('create-broadcast', {
        name: unique('rmcp-draft'),
        segmentId: ids.segment,
        from,
        subject: 'Never sent',
        text: 'Draft.',
      }),
    );
    await run('remove-broadcast', { broadcastId: draft });
  });

  it('moves a contact between segments and removes what it made', async () => {
    const other = idIn(await run('create-segment', { name: unique('rmcp-other') }));
    await run('add-contact-to-segment', { contactId: ids.contact, segmentId: other });
    expect(await run('list-contact-segments', { email: contactEmail })).toContain(other);
    await run('remove-contact-from-segment', { email: contactEmail, segmentId: other });
    await run('remove-segment', { id: other });
    await run('update-contact-property', { contactPropertyId: ids.property, fallbackValue: 'free' });
    await run('remove-contact-property', { contactPropertyId: ids.property });
    const doomed = idIn(await run('create-contact', { email: `${unique('rmcp-doomed')}@example.test` }));
    await run('remove-contact', { id: doomed });
    await run('remove-topic', { id: ids.topic });
  });

  // The areas below are being built by other changes at the time of writing; each case states the
  // behaviour Resend's MCP server needs from the API.
  it('imports contacts from CSV text and reads the import back', async () => {
    const id = idIn(
      await run('create-contact-import', {
        content: `email,first_name\n${unique('rmcp-import')}@example.test,Imported\n`,
        segmentIds: [ids.segment],
      }),
    );
    expect(await run('get-contact-import', { id })).toContain(id);
    expect(await run('list-contact-imports')).toContain(id);
  });

  it('manages suppressions one by one and in batches', async () => {
    const email = `${unique('rmcp-suppressed')}@example.test`;
    await run('add-suppression', { email });
    expect(await run('list-suppressions')).toContain(email);
    await run('get-suppression', { idOrEmail: email });
    await run('remove-suppression', { idOrEmail: email });
    const batch = [0, 1].map((n) => `${unique(`rmcp-batch-suppressed-${n}`)}@example.test`);
    await run('batch-add-suppressions', { emails: batch });
    await run('batch-remove-suppressions', { emails: batch });
  });

  it('manages a webhook and reads its events', async () => {
    const webhookId = idIn(
      await run('create-webhook', {
        endpoint: 'https://hooks.example.test/resend-mcp',
        events: ['email.sent'],
      }),
    );
    expect(await run('list-webhooks')).toContain(webhookId);
    await run('get-webhook', { webhookId });
    await run('update-webhook', { webhookId, status: 'disabled' });
    await run('list-webhook-events', { webhookId });
    await run('rotate-webhook-signing-secret', { webhookId });
    await run('remove-webhook', { webhookId });
  });

  it('lists and gets request logs', async () => {
    const logId = idIn(await run('list-logs'));
    await run('get-log', { logId });
  });

  it("reads an email's attachments, metrics and shares it", async () => {
    await run('list-sent-email-attachments', { emailId: ids.email });
    await run('get-email-metrics');
    await run('share-email', { id: ids.email });
  });
});
