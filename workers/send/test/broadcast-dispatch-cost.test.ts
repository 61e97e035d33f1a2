// What a broadcast's fan-out costs in D1, read from the send worker's own log lines (`broadcast.step`
// and `broadcast.freeze`: the metered binding's counts, the lines the benchmark reads). A dispatch step
// claims recipients in chunks, reads the send settings once and writes outcomes together, so its
// statements do not grow with its recipients; and every statement finds rows by the broadcast's index
// or by id, so rows read per recipient stay flat however many other emails the tenant has waiting.
import type { BroadcastQueueMessage } from '@mailgrid/contracts';
import { claimRecipients, createDb, findBroadcast, releaseRecipients } from '@mailgrid/db';
import { runQueue } from '@mailgrid/testing/queue';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import worker from '../src/index';
import { newTenant, send, sesStub, type Tenant, testEnv, value } from './helpers';

interface Usage {
  statements: number;
  rows_read: number;
  rows_written: number;
}

let tenant: Tenant;
let steps: { mock: { calls: unknown[][] } };

beforeAll(async () => {
  tenant = await newTenant();
  // Another broadcast's 1,000 recipients frozen and waiting: a claim that looked recipients up by
  // the tenant or by status (rather than by the broadcast's index and by id) would read them all.
  const waiting = await broadcastTo(await audience(1000));
  const spy = vi.spyOn(testEnv.BROADCAST_QUEUE, 'send');
  value(await send.sendBroadcast(tenant.caller, waiting, null));
  await runStep(spy.mock.calls[0]?.[0] as BroadcastQueueMessage); // the freeze only
  spy.mockRestore();
});

