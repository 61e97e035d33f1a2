// The webhooks queue's batches: what one costs in D1 (issue 19: statements per email lifecycle), read
// from the worker's own cost line (the metered binding's counts for the whole queue batch) — one round
// trip that claims and reads every delivery, the POSTs, then one write round trip of multi-row
// statements, whatever the batch holds; a redelivered batch reads, finds every attempt made, and
// writes and sends nothing — and that D1 failing on either side of the POSTs sends nothing twice.
import type { WebhookDeliverMessage } from '@mailgrid/contracts';
import { runQueue } from '@mailgrid/testing/queue';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import worker from '../src/index';
import { newTenant, type Tenant, testEnv } from './helpers';

interface Usage {
  statements: number;
  round_trips: number;
  rows_read: number;
  rows_written: number;
}

let tenant: Tenant;
let log: MockInstance<typeof console.log>;
/** Each POST's webhook-id, in the order they were made. */
let received: string[];
/** The answer per endpoint path (default 200). */
let answers: Map<string, number>;
let queued: WebhookDeliverMessage[];

beforeEach(async () => {
  tenant = await newTenant();
  received = [];
  answers = new Map();
  queued = [];
  log = vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    received.push(request.headers.get('webhook-id') ?? '');
    const status = answers.get(new URL(request.url).pathname) ?? 200;
    return new Response(status === 200 ? 'ok' : 'nope', { status });
  });
  const collect = (bodies: WebhookDeliverMessage[]) => {
    queued.push(...bodies);
    return undefined as never;
  };
  vi.spyOn(testEnv.WEBHOOKS_QUEUE, 'send').mockImplementation(async (body) => collect([body]));
  vi.spyOn(testEnv.WEBHOOKS_QUEUE, 'sendBatch').mockImplementation(async (messages) =>
    collect([...messages].map((message) => message.body)),
  );
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function seedWebhook(path: string) {
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  await testEnv.DB.prepare(
    'INSERT INTO webhooks (id, tenant_id, endpoint, events, secret, created_at, updated_at) VALUES (?, ?, ?, \'["email.delivered"]\', ?, ?, ?)',
  )
    .bind(id, tenant.tenantId, `https://hooks.example.test${path}`, `whsec_${btoa('k'.repeat(32))}`, now, now)
    .run();
  return id;
}

/** `count` pending deliveries to the webhook, as the events consumer creates them. */
async function seedDeliveries(webhookId: string, count: number): Promise<string[]> {
  const now = new Date().toISOString();
  const ids = Array.from({ length: count }, () => `msg_${crypto.randomUUID().replaceAll('-', '')}`);
  await testEnv.DB.batch(
    ids.map((id) =>
      testEnv.DB.prepare(
        `INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, event_id, type, payload, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, 'email.delivered', '{"type":"email.delivered","data":{}}', ?, ?)`,
      ).bind(id, tenant.tenantId, webhookId, crypto.randomUUID(), now, now),
    ),
  );
  return ids;
}

const message = (deliveryId: string): WebhookDeliverMessage => ({
  kind: 'webhook.deliver',
  tenant_id: tenant.tenantId,
  delivery_id: deliveryId,
  retry: 0,
  attempts: 0,
});

let batches = 0;

/** Runs one webhooks queue batch and returns the D1 usage its cost line reports (and what was retried). */
async function deliverBatch(
  bodies: WebhookDeliverMessage[],
  envOverrides?: Record<string, unknown>,
): Promise<Usage & { retried: (number | undefined)[] }> {
  log.mockClear();
  const result = await runQueue<WebhookDeliverMessage>(
    worker as never,
    'mailgrid-webhooks',
    bodies.map((body, n) => ({ id: `cost-${++batches}-${n}`, body })),
    envOverrides,
  );
  const lines = log.mock.calls
    .map(([text]) => String(text))
    .filter((text) => text.includes('"event":"cost"'));
  expect(lines).toHaveLength(1);
  const { d1 } = JSON.parse(lines[0] as string) as { d1: Usage };
  return { ...d1, retried: result.retryMessages.map((retried) => retried.delaySeconds) };
}

