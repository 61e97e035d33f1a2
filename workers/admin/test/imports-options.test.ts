// Imports with Resend's options (the SDK's multipart form, decoded by the gateway): a column map
// naming the file's own columns (the rest ignored), on_conflict skip, several segments and topic
// choices for every imported contact, Resend's `counts`, and the options refused up front.
import type { Caller, ContactImportChunkMessage, ImportOptions, QueueMessageBase } from '@mailgrid/contracts';
import { runQueue } from '@mailgrid/testing/queue';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import worker from '../src/index';
import { audience, realEnv, twoTenants } from './helpers';

const encode = (text: string) => new TextEncoder().encode(text);
let acme: Caller;
let globex: Caller;
let vip: string;
let beta: string;
let news: string;

beforeEach(async () => {
  ({ acme, globex } = await twoTenants());
  const now = new Date().toISOString();
  [vip, beta, news] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  await realEnv.DB.batch([
    realEnv.DB.prepare(
      "INSERT INTO contact_properties (id, tenant_id, key, type, fallback_value, created_at) VALUES (?, ?, 'plan', 'string', NULL, ?)",
    ).bind(crypto.randomUUID(), acme.tenant_id, now),
    realEnv.DB.prepare(
      "INSERT INTO segments (id, tenant_id, name, created_at) VALUES (?, ?, 'VIP', ?), (?, ?, 'Beta', ?)",
    ).bind(vip, acme.tenant_id, now, beta, acme.tenant_id, now),
    realEnv.DB.prepare(
      "INSERT INTO topics (id, tenant_id, name, description, default_subscription, visibility, created_at, updated_at) VALUES (?, ?, 'News', NULL, 'opt_in', 'public', ?, ?)",
    ).bind(news, acme.tenant_id, now, now),
    realEnv.DB.prepare(
      "INSERT INTO contacts (id, tenant_id, email, first_name, last_name, unsubscribed, properties, created_at, updated_at) VALUES (?, ?, 'old@example.com', 'Old', NULL, 0, '{}', ?, ?)",
    ).bind(crypto.randomUUID(), acme.tenant_id, now, now),
  ]);
});

async function runImport(caller: Caller, csv: string, options: ImportOptions) {
  const sendBatch = vi.spyOn(realEnv.IMPORTS_QUEUE, 'sendBatch');
  try {
    const created = await audience.createContactImport(caller, encode(csv), {}, options);
    if (!created.ok) throw new Error(created.error.message);
    const messages = sendBatch.mock.calls.flatMap(([batch]) =>
      [...batch].map((entry) => entry.body as ContactImportChunkMessage),
    );
    const result = await runQueue<QueueMessageBase>(
      worker as never,
      'mailgrid-imports',
      messages.map((body, index) => ({ id: `m${index}-${crypto.randomUUID()}`, body })),
    );
    expect(result.retryMessages).toEqual([]);
    const read = await audience.getContactImport(caller, created.value.id);
    if (!read.ok) throw new Error(read.error.message);
    return read.value;
  } finally {
    sendBatch.mockRestore();
  }
}

async function contactOf(email: string) {
  return realEnv.DB.prepare(
    'SELECT id, first_name, last_name, properties FROM contacts WHERE tenant_id = ? AND email = ?',
  )
    .bind(acme.tenant_id, email)
    .first<{ id: string; first_name: string | null; last_name: string | null; properties: string }>();
}

async function segmentsOf(email: string): Promise<string[]> {
  const rows = await realEnv.DB.prepare(
    'SELECT s.segment_id FROM segment_contacts s JOIN contacts c ON c.id = s.contact_id WHERE c.tenant_id = ? AND c.email = ? ORDER BY s.segment_id',
  )
    .bind(acme.tenant_id, email)
    .all<{ segment_id: string }>();
  return rows.results.map((row) => row.segment_id);
}

async function topicsOf(email: string) {
  const rows = await realEnv.DB.prepare(
    'SELECT t.topic_id, t.subscription FROM contact_topics t JOIN contacts c ON c.id = t.contact_id WHERE c.tenant_id = ? AND c.email = ?',
  )
    .bind(acme.tenant_id, email)
    .all<{ topic_id: string; subscription: string }>();
  return rows.results;
}