beforeEach(() => {
  steps = vi.spyOn(testEnv.BROADCAST_QUEUE, 'send');
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** A segment of `count` new contacts, written in one batch. */
async function audience(count: number): Promise<string> {
  const segment = crypto.randomUUID();
  const now = new Date().toISOString();
  const contacts = Array.from({ length: count }, (_, i) => ({
    id: crypto.randomUUID(),
    email: `r${i}@${segment.slice(0, 8)}.cost.test`,
  }));
  await testEnv.DB.batch([
    testEnv.DB.prepare("INSERT INTO segments (id, tenant_id, name, created_at) VALUES (?, ?, 's', ?)").bind(
      segment,
      tenant.tenantId,
      now,
    ),
    testEnv.DB.prepare(
      `INSERT INTO contacts (id, tenant_id, email, unsubscribed, properties, created_at, updated_at)
       SELECT json_extract(value, '$.id'), ?, json_extract(value, '$.email'), 0, '{}', ?, ? FROM json_each(?)`,
    ).bind(tenant.tenantId, now, now, JSON.stringify(contacts)),
    testEnv.DB.prepare(
      `INSERT INTO segment_contacts (tenant_id, segment_id, contact_id, created_at)
       SELECT ?, ?, json_extract(value, '$.id'), ? FROM json_each(?)`,
    ).bind(tenant.tenantId, segment, now, JSON.stringify(contacts)),
  ]);
  return segment;
}

/** A draft broadcast to the segment, as admin stores it. */
async function broadcastTo(segment: string): Promise<string> {
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  await testEnv.DB.prepare(
    `INSERT INTO broadcasts (id, tenant_id, name, segment_id, from_address, subject, html, text, created_at, updated_at)
     VALUES (?, ?, 'Cost', ?, ?, 'Hi {{{contact.first_name|there}}}', '<p>Hello</p>', NULL, ?, ?)`,
  )
    .bind(id, tenant.tenantId, segment, `News <news@${tenant.domain}>`, now, now)
    .run();
  return id;
}

async function runStep(body: BroadcastQueueMessage) {
  await runQueue<BroadcastQueueMessage>(worker as never, 'mailgrid-broadcasts', [
    { id: crypto.randomUUID(), body },
  ]);
}

/** Sends a broadcast to `count` new contacts: its freeze step, then its first dispatch step, each logged. */
async function freezeAndDispatch(count: number) {
  const id = await broadcastTo(await audience(count));
  const ses = sesStub();
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  value(await send.sendBroadcast(tenant.caller, id, null));
  await runStep(steps.mock.calls[0]?.[0] as BroadcastQueueMessage); // freeze
  const dispatch = steps.mock.calls[1]?.[0] as BroadcastQueueMessage;
  expect(dispatch.step).toBe('dispatch');
  await runStep(dispatch);
  const lines = log.mock.calls
    .map(([text]) => String(text))
    .filter((text) => text.includes(id))
    .map((text) => JSON.parse(text) as { event: string; claimed?: number; d1: Usage });
  log.mockRestore();
  const one = (event: string) => {
    const found = lines.filter((line) => line.event === event);
    expect(found).toHaveLength(1);
    return found[0] as { claimed?: number; d1: Usage };
  };
  return { id, ses, freeze: one('broadcast.freeze'), step: one('broadcast.step') };
}

describe('broadcast fan-out cost in D1', () => {
  it.each([40, 250])(
    'a dispatch step of %i recipients runs a bounded number of statements',
    async (count) => {
      const { ses, freeze, step } = await freezeAndDispatch(count);
      // The whole audience went out in this one step, each recipient once.
      expect(step.claimed).toBe(count);
      expect(new Set(ses.requests.map((request) => request.body.Destination.ToAddresses[0])).size).toBe(
        count,
      );
      // Claims of up to 100 rows, the settings read once, the outcomes written together (one statement a
      // second or a hundred rows), the broadcast read once: about 10 whatever the audience (it was 2.3 per
      // recipient when each recipient had its own settings read and its own outcome write).
      expect(step.d1.statements).toBeLessThanOrEqual(12);
      // Flat per recipient (the claim and the outcome write each read a few index entries per row), not
      // growing with the 1,000 other recipients waiting in the tenant.
      expect(step.d1.rows_read / count).toBeLessThanOrEqual(16);
      // The freeze is metered too: one INSERT … SELECT per 1,000 contacts, its rows counted.
      expect(freeze.d1.statements).toBeLessThanOrEqual(8);
      expect(freeze.d1.rows_written).toBeGreaterThanOrEqual(count);
    },
  );

  it('hands back claimed recipients never given to SES: never-tried again, or canceled with the broadcast', async () => {
    const id = await broadcastTo(await audience(5));
    value(await send.sendBroadcast(tenant.caller, id, null));
    await runStep(steps.mock.calls[0]?.[0] as BroadcastQueueMessage); // freeze
    const db = createDb(testEnv.DB);
    const chain = (await findBroadcast(db, tenant.tenantId, id))?.dispatch_token as string;
    const claim = { chain, leaseMs: 60_000, now: new Date() };
    const rows = await claimRecipients(db, tenant.tenantId, id, { ...claim, token: 'step-1', limit: 3 });
    expect(rows).toHaveLength(3);
    // Another step's token changes nothing; this one's hands the rows back as they were.
    expect(await releaseRecipients(db, tenant.tenantId, id, 'step-2', [rows[0]?.id as string])).toBe(0);
    const ids = rows.map((row) => row.id);
    expect(await releaseRecipients(db, tenant.tenantId, id, 'step-1', ids.slice(0, 2))).toBe(2);
    const queued = await idsIn(id, 'queued');
    expect(queued).toHaveLength(4);
    expect(queued).toEqual(expect.arrayContaining(ids.slice(0, 2)));
    const again = await claimRecipients(db, tenant.tenantId, id, { ...claim, token: 'step-3', limit: 10 });
    expect(again.map((row) => row.id).sort()).toEqual(queued.sort());
    expect(again.every((row) => row.attempts === 1)).toBe(true);

    // Canceled meanwhile: the cancel left claimed rows to their step, which cancels what it hands back.
    value(await send.cancelBroadcast(tenant.caller, id));
    expect(await releaseRecipients(db, tenant.tenantId, id, 'step-3', [again[0]?.id as string])).toBe(1);
    expect(await idsIn(id, 'canceled')).toEqual([again[0]?.id]);
    expect(await idsIn(id, 'queued')).toEqual([]);
  });
});

async function idsIn(broadcastId: string, status: string): Promise<string[]> {
  const { results } = await testEnv.DB.prepare('SELECT id FROM emails WHERE broadcast_id = ? AND status = ?')
    .bind(broadcastId, status)
    .all<{ id: string }>();
  return results.map((row) => row.id);
}
