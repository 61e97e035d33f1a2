// The webhook sweeper (run by the gateway's recovery cron through EventsService.recover): a pending delivery whose queue message was lost is queued again, as
// the deliverer's own message, and reaches its receiver once; nothing else is swept. However the
// swept messages, a second sweep's and the original (turning up after all) meet, one POST is made
// per attempt. Deliveries are written straight to D1 with the ages a test needs; the receiver is a
// spy on fetch; WEBHOOKS_QUEUE is detached, and a spy on it shows what was queued.
import { exports } from 'cloudflare:workers';
import type { EventsRpc, WebhookDeliverMessage } from '@mailgrid/contracts';
import { runQueue } from '@mailgrid/testing/queue';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import worker from '../src/index';
import { RETRY_DELAYS } from '../src/webhooks/deliver';
import { SWEEP_LIMIT, sweepStrandedDeliveries } from '../src/webhooks/sweeper';
import { newTenant, type Tenant, testEnv } from './helpers';

/** WEBHOOK_STRANDED_AFTER_SECONDS's default. */
const STRANDED_AFTER_MS = 600_000;

let tenant: Tenant;
let received: { url: string; webhookId: string | null }[];
/** The receiver's answers, in order; the last one repeats. */
let answers: number[];
/** Runs inside the receiver, while an attempt's POST is under way. */
let duringPost: (() => Promise<void>) | undefined;
let logged: MockInstance<typeof console.log>;