describe('an import with a column map', () => {
  it("reads the columns the map names, ignores the others, and reports Resend's counts", async () => {
    const csv = [
      'E-mail,Given name,Tier,Notes',
      'ada@example.com,Ada,pro,met at a conference',
      'old@example.com,Older,,',
      'not-an-address,X,,',
    ].join('\n');
    const done = await runImport(acme, csv, {
      column_map: {
        email: 'e-mail',
        first_name: 'Given name',
        properties: { plan: { column: 'Tier', type: 'string' } },
      },
    });
    expect(done).toMatchObject({
      status: 'completed',
      unknown_columns: [],
      counts: { total: 3, created: 1, updated: 1, skipped: 0, failed: 1 },
      on_conflict: 'upsert',
    });
    expect(await contactOf('ada@example.com')).toMatchObject({
      first_name: 'Ada',
      properties: '{"plan":"pro"}',
    });
    expect(await contactOf('old@example.com')).toMatchObject({ first_name: 'Older' });
  });

  it('refuses a map that names a column the file lacks or a property not declared, storing nothing', async () => {
    const csv = 'email,Tier\nada@example.com,pro\n';
    const cases: [ImportOptions, string][] = [
      [{ column_map: { email: 'Mail' } }, '"Mail" column (column_map.email)'],
      [
        { column_map: { first_name: 'Name' } },
        'column_map.first_name: the CSV\'s header row has no column "Name"',
      ],
      [{ column_map: { properties: { tier: { column: 'Tier' } } } }, 'no contact property "tier"'],
      [
        { column_map: { properties: { plan: { column: 'Tier', type: 'number' } } } },
        'is a string, not a number',
      ],
      [{ column_map: { properties: { plan: { column: 'Plan' } } } }, 'no column "Plan"'],
      [{ segments: [{ id: crypto.randomUUID() }] }, 'segments[0].id: no segment'],
      [{ topics: [{ id: crypto.randomUUID(), subscription: 'opt_in' }] }, 'topics[0].id: no topic'],
    ];
    for (const [options, message] of cases) {
      const result = await audience.createContactImport(acme, encode(csv), {}, options);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error.message).toContain(message);
    }
    // Another tenant's segment is no segment of theirs.
    const theirs = await audience.createContactImport(globex, encode(csv), {}, { segments: [{ id: vip }] });
    expect(!theirs.ok && theirs.error.message).toContain('no segment');
    const listed = await realEnv.FILES.list({ prefix: `imports/${acme.tenant_id}/` });
    expect(listed.objects).toEqual([]);
  });
});

describe('segments, topics and on_conflict', () => {
  it('adds every contact to each segment and sets the topic choices (upsert)', async () => {
    const done = await runImport(acme, 'email\nada@example.com\nold@example.com\n', {
      segments: [{ id: vip }, { id: beta }],
      topics: [{ id: news, subscription: 'opt_out' }],
    });
    expect(done).toMatchObject({
      segments: [{ id: vip }, { id: beta }],
      topics: [{ id: news, subscription: 'opt_out' }],
      counts: { total: 2, created: 1, skipped: 1 },
    });
    for (const email of ['ada@example.com', 'old@example.com']) {
      expect(await segmentsOf(email)).toEqual([vip, beta].sort());
      expect(await topicsOf(email)).toEqual([{ topic_id: news, subscription: 'opt_out' }]);
    }
  });

  it('skip leaves existing contacts as they were, segments and topics included', async () => {
    const done = await runImport(acme, 'email,first_name\nada@example.com,Ada\nold@example.com,Changed\n', {
      on_conflict: 'skip',
      segments: [{ id: vip }],
      topics: [{ id: news, subscription: 'opt_in' }],
    });
    expect(done).toMatchObject({
      on_conflict: 'skip',
      counts: { total: 2, created: 1, updated: 0, skipped: 1, failed: 0 },
    });
    expect(await contactOf('old@example.com')).toMatchObject({ first_name: 'Old' });
    expect(await segmentsOf('old@example.com')).toEqual([]);
    expect(await topicsOf('old@example.com')).toEqual([]);
    expect(await segmentsOf('ada@example.com')).toEqual([vip]);
    expect(await topicsOf('ada@example.com')).toEqual([{ topic_id: news, subscription: 'opt_in' }]);
  });
});
