// CSV import of contacts: accepting a file (and refusing bad ones without storing anything), the
// queue consumer's upsert with exact counts, the per-row error report, a redelivered chunk not
// counted twice, a re-import that changes nothing, and tenant isolation.
import type { Caller, ContactImportChunkMessage, QueueMessageBase } from '@mailgrid/contracts';
import { applyImportChunk, createDb } from '@mailgrid/db';
import { runQueue } from '@mailgrid/testing/queue';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import worker from '../src/index';
import { audience, realEnv, twoTenants } from './helpers';

const CSV = [
  'email,first_name,last_name,unsubscribed,plan,age,favourite_color',
  'new@example.com,New,Person,,pro,30,', // row 2: created
  'OLD@Example.com,Newer,,,,,', // row 3: updated (first name)
  'same@example.com,Same,,,,,', // row 4: unchanged
  'not-an-address,X,,,,,', // row 5: invalid_email
  'new@example.com,Dup,,,,,', // row 6: duplicate_email of row 2
  'age@example.com,,,,,thirty,', // row 7: invalid_property_type
  'color@example.com,,,,,,red', // row 8: unknown_property
  'unsub@example.com,,,maybe,,,', // row 9: invalid_value
  'short@example.com,too,few', // row 10: malformed_row
  'quoted@example.com,"Smith, Jr",,yes,basic,,', // row 11: created, unsubscribed
].join('\n');

const encode = (text: string) => new TextEncoder().encode(text);
let acme: Caller;
let globex: Caller;
let segmentId: string;

beforeEach(async () => {
  ({ acme, globex } = await twoTenants());
  const now = new Date().toISOString();
  segmentId = crypto.randomUUID();
  await realEnv.DB.batch([
    realEnv.DB.prepare(
      "INSERT INTO contact_properties (id, tenant_id, key, type, fallback_value, created_at) VALUES (?, ?, 'plan', 'string', NULL, ?), (?, ?, 'age', 'number', NULL, ?)",
    ).bind(crypto.randomUUID(), acme.tenant_id, now, crypto.randomUUID(), acme.tenant_id, now),
    realEnv.DB.prepare(
      "INSERT INTO segments (id, tenant_id, name, created_at) VALUES (?, ?, 'Imported', ?)",
    ).bind(segmentId, acme.tenant_id, now),
    realEnv.DB.prepare(
      "INSERT INTO contacts (id, tenant_id, email, first_name, last_name, unsubscribed, properties, created_at, updated_at) VALUES (?, ?, 'old@example.com', 'Old', 'Timer', 0, '{\"plan\":\"free\"}', ?, ?), (?, ?, 'same@example.com', 'Same', NULL, 0, '{}', ?, ?)",
    ).bind(crypto.randomUUID(), acme.tenant_id, now, now, crypto.randomUUID(), acme.tenant_id, now, now),
  ]);
});

/** Starts an import and returns its id and the chunk messages it queued. */
async function startImport(caller: Caller, csv: string, query: { segment_id?: string } = {}) {
  const sendBatch = vi.spyOn(realEnv.IMPORTS_QUEUE, 'sendBatch');
  try {
    const result = await audience.createContactImport(caller, encode(csv), query);
    if (!result.ok) throw new Error(result.error.message);
    const messages = sendBatch.mock.calls.flatMap(([batch]) =>
      [...batch].map((entry) => entry.body as ContactImportChunkMessage),
    );
    return { id: result.value.id, response: result.value, messages };
  } finally {
    sendBatch.mockRestore();
  }
}

function consume(messages: ContactImportChunkMessage[], queue = 'mailgrid-imports') {
  return runQueue<QueueMessageBase>(
    worker as never,
    queue,
    messages.map((body, index) => ({ id: `m${index}-${crypto.randomUUID()}`, body })),
  );
}