beforeEach(async () => {
  tenant = await newTenant();
  received = [];
  answers = [200];
  duringPost = undefined;
  logged = vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    received.push({ url: request.url, webhookId: request.headers.get('webhook-id') });
    await duringPost?.();
    const status = answers.length > 1 ? (answers.shift() as number) : (answers[0] as number);
    return new Response(status === 200 ? 'ok' : 'nope', { status });
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
/** Past due by more than the sweeper waits. */
const stranded = () => ago(STRANDED_AFTER_MS + 60_000);

async function seedWebhook(owner: Tenant) {
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  await testEnv.DB.prepare(
    'INSERT INTO webhooks (id, tenant_id, endpoint, events, secret, created_at, updated_at) VALUES (?, ?, ?, \'["email.delivered"]\', ?, ?, ?)',
  )
    .bind(id, owner.tenantId, `https://hooks.example.test/${id}`, `whsec_${btoa('k'.repeat(32))}`, now, now)
    .run();
  return id;
}

interface DeliveryState {
  status?: 'pending' | 'delivered' | 'failed';
  attempts?: number;
  next_attempt_at: string | null;
}

/** A delivery as the events consumer and the deliverer leave it, in the state given. */
function deliveryInsert(owner: Tenant, webhookId: string, state: DeliveryState) {
  const id = `msg_${crypto.randomUUID().replaceAll('-', '')}`;
  const statement = testEnv.DB.prepare(
    `INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, event_id, type, payload, status, attempts,
       next_attempt_at, created_at)
     VALUES (?, ?, ?, ?, 'email.delivered', '{"type":"email.delivered"}', ?, ?, ?, ?)`,
  ).bind(
    id,
    owner.tenantId,
    webhookId,
    crypto.randomUUID(),
    state.status ?? 'pending',
    state.attempts ?? 0,
    state.next_attempt_at,
    ago(2 * STRANDED_AFTER_MS),
  );
  return { id, statement };
}

async function seedDelivery(owner: Tenant, webhookId: string, state: DeliveryState): Promise<string> {
  const { id, statement } = deliveryInsert(owner, webhookId, state);
  await statement.run();
  return id;
}

async function deliveryRow(id: string) {
  return testEnv.DB.prepare(
    'SELECT status, attempts, next_attempt_at, last_status_code FROM webhook_deliveries WHERE id = ?',
  )
    .bind(id)
    .first<{ status: string; attempts: number; next_attempt_at: string | null; last_status_code: number }>();
}

async function attemptNumbers(id: string) {
  const { results } = await testEnv.DB.prepare(
    'SELECT attempt FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt',
  )
    .bind(id)
    .all<{ attempt: number }>();
  return results.map((row) => row.attempt);
}

async function setNextAttempt(id: string, at: string) {
  await testEnv.DB.prepare('UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?')
    .bind(at, id)
    .run();
}

/** What was put on WEBHOOKS_QUEUE since the spy was set: each message's body and delay, and each sendBatch's size. */
function queueSpy() {
  const single = vi.spyOn(testEnv.WEBHOOKS_QUEUE, 'send');
  const batch = vi.spyOn(testEnv.WEBHOOKS_QUEUE, 'sendBatch');
  const messages = () => [
    ...batch.mock.calls.flatMap(([sent]) =>
      [...sent].map((message) => ({ body: message.body, delaySeconds: message.delaySeconds })),
    ),
    ...single.mock.calls.map(([body, options]) => ({ body, delaySeconds: options?.delaySeconds })),
  ];
  return {
    messages,
    /** The bodies queued for this delivery. */
    for: (deliveryId: string) =>
      messages()
        .map((message) => message.body)
        .filter((body) => body.delivery_id === deliveryId),
    batchSizes: () => batch.mock.calls.map(([sent]) => [...sent].length),
  };
}

let queueMessages = 0;

/** Runs the deliverer on these messages as one batch (its messages handled at the same time). */
function deliver(bodies: WebhookDeliverMessage[]) {
  return runQueue<WebhookDeliverMessage>(
    worker as never,
    'mailgrid-webhooks',
    bodies.map((body) => ({ id: `sweep-${++queueMessages}`, body })),
  );
}

/** The message enqueue.ts / deliver.ts sent for this delivery at `attempts` (the one that was lost). */
function originalMessage(owner: Tenant, deliveryId: string, attempts = 0): WebhookDeliverMessage {
  return {
    kind: 'webhook.deliver',
    tenant_id: owner.tenantId,
    delivery_id: deliveryId,
    retry: attempts,
    attempts,
  };
}

describe('sweepStrandedDeliveries', () => {
  it('queues a pending delivery long past due again, as the deliverer’s message, and it is delivered once', async () => {
    const hook = await seedWebhook(tenant);
    const id = await seedDelivery(tenant, hook, { next_attempt_at: stranded() });
    const queue = queueSpy();
    const before = Date.now();

    const swept = await sweepStrandedDeliveries(testEnv);

    expect(swept).toBeGreaterThanOrEqual(1);
    expect(queue.for(id)).toEqual([originalMessage(tenant, id)]);
    // Taken: due now, so the next minute's sweep leaves it alone.
    expect(Date.parse((await deliveryRow(id))?.next_attempt_at ?? '')).toBeGreaterThanOrEqual(before - 1000);
    expect(logged).toHaveBeenCalledWith(JSON.stringify({ event: 'webhooks.swept', deliveries: swept }));

    await deliver(queue.for(id));
    // The queue delivers at least once: a copy of the swept message sends nothing more.
    await deliver(queue.for(id));

    expect(received).toEqual([{ url: `https://hooks.example.test/${hook}`, webhookId: id }]);
    expect(await deliveryRow(id)).toMatchObject({ status: 'delivered', attempts: 1, next_attempt_at: null });
    expect(await attemptNumbers(id)).toEqual([1]);
  });

  it('sweeps a delivery whose retry message was lost at its place in the schedule; the late original sends nothing', async () => {
    const hook = await seedWebhook(tenant);
    // Two attempts failed; the message for the third was lost.
    const id = await seedDelivery(tenant, hook, { attempts: 2, next_attempt_at: stranded() });
    answers = [500];
    const queue = queueSpy();

    await sweepStrandedDeliveries(testEnv);
    expect(queue.for(id)).toEqual([originalMessage(tenant, id, 2)]);
    await deliver(queue.for(id));

    expect(received).toHaveLength(1);
    expect(await deliveryRow(id)).toMatchObject({ status: 'pending', attempts: 3, last_status_code: 500 });
    // The retry after the third attempt waits as the schedule says.
    expect(queue.messages().at(-1)).toEqual({
      body: originalMessage(tenant, id, 3),
      delaySeconds: RETRY_DELAYS[2],
    });
    // The lost message turns up after all: its attempt has been made.
    await deliver([originalMessage(tenant, id, 2)]);
    expect(received).toHaveLength(1);
    expect(await attemptNumbers(id)).toEqual([3]);
  });

  it('leaves alone deliveries not yet stranded, delivered or failed', async () => {
    const hook = await seedWebhook(tenant);
    const cases = {
      retryLater: { attempts: 1, next_attempt_at: new Date(Date.now() + 300_000).toISOString() },
      dueSinceMinutes: { next_attempt_at: ago(STRANDED_AFTER_MS - 60_000) },
      delivered: { status: 'delivered', attempts: 1, next_attempt_at: stranded() },
      failed: { status: 'failed', attempts: 8, next_attempt_at: stranded() },
    } satisfies Record<string, DeliveryState>;
    const ids = Object.fromEntries(
      await Promise.all(
        Object.entries(cases).map(async ([name, state]) => [name, await seedDelivery(tenant, hook, state)]),
      ),
    ) as Record<keyof typeof cases, string>;
    const queue = queueSpy();

    await sweepStrandedDeliveries(testEnv);

    for (const [name, id] of Object.entries(ids)) {
      expect(queue.for(id), name).toEqual([]);
      expect((await deliveryRow(id))?.next_attempt_at, name).toBe(
        cases[name as keyof typeof cases].next_attempt_at,
      );
    }
  });

  it('waits WEBHOOK_STRANDED_AFTER_SECONDS past due', async () => {
    const hook = await seedWebhook(tenant);
    const id = await seedDelivery(tenant, hook, { next_attempt_at: ago(180_000) });
    const queue = queueSpy();

    await sweepStrandedDeliveries(testEnv);
    expect(queue.for(id)).toEqual([]);
    await sweepStrandedDeliveries({ ...testEnv, WEBHOOK_STRANDED_AFTER_SECONDS: '120' });
    expect(queue.for(id)).toEqual([originalMessage(tenant, id)]);
  });

  it('takes at most 500 a run, oldest first, in sendBatch calls of 100 at most', async () => {
    const hook = await seedWebhook(tenant);
    // Due from 30 to 30 + 520 minutes ago: index 0 is the newest.
    const seeded = Array.from({ length: SWEEP_LIMIT + 20 }, (_, index) =>
      deliveryInsert(tenant, hook, { next_attempt_at: ago((30 + index) * 60_000) }),
    );
    await testEnv.DB.batch(seeded.map((seed) => seed.statement));
    const queue = queueSpy();

    await sweepStrandedDeliveries(testEnv);
    const swept = new Set(queue.messages().map((message) => message.body.delivery_id));
    expect(queue.batchSizes().every((size) => size <= 100)).toBe(true);
    const ids = seeded.map((seed) => seed.id);
    expect(ids.filter((id) => swept.has(id))).toEqual(ids.slice(20));

    await sweepStrandedDeliveries(testEnv);
    const sweptSecond = queue.messages().map((message) => message.body.delivery_id);
    expect(sweptSecond.filter((id) => !swept.has(id)).sort()).toEqual(ids.slice(0, 20).sort());
  });

  it('scopes every message to the delivery’s own tenant, and a message naming another tenant sends nothing', async () => {
    const other = await newTenant();
    const mine = await seedDelivery(tenant, await seedWebhook(tenant), { next_attempt_at: stranded() });
    const theirs = await seedDelivery(other, await seedWebhook(other), { next_attempt_at: stranded() });
    const queue = queueSpy();

    await sweepStrandedDeliveries(testEnv);

    expect(queue.for(mine)).toEqual([originalMessage(tenant, mine)]);
    expect(queue.for(theirs)).toEqual([originalMessage(other, theirs)]);
    await deliver([{ ...originalMessage(tenant, mine), tenant_id: other.tenantId }]);
    expect(received).toEqual([]);
    expect(await deliveryRow(mine)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('runs as EventsService.recover(), which the gateway’s recovery cron calls', async () => {
    const id = await seedDelivery(tenant, await seedWebhook(tenant), { next_attempt_at: stranded() });
    const before = Date.now();

    const report = await (exports as unknown as { EventsService: EventsRpc }).EventsService.recover();

    expect(report.webhook_deliveries).toBeGreaterThanOrEqual(1);
    // Taken (and so queued): due from now.
    expect(Date.parse((await deliveryRow(id))?.next_attempt_at ?? '')).toBeGreaterThanOrEqual(before - 1000);
  });
});

describe('one POST per attempt, however the messages meet', () => {
  it('two sweeps and the original message, handled together and again: one POST', async () => {
    const hook = await seedWebhook(tenant);
    const id = await seedDelivery(tenant, hook, { next_attempt_at: stranded() });
    const queue = queueSpy();

    await sweepStrandedDeliveries(testEnv);
    // The next minute's sweep: the delivery was taken, so nothing is queued twice.
    await sweepStrandedDeliveries(testEnv);
    expect(queue.for(id)).toHaveLength(1);
    // The swept message is slow too, long enough for a later sweep to take the delivery again.
    await setNextAttempt(id, stranded());
    await sweepStrandedDeliveries(testEnv);
    const [first, second] = queue.for(id) as [WebhookDeliverMessage, WebhookDeliverMessage];
    expect(second).toEqual(first);

    // All three in one batch (the deliverer runs a batch's messages at the same time): each reads
    // the delivery due at 0 attempts, and the claim lets one of them send.
    await deliver([originalMessage(tenant, id), first, second]);
    await deliver([originalMessage(tenant, id), first, second]);

    expect(received).toHaveLength(1);
    expect(await deliveryRow(id)).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(await attemptNumbers(id)).toEqual([1]);
  });

  it('a failing receiver gets one POST, and the schedule one retry message, for the three messages', async () => {
    const hook = await seedWebhook(tenant);
    const id = await seedDelivery(tenant, hook, { next_attempt_at: stranded() });
    answers = [500];
    const queue = queueSpy();
    await sweepStrandedDeliveries(testEnv);
    await setNextAttempt(id, stranded());
    await sweepStrandedDeliveries(testEnv);

    await deliver([originalMessage(tenant, id), ...queue.for(id)]);

    expect(received).toHaveLength(1);
    expect(
      queue
        .messages()
        .filter((message) => message.body.delivery_id === id)
        .slice(2),
    ).toEqual([{ body: originalMessage(tenant, id, 1), delaySeconds: RETRY_DELAYS[0] }]);
    expect(await deliveryRow(id)).toMatchObject({ status: 'pending', attempts: 1 });
  });

  it('a sweep while an attempt is under way does not take the delivery', async () => {
    const hook = await seedWebhook(tenant);
    // The original message arrives long after its time (a backed-up queue): stranded by the clock.
    const id = await seedDelivery(tenant, hook, { next_attempt_at: stranded() });
    const queue = queueSpy();
    // While the POST is under way: a sweep, and whatever it queued handled at once.
    duringPost = async () => {
      duringPost = undefined;
      await sweepStrandedDeliveries(testEnv);
      await deliver(queue.for(id));
    };

    await deliver([originalMessage(tenant, id)]);

    expect(received).toHaveLength(1);
    // The claim moved next_attempt_at past the attempt's end before the POST: nothing was swept.
    expect(queue.for(id)).toEqual([]);
    expect(await deliveryRow(id)).toMatchObject({ status: 'delivered', attempts: 1 });
  });
});