/** The test's D1, whose `batch()` number `failing` (counted from 1) fails as a D1 outage would. */
function failingBatch(failing: number): D1Database {
  let batches = 0;
  return new Proxy(testEnv.DB, {
    get(target, property) {
      if (property === 'batch') {
        return async (statements: D1PreparedStatement[]) => {
          if (++batches === failing) throw new Error('D1_ERROR: simulated outage');
          return target.batch(statements);
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function statuses(ids: string[]) {
  const { results } = await testEnv.DB.prepare(
    `SELECT d.id, d.status, d.attempts, (SELECT count(*) FROM webhook_attempts AS a WHERE a.delivery_id = d.id) AS logged
     FROM webhook_deliveries AS d WHERE d.id IN (SELECT value FROM json_each(?))`,
  )
    .bind(JSON.stringify(ids))
    .all<{ id: string; status: string; attempts: number; logged: number }>();
  return new Map(results.map((row) => [row.id, row]));
}

describe('a batch of 10 deliveries', () => {
  it('makes 2 D1 round trips and 5 statements, and writes 3 rows per delivered delivery', async () => {
    const ids = await seedDeliveries(await seedWebhook('/ok'), 10);

    const d1 = await deliverBatch(ids.map(message));
    console.info(`webhook batch of 10, all delivered: ${JSON.stringify(d1)}`);

    expect(received.sort()).toEqual([...ids].sort());
    // Claim-and-read (the deliveries with their webhook, two claims), then the attempts and the moves.
    expect(d1).toMatchObject({ round_trips: 2, statements: 5 });
    // Per delivery: its claim (attempts), its attempt row and its move to delivered.
    expect(d1.rows_written).toBe(3 * ids.length);
    const after = await statuses(ids);
    for (const id of ids)
      expect(after.get(id)).toMatchObject({ status: 'delivered', attempts: 1, logged: 1 });
    expect(queued).toEqual([]);
  });

  it('makes 2 round trips with the three outcomes mixed, one more statement for the webhook a 410 disables', async () => {
    const ok = await seedDeliveries(await seedWebhook('/ok'), 7);
    answers.set('/failing', 500);
    const failing = await seedDeliveries(await seedWebhook('/failing'), 2);
    answers.set('/gone', 410);
    const goneHook = await seedWebhook('/gone');
    const gone = await seedDeliveries(goneHook, 1);
    const all = [...ok, ...failing, ...gone];

    const d1 = await deliverBatch(all.map(message));
    console.info(`webhook batch of 10, mixed: ${JSON.stringify(d1)}`);

    expect(received.sort()).toEqual([...all].sort());
    expect(d1).toMatchObject({ round_trips: 2, statements: 6 });
    // A retry also moves its next_attempt_at (an index entry); the 410 also writes its webhook.
    expect(d1.rows_written).toBeLessThanOrEqual(3 * ok.length + 4 * failing.length + 4 * gone.length);
    const after = await statuses(all);
    for (const id of ok) expect(after.get(id)).toMatchObject({ status: 'delivered', attempts: 1, logged: 1 });
    for (const id of failing)
      expect(after.get(id)).toMatchObject({ status: 'pending', attempts: 1, logged: 1 });
    for (const id of gone) expect(after.get(id)).toMatchObject({ status: 'failed', attempts: 1, logged: 1 });
    const webhook = await testEnv.DB.prepare('SELECT status FROM webhooks WHERE id = ?')
      .bind(goneHook)
      .first();
    expect(webhook).toEqual({ status: 'disabled' });
    // The two retries, each at its place in the schedule.
    expect(queued.map((body) => body.delivery_id).sort()).toEqual([...failing].sort());
    expect(queued.every((body) => body.retry === 1 && body.attempts === 1)).toBe(true);
  });

  it('redelivered, reads once and POSTs, writes and queues nothing', async () => {
    answers.set('/failing', 500);
    const ids = await seedDeliveries(await seedWebhook('/failing'), 10);
    await deliverBatch(ids.map(message));
    received = [];
    queued = [];

    const d1 = await deliverBatch(ids.map(message));
    console.info(`webhook batch of 10, redelivered: ${JSON.stringify(d1)}`);

    expect(received).toEqual([]);
    expect(queued).toEqual([]);
    expect(d1.round_trips).toBe(1);
    expect(d1.rows_written).toBe(0);
  });

  it('sends once for a message twice in one batch', async () => {
    const [id] = (await seedDeliveries(await seedWebhook('/ok'), 1)) as [string];

    await deliverBatch([message(id), message(id), { ...message(id), attempts: undefined }]);

    expect(received).toEqual([id]);
    expect((await statuses([id])).get(id)).toMatchObject({ status: 'delivered', attempts: 1, logged: 1 });
  });
});

describe('when D1 fails', () => {
  it('before the POSTs: nothing is sent, and the batch runs again', async () => {
    const ids = await seedDeliveries(await seedWebhook('/ok'), 3);

    const failed = await deliverBatch(ids.map(message), { DB: failingBatch(1) });
    expect(received).toEqual([]);
    expect(failed.retried).toEqual([30, 30, 30]);

    await deliverBatch(ids.map(message));
    expect(received.sort()).toEqual([...ids].sort());
  });

  it('after the POSTs: each receiver got its POST once, and the messages run again to send nothing', async () => {
    const ids = await seedDeliveries(await seedWebhook('/ok'), 3);

    const failed = await deliverBatch(ids.map(message), { DB: failingBatch(2) });
    expect(received.sort()).toEqual([...ids].sort());
    expect(failed.retried).toEqual([30, 30, 30]);
    // The attempts stay claimed (nothing recorded): the sweeper takes them once they are stranded.
    const after = await statuses(ids);
    for (const id of ids) expect(after.get(id)).toMatchObject({ status: 'pending', attempts: 1, logged: 0 });

    received = [];
    const again = await deliverBatch(ids.map(message));
    expect(received).toEqual([]);
    expect(again.retried).toEqual([]);
    expect(again.rows_written).toBe(0);
  });
});