async function importOf(caller: Caller, id: string) {
  const result = await audience.getContactImport(caller, id);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

async function contact(tenantId: string, email: string) {
  return realEnv.DB.prepare('SELECT * FROM contacts WHERE tenant_id = ? AND email = ?')
    .bind(tenantId, email)
    .first<{
      first_name: string | null;
      last_name: string | null;
      unsubscribed: number;
      properties: string;
    }>();
}

async function count(sql: string, ...params: unknown[]) {
  return (
    (
      await realEnv.DB.prepare(sql)
        .bind(...params)
        .first<{ n: number }>()
    )?.n ?? 0
  );
}

describe('a CSV import', () => {
  it('upserts valid rows with exact counts and reports every failed row', async () => {
    const { id, response, messages } = await startImport(acme, CSV, { segment_id: segmentId });
    expect(response).toEqual({ object: 'contact_import', id, status: 'queued' });
    expect(messages).toHaveLength(1);
    const queued = await importOf(acme, id);
    expect(queued).toMatchObject({
      status: 'queued',
      total_rows: 10,
      processed: 0,
      unknown_columns: ['favourite_color'],
      segment_id: segmentId,
    });
    const stored = await realEnv.FILES.get(`imports/${acme.tenant_id}/${id}.csv`);
    expect(await stored?.text()).toBe(CSV);

    const result = await consume(messages);
    expect(result.retryMessages).toEqual([]);

    const done = await importOf(acme, id);
    expect(done).toMatchObject({
      status: 'completed',
      total_rows: 10,
      processed: 10,
      created: 2,
      updated: 1,
      unchanged: 1,
      failed: 6,
      error: null,
    });
    expect(done.started_at).not.toBeNull();
    expect(done.completed_at).not.toBeNull();

    expect(await contact(acme.tenant_id, 'new@example.com')).toMatchObject({
      first_name: 'New',
      last_name: 'Person',
      unsubscribed: 0,
      properties: '{"plan":"pro","age":30}',
    });
    // Given fields change; empty cells keep what was there (last name, the plan property).
    expect(await contact(acme.tenant_id, 'old@example.com')).toMatchObject({
      first_name: 'Newer',
      last_name: 'Timer',
      properties: '{"plan":"free"}',
    });
    expect(await contact(acme.tenant_id, 'quoted@example.com')).toMatchObject({
      first_name: 'Smith, Jr',
      unsubscribed: 1,
    });
    expect(await contact(acme.tenant_id, 'age@example.com')).toBeNull();
    expect(await count('SELECT count(*) AS n FROM contacts WHERE tenant_id = ?', acme.tenant_id)).toBe(4);
    expect(await count('SELECT count(*) AS n FROM segment_contacts WHERE segment_id = ?', segmentId)).toBe(4);

    const errors = await audience.listContactImportErrors(acme, id, { limit: 100 });
    expect(errors.ok && errors.value.data.map(({ row, email, reason }) => ({ row, email, reason }))).toEqual([
      { row: 5, email: 'not-an-address', reason: 'invalid_email' },
      { row: 6, email: 'new@example.com', reason: 'duplicate_email' },
      { row: 7, email: 'age@example.com', reason: 'invalid_property_type' },
      { row: 8, email: 'color@example.com', reason: 'unknown_property' },
      { row: 9, email: 'unsub@example.com', reason: 'invalid_value' },
      { row: 10, email: 'short@example.com', reason: 'malformed_row' },
    ]);
    expect(errors.ok && errors.value.data[1]?.message).toBe('the same address as row 2');
    expect(errors.ok && errors.value.data[3]?.message).toContain('"favourite_color"');

    // Paged by row number.
    const page = await audience.listContactImportErrors(acme, id, { limit: 2, after: 6 });
    expect(page.ok && page.value.has_more).toBe(true);
    expect(page.ok && page.value.data.map((error) => error.row)).toEqual([7, 8]);

    const audit = await realEnv.DB.prepare(
      'SELECT action, actor_type, summary FROM audit_log WHERE tenant_id = ? AND target_id = ? ORDER BY action',
    )
      .bind(acme.tenant_id, id)
      .all<{ action: string; actor_type: string; summary: string }>();
    expect(audit.results.map((entry) => [entry.action, entry.actor_type])).toEqual([
      ['contact_import.completed', 'system'],
      ['contact_import.created', 'api_key'],
    ]);
    expect(JSON.parse(audit.results[0]?.summary ?? '{}')).toEqual({
      total_rows: 10,
      created: 2,
      updated: 1,
      unchanged: 1,
      failed: 6,
    });
  });

  it('does not count or write a redelivered chunk twice', async () => {
    const { id, messages } = await startImport(acme, CSV);
    await consume(messages);
    const first = await importOf(acme, id);

    // Delivered again after it was recorded: skipped before any work.
    expect((await consume(messages)).retryMessages).toEqual([]);
    // Two deliveries racing past that check: the second batch's chunk insert fails, all of it rolls back.
    const again = await applyImportChunk(createDb(realEnv.DB), realEnv.DB, acme.tenant_id, {
      import_id: id,
      chunk: 0,
      rows: 10,
      segment_ids: [],
      topics: [],
      skip_existing: false,
      contacts: [
        {
          id: crypto.randomUUID(),
          email: 'late@example.com',
          first_name: null,
          last_name: null,
          unsubscribed: null,
          properties: {},
        },
      ],
      errors: [],
    });
    expect(again).toBe('already_done');
    expect(await importOf(acme, id)).toEqual(first);
    expect(await contact(acme.tenant_id, 'late@example.com')).toBeNull();
    expect(await count('SELECT count(*) AS n FROM contact_import_errors WHERE import_id = ?', id)).toBe(6);
    expect(
      await count(
        "SELECT count(*) AS n FROM audit_log WHERE target_id = ? AND action = 'contact_import.completed'",
        id,
      ),
    ).toBe(1);
  });

  it('changes nothing when the same file is imported again', async () => {
    const firstRun = await startImport(acme, CSV);
    await consume(firstRun.messages);
    const contactsBefore = await realEnv.DB.prepare(
      'SELECT email, first_name, last_name, unsubscribed, properties, updated_at FROM contacts WHERE tenant_id = ? ORDER BY email',
    )
      .bind(acme.tenant_id)
      .all();

    const secondRun = await startImport(acme, CSV);
    await consume(secondRun.messages);
    expect(await importOf(acme, secondRun.id)).toMatchObject({
      status: 'completed',
      created: 0,
      updated: 0,
      unchanged: 4,
      failed: 6,
    });
    const contactsAfter = await realEnv.DB.prepare(
      'SELECT email, first_name, last_name, unsubscribed, properties, updated_at FROM contacts WHERE tenant_id = ? ORDER BY email',
    )
      .bind(acme.tenant_id)
      .all();
    expect(contactsAfter.results).toEqual(contactsBefore.results);
  });

  it('never re-subscribes a contact who unsubscribed', async () => {
    const { id, messages } = await startImport(acme, 'email,unsubscribed\nquoted@example.com,yes\n');
    await consume(messages);
    const again = await startImport(acme, 'email,unsubscribed\nquoted@example.com,no\n');
    await consume(again.messages);
    expect(await importOf(acme, id)).toMatchObject({ created: 1 });
    expect(await importOf(acme, again.id)).toMatchObject({ updated: 0, unchanged: 1 });
    expect(await contact(acme.tenant_id, 'quoted@example.com')).toMatchObject({ unsubscribed: 1 });
  });

  it('splits a large file into chunks that complete in any order', async () => {
    const rows = Array.from({ length: 2500 }, (_, n) => `bulk${n}@example.com,Näme ${n}`);
    const { id, messages } = await startImport(acme, ['email,first_name', ...rows].join('\r\n'));
    expect(messages.map((message) => [message.first_row, message.rows])).toEqual([
      [2, 1000],
      [1002, 1000],
      [2002, 500],
    ]);
    await consume([...messages].reverse().slice(0, 2));
    expect(await importOf(acme, id)).toMatchObject({ status: 'processing', processed: 1500 });
    await consume([...messages].reverse().slice(2));
    expect(await importOf(acme, id)).toMatchObject({ status: 'completed', created: 2500, failed: 0 });
    expect(await contact(acme.tenant_id, 'bulk2499@example.com')).toMatchObject({ first_name: 'Näme 2499' });
  });

  it('refuses a file it cannot import, and stores nothing', async () => {
    const cases: [Uint8Array, string, string][] = [
      [encode(''), 'validation_error', 'empty'],
      [encode('name,phone\nAda,123\n'), 'validation_error', '"email" column'],
      [encode('email\n'), 'validation_error', 'no contacts'],
      [encode('email,Email\na@example.com,b@example.com\n'), 'validation_error', 'twice'],
      [new Uint8Array([0xff, 0xfe, 0x00, 0x41]), 'validation_error', 'not a CSV'],
    ];
    for (const [body, code, message] of cases) {
      const result = await audience.createContactImport(acme, body, {});
      expect(result).toMatchObject({ ok: false, error: { code } });
      expect(!result.ok && result.error.message).toContain(message);
    }
    const unknownSegment = await audience.createContactImport(acme, encode('email\na@example.com\n'), {
      segment_id: crypto.randomUUID(),
    });
    expect(unknownSegment).toMatchObject({ ok: false, error: { code: 'invalid_parameter' } });
    // Another tenant's segment is no segment of yours.
    const theirs = await audience.createContactImport(globex, encode('email\na@example.com\n'), {
      segment_id: segmentId,
    });
    expect(theirs).toMatchObject({ ok: false, error: { code: 'invalid_parameter' } });

    const listed = await realEnv.FILES.list({ prefix: `imports/${acme.tenant_id}/` });
    expect(listed.objects).toEqual([]);
    expect(await count('SELECT count(*) AS n FROM contact_imports WHERE tenant_id = ?', acme.tenant_id)).toBe(
      0,
    );
  });

  it("answers not_found for another tenant's import, and lists only the caller's", async () => {
    const { id } = await startImport(acme, CSV);
    expect(await audience.getContactImport(globex, id)).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await audience.listContactImportErrors(globex, id, { limit: 10 })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    const mine = await audience.listContactImports(acme, { limit: 20 });
    expect(mine.ok && mine.value.data.map((entry) => entry.id)).toEqual([id]);
    const theirs = await audience.listContactImports(globex, { limit: 20 });
    expect(theirs.ok && theirs.value.data).toEqual([]);
  });

  it('marks the import failed when a chunk is dead-lettered', async () => {
    const { id, messages } = await startImport(acme, CSV);
    expect((await consume(messages, 'mailgrid-imports-dlq')).retryMessages).toEqual([]);
    expect(await importOf(acme, id)).toMatchObject({ status: 'failed', processed: 0 });
    expect((await importOf(acme, id)).error).toContain('Rows 2-11');
    // A copy of the chunk still in the main queue does nothing to a failed import.
    await consume(messages);
    expect(await importOf(acme, id)).toMatchObject({ status: 'failed', processed: 0 });
  });
});
