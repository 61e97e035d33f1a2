// Broadcast fan-out in the send worker: the audience frozen into one row per recipient, each mailed
// once with its own merge values and unsubscribe link, whatever redelivers the steps; pause, resume,
// cancel and stale chains; the broadcast finished from counted rows.
import type { BroadcastQueueMessage } from '@mailgrid/contracts';
import { runQueue } from '@mailgrid/testing/queue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import worker from '../src/index';
import {
  decode,
  failure,
  newTenant,
  queueSpy,
  send,
  sesError,
  sesOk,
  sesStub,
  type Tenant,
  testEnv,
  value,
} from './helpers';

let tenant: Tenant;
let steps: { mock: { calls: unknown[][] } };

beforeEach(async () => {
  tenant = await newTenant();
  steps = vi.spyOn(testEnv.BROADCAST_QUEUE, 'send');
});

afterEach(() => {
  vi.restoreAllMocks();
});

const now = () => new Date().toISOString();

async function run(sql: string, ...params: unknown[]) {
  return testEnv.DB.prepare(sql)
    .bind(...params)
    .run();
}

/** A segment of contacts `a0@…` … (first_name Ada0 …); returns the segment id. */
async function segmentOf(
  count: number,
  extra: { suppressed?: number[]; unsubscribed?: number[]; prefix?: string } = {},
) {
  const segment = crypto.randomUUID();
  const prefix = extra.prefix ?? '';
  await run(
    'INSERT INTO segments (id, tenant_id, name, created_at) VALUES (?, ?, ?, ?)',
    segment,
    tenant.tenantId,
    's',
    now(),
  );
  for (let i = 0; i < count; i++) {
    const contact = crypto.randomUUID();
    const email = `a${i}@${prefix}people.test`;
    await run(
      `INSERT INTO contacts (id, tenant_id, email, first_name, unsubscribed, properties, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      contact,
      tenant.tenantId,
      email,
      i % 2 === 0 ? `Ada${i}` : null,
      extra.unsubscribed?.includes(i) ? 1 : 0,
      JSON.stringify({ plan: i % 3 === 0 ? 'pro' : null }),
      now(),
      now(),
    );
    await run(
      'INSERT INTO segment_contacts (tenant_id, segment_id, contact_id, created_at) VALUES (?, ?, ?, ?)',
      tenant.tenantId,
      segment,
      contact,
      now(),
    );
    if (extra.suppressed?.includes(i)) {
      await run(
        "INSERT INTO suppressions (tenant_id, email, reason, created_at) VALUES (?, ?, 'bounce', ?)",
        tenant.tenantId,
        email,
        now(),
      );
    }
  }
  await run(
    `INSERT INTO contact_properties (id, tenant_id, key, type, fallback_value, created_at)
     VALUES (?, ?, 'plan', 'string', '"free"', ?) ON CONFLICT DO NOTHING`,
    crypto.randomUUID(),
    tenant.tenantId,
    now(),
  );
  return segment;
}

/** A draft broadcast, as admin stores it. */
async function draft(segment: string, fields: Record<string, string | null> = {}) {
  const id = crypto.randomUUID();
  const row = {
    subject: 'Hi {{{contact.first_name|there}}}',
    html: '<p>Hello {{{FIRST_NAME|friend}}}, your plan: {{{contact.plan}}}</p>',
    text: null,
    ...fields,
  };
  await run(
    `INSERT INTO broadcasts (id, tenant_id, name, segment_id, from_address, subject, html, text, created_at, updated_at)
     VALUES (?, ?, 'Launch', ?, ?, ?, ?, ?, ?, ?)`,
    id,
    tenant.tenantId,
    segment,
    `News <news@${tenant.domain}>`,
    row.subject,
    row.html,
    row.text,
    now(),
    now(),
  );
  return id;
}

async function broadcastRow(id: string) {
  return testEnv.DB.prepare('SELECT * FROM broadcasts WHERE id = ?')
    .bind(id)
    .first<Record<string, unknown>>();
}

async function recipients(id: string) {
  const { results } = await testEnv.DB.prepare(
    'SELECT id, status, to_addresses, attempts FROM emails WHERE broadcast_id = ? ORDER BY to_addresses',
  )
    .bind(id)
    .all<{ id: string; status: string; to_addresses: string; attempts: number }>();
  return results;
}

/** The step messages the worker queued since `from`, in order. */
function queuedSteps(from = 0): BroadcastQueueMessage[] {
  return steps.mock.calls.slice(from).map((call) => call[0] as BroadcastQueueMessage);
}

let stepIds = 0;
async function runSteps(bodies: BroadcastQueueMessage[]) {
  return runQueue<BroadcastQueueMessage>(
    worker as never,
    'mailgrid-broadcasts',
    bodies.map((body) => ({ id: `step-${++stepIds}`, body })),
  );
}

/** Runs the chain to its end: each step queued is run (twice when `redeliver`), until none is left. */
async function drain(options: { redeliver?: boolean; rounds?: number } = {}) {
  let seen = 0;
  for (let round = 0; round < (options.rounds ?? 50); round++) {
    const pending = queuedSteps(seen);
    if (pending.length === 0) return;
    seen += pending.length;
    for (const step of pending) await runSteps(options.redeliver ? [step, step] : [step]);
  }
  if (options.rounds === undefined) throw new Error('the chain did not end');
}

describe('broadcast fan-out', () => {
  it('freezes the subscribed, unsuppressed audience and mails each contact once, personalised', async () => {
    const segment = await segmentOf(12, { suppressed: [3], unsubscribed: [5] });
    const id = await draft(segment);
    const ses = sesStub();
    value(await send.sendBroadcast(tenant.caller, id, null));
    expect((await broadcastRow(id))?.status).toBe('queued');
    await drain();

    const rows = await recipients(id);
    expect(rows).toHaveLength(11); // the unsubscribed contact is not a recipient at all
    expect(rows.filter((row) => row.status === 'suppressed').map((row) => row.to_addresses)).toEqual([
      '["a3@people.test"]',
    ]);
    expect(rows.filter((row) => row.status === 'sent')).toHaveLength(10);
    const to = ses.requests.map((request) => request.body.Destination.ToAddresses[0]).sort();
    expect(to).toEqual([...new Set(to)]);
    expect(to).toHaveLength(10);

    const ada = ses.requests.find((request) => request.body.Destination.ToAddresses[0] === 'a0@people.test');
    const eml = decode(ada?.raw ?? new Uint8Array());
    expect(eml).toContain('Subject: Hi Ada0');
    expect(eml).toMatch(/Hello Ada0, your plan: pro/);
    expect(eml).toMatch(/List-Unsubscribe:\s+<http[^>]+\/u\//);
    expect(eml).toMatch(/Unsubscribe: http[^\s]+\/u\//); // the text part says where, too
    expect(eml).toMatch(/href=3D"http[^"]+\/u\/[^"]+"/); // the appended unsubscribe link (quoted-printable)
    const nameless = ses.requests.find(
      (request) => request.body.Destination.ToAddresses[0] === 'a1@people.test',
    );
    const other = decode(nameless?.raw ?? new Uint8Array());
    expect(other).toContain('Subject: Hi there');
    expect(other).toMatch(/Hello friend, your plan: free/);
    expect(ada?.body.EmailTags).toEqual(
      expect.arrayContaining([{ Name: 'mailgrid_stream', Value: 'broadcast' }]),
    );

    const done = await broadcastRow(id);
    expect(done).toMatchObject({ status: 'sent', recipients: 10 });
    expect(done?.completed_at).toBeTruthy();
  });

  it('mails each recipient once when every step is delivered twice', async () => {
    const id = await draft(await segmentOf(30));
    const ses = sesStub();
    value(await send.sendBroadcast(tenant.caller, id, null));
    await drain({ redeliver: true });
    const to = ses.requests.map((request) => request.body.Destination.ToAddresses[0]);
    expect(to).toHaveLength(30);
    expect(new Set(to).size).toBe(30);
    expect((await broadcastRow(id))?.status).toBe('sent');
  });

  it('stops claiming when paused, continues with the rest on resume, and mails nobody twice', async () => {
    const id = await draft(await segmentOf(8));
    const ses = sesStub();
    value(await send.sendBroadcast(tenant.caller, id, null));
    const [freeze] = queuedSteps();
    await runSteps([freeze as BroadcastQueueMessage]); // the audience is frozen; dispatch is queued
    value(await send.pauseBroadcast(tenant.caller, id));
    await drain();
    expect(ses.requests).toHaveLength(0);
    expect((await broadcastRow(id))?.status).toBe('paused');

    value(await send.resumeBroadcast(tenant.caller, id));
    await drain();
    expect(ses.requests).toHaveLength(8);
    expect((await broadcastRow(id))?.status).toBe('sent');
  });

  it('cancels what has not gone out; a scheduled one goes back to draft and never sends', async () => {
    const id = await draft(await segmentOf(5));
    const ses = sesStub();
    value(await send.sendBroadcast(tenant.caller, id, null));
    await runSteps(queuedSteps()); // frozen, not dispatched
    value(await send.cancelBroadcast(tenant.caller, id));
    await drain();
    expect(ses.requests).toHaveLength(0);
    expect((await recipients(id)).map((row) => row.status)).toEqual(Array(5).fill('canceled'));
    expect((await broadcastRow(id))?.status).toBe('canceled');
    expect(failure(await send.resumeBroadcast(tenant.caller, id)).message).toMatch(/canceled/);

    const later = await draft(await segmentOf(3, { prefix: 'later.' }));
    const before = queuedSteps().length;
    value(await send.sendBroadcast(tenant.caller, later, 'in 1 hour'));
    const [scheduled] = queuedSteps(before);
    expect(scheduled?.step).toBe('freeze');
    expect((await broadcastRow(later))?.status).toBe('scheduled');
    value(await send.cancelBroadcast(tenant.caller, later));
    expect((await broadcastRow(later))?.status).toBe('draft');
    // Its time comes (the delayed message is delivered): the chain's token is gone, nothing happens.
    await runSteps([scheduled as BroadcastQueueMessage]);
    expect(await recipients(later)).toHaveLength(0);
  });

  it('hands an SES refusal worth retrying to the per-email queue, and finishes when it is sent', async () => {
    const id = await draft(await segmentOf(3));
    const sendQueue = queueSpy();
    sesStub(sesOk, sesError(500, 'internal'), sesOk);
    value(await send.sendBroadcast(tenant.caller, id, null));
    await drain({ rounds: 4 });
    const retried = (await recipients(id)).filter((row) => row.status === 'queued');
    expect(retried).toHaveLength(1);
    expect(retried[0]?.attempts).toBe(1);
    expect(sendQueue.enqueued().map((message) => message.body.email_id)).toEqual([retried[0]?.id]);
    // The chain waits for the retry rather than declaring the broadcast sent.
    expect((await broadcastRow(id))?.status).toBe('queued');
  });

  it("keeps to the broadcast's own rate_per_second", async () => {
    const id = await draft(await segmentOf(6, { prefix: 'capped.' }));
    await run('UPDATE broadcasts SET rate_per_second = 0.2 WHERE id = ?', id);
    const ses = sesStub();
    value(await send.sendBroadcast(tenant.caller, id, null));
    await runSteps(queuedSteps()); // freeze
    const [dispatch] = queuedSteps(1);
    await runSteps([dispatch as BroadcastQueueMessage]); // one 10 s step: one token at once, the next after 5 s
    expect(ses.requests.length).toBeGreaterThanOrEqual(1);
    expect(ses.requests.length).toBeLessThanOrEqual(3);
    expect((await broadcastRow(id))?.status).toBe('queued');
    // What the step claimed and had no token for when its time ran out is handed back, never tried.
    const rows = await recipients(id);
    expect(rows.filter((row) => row.status === 'sending')).toEqual([]);
    expect(rows.filter((row) => row.status === 'sent')).toHaveLength(ses.requests.length);
    expect(rows.filter((row) => row.status === 'queued').every((row) => row.attempts === 0)).toBe(true);
  }, 20_000);

  it('stops within about a second when paused mid-step, hands back what it claimed, and mails nobody twice', async () => {
    const id = await draft(await segmentOf(24, { prefix: 'midstep.' }));
    // 4/s: each claim takes 4 rows, which then wait for tokens.
    await run('UPDATE broadcasts SET rate_per_second = 4 WHERE id = ?', id);
    const ses = sesStub();
    value(await send.sendBroadcast(tenant.caller, id, null));
    await runSteps(queuedSteps()); // freeze
    const [dispatch] = queuedSteps(1);
    const started = Date.now();
    const step = runSteps([dispatch as BroadcastQueueMessage]);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    value(await send.pauseBroadcast(tenant.caller, id));
    const pausedAt = ses.requests.length;
    await step;
    // The step noticed within a second or so (a 10 s step would have sent about 40).
    expect(Date.now() - started).toBeLessThan(5000);
    expect(ses.requests.length - pausedAt).toBeLessThanOrEqual(6);
    const rows = await recipients(id);
    expect(rows.filter((row) => row.status === 'sending')).toEqual([]);
    expect(rows.filter((row) => row.status === 'sent')).toHaveLength(ses.requests.length);
    expect(rows.filter((row) => row.status === 'queued').every((row) => row.attempts === 0)).toBe(true);
    expect((await broadcastRow(id))?.status).toBe('paused');

    value(await send.resumeBroadcast(tenant.caller, id));
    await drain();
    const to = ses.requests.map((request) => request.body.Destination.ToAddresses[0]);
    expect(to).toHaveLength(24);
    expect(new Set(to).size).toBe(24);
    expect((await broadcastRow(id))?.status).toBe('sent');
  }, 30_000);

  it('refuses to send what cannot be delivered, and changes nothing', async () => {
    const segment = await segmentOf(1);
    const unverified = await draft(segment);
    await run('UPDATE broadcasts SET from_address = ? WHERE id = ?', 'x@elsewhere.test', unverified);
    expect(failure(await send.sendBroadcast(tenant.caller, unverified, null)).message).toMatch(
      /not verified/,
    );
    const badTag = await draft(segment, { subject: 'Hi {{{contact.first name}}}' });
    expect(failure(await send.sendBroadcast(tenant.caller, badTag, null)).code).toBe('validation_error');
    const past = await draft(segment);
    expect(failure(await send.sendBroadcast(tenant.caller, past, '2020-01-01T00:00:00Z')).message).toMatch(
      /future/,
    );
    for (const id of [unverified, badTag, past]) expect((await broadcastRow(id))?.status).toBe('draft');
    expect(queuedSteps()).toHaveLength(0);
    const other = await newTenant();
    expect(failure(await send.sendBroadcast(other.caller, past, null)).code).toBe('not_found');
  });
});
