// Customer webhooks end to end inside the events worker: deliveries created with the events that
// cause them (never twice, never for the wrong webhook), signed per Standard Webhooks (checked with
// the `standardwebhooks` package receivers use), retried on a growing schedule, disabled by a 410,
// and replayed. The receiver is a spy on fetch; WEBHOOKS_QUEUE is detached, and a spy on it hands
// each queued message to the deliverer when the test says so.
import type { WebhookDeliverMessage } from '@mailgrid/contracts';
import { createDb, markForReplay } from '@mailgrid/db';
import { sealSecret } from '@mailgrid/runtime';
import { runQueue } from '@mailgrid/testing/queue';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import worker from '../src/index';
import { RETRY_DELAYS } from '../src/webhooks/deliver';
import { consume, newTenant, notification, seedEmail, sesEvent, type Tenant, testEnv } from './helpers';

interface Received {
  url: string;
  headers: Record<string, string>;
  body: string;
}

let tenant: Tenant;
let received: Received[];
/** The receiver's answers, in order; the last one repeats. */
let answers: number[];

beforeEach(async () => {
  tenant = await newTenant();
  received = [];
  answers = [200];
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    received.push({
      url: request.url,
      headers: Object.fromEntries(request.headers),
      body: await request.text(),
    });
    const status = answers.length > 1 ? (answers.shift() as number) : (answers[0] as number);
    return new Response(status === 200 ? 'ok' : 'nope', { status });
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

function newSecret(): string {
  return `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
}

async function seedWebhook(
  owner: Tenant,
  events: string[],
  options: { status?: 'enabled' | 'disabled'; endpoint?: string } = {},
) {
  const id = crypto.randomUUID();
  const secret = newSecret();
  const now = new Date().toISOString();
  await testEnv.DB.prepare(
    'INSERT INTO webhooks (id, tenant_id, endpoint, events, status, secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  )
    .bind(
      id,
      owner.tenantId,
      options.endpoint ?? `https://hooks.example.test/${id}`,
      JSON.stringify(events),
      options.status ?? 'enabled',
      secret,
      now,
      now,
    )
    .run();
  return { id, secret };
}

interface DeliveryView {
  id: string;
  webhook_id: string;
  event_id: string;
  type: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  delivered_at: string | null;
}

async function deliveriesOf(webhookId: string): Promise<DeliveryView[]> {
  const { results } = await testEnv.DB.prepare(
    'SELECT * FROM webhook_deliveries WHERE webhook_id = ? ORDER BY created_at',
  )
    .bind(webhookId)
    .all<DeliveryView>();
  return results;
}

async function attemptsOf(deliveryId: string) {
  const { results } = await testEnv.DB.prepare(
    'SELECT attempt, status_code, error FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt',
  )
    .bind(deliveryId)
    .all<{ attempt: number; status_code: number | null; error: string | null }>();
  return results;
}

/** Everything the worker put on WEBHOOKS_QUEUE since the spy was set, with each message's delay. */
function queueSpy() {
  const single = vi.spyOn(testEnv.WEBHOOKS_QUEUE, 'send');
  const batch = vi.spyOn(testEnv.WEBHOOKS_QUEUE, 'sendBatch');
  return () => [
    ...batch.mock.calls.flatMap(([messages]) =>
      [...messages].map((message) => ({ body: message.body, delaySeconds: message.delaySeconds })),
    ),
    ...single.mock.calls.map(([body, options]) => ({ body, delaySeconds: options?.delaySeconds })),
  ];
}

let queueMessages = 0;

/** Runs the deliverer on these messages, as the webhooks queue would hand them over. */
function deliver(bodies: WebhookDeliverMessage[], envOverrides?: Record<string, unknown>) {
  return runQueue<WebhookDeliverMessage>(
    worker as never,
    'mailgrid-webhooks',
    bodies.map((body) => ({ id: `wh-${++queueMessages}`, body })),
    envOverrides,
  );
}

/** A delivered event for a fresh email of the tenant, through the SES consumer. */
async function deliveredEvent(owner: Tenant = tenant) {
  const email = await seedEmail(owner);
  const message = notification(sesEvent('delivery', email));
  await consume([message]);
  return { email, message };
}

describe('creating deliveries with the events', () => {
  it('creates one delivery per enabled webhook of the tenant subscribed to the type, and queues each', async () => {
    const other = await newTenant();
    const delivered = await seedWebhook(tenant, ['email.delivered']);
    const both = await seedWebhook(tenant, ['email.delivered', 'email.bounced']);
    const bouncesOnly = await seedWebhook(tenant, ['email.bounced']);
    const disabled = await seedWebhook(tenant, ['email.delivered'], { status: 'disabled' });
    const othersHook = await seedWebhook(other, ['email.delivered']);
    const queued = queueSpy();

    const { email } = await deliveredEvent();

    const [first] = await deliveriesOf(delivered.id);
    const [second] = await deliveriesOf(both.id);
    expect(await deliveriesOf(delivered.id)).toHaveLength(1);
    expect(await deliveriesOf(both.id)).toHaveLength(1);
    expect(await deliveriesOf(bouncesOnly.id)).toEqual([]);
    expect(await deliveriesOf(disabled.id)).toEqual([]);
    expect(await deliveriesOf(othersHook.id)).toEqual([]);
    expect(first).toMatchObject({ type: 'email.delivered', status: 'pending', attempts: 0 });
    expect(queued().map((message) => message.body)).toEqual([
      { kind: 'webhook.deliver', tenant_id: tenant.tenantId, delivery_id: first?.id, retry: 0, attempts: 0 },
      { kind: 'webhook.deliver', tenant_id: tenant.tenantId, delivery_id: second?.id, retry: 0, attempts: 0 },
    ]);
    expect(JSON.parse(first?.payload ?? '{}')).toMatchObject({
      type: 'email.delivered',
      created_at: expect.any(String),
      data: {
        email_id: email.id,
        // The Message-ID the send worker wrote: the email's id at the From's domain.
        message_id: `<${email.id}@${tenant.domain}>`,
        from: `Acme <hello@${tenant.domain}>`,
        to: ['Ada <ada@customer.test>'],
        subject: 'Your order',
        created_at: expect.any(String),
      },
    });
  });

  it('puts Resend’s bounce object in a bounce’s payload', async () => {
    const hook = await seedWebhook(tenant, ['email.bounced']);
    const email = await seedEmail(tenant);
    await consume([notification(sesEvent('bounce-permanent', email))]);
    const [delivery] = await deliveriesOf(hook.id);
    expect(JSON.parse(delivery?.payload ?? '{}').data.bounce).toEqual({
      message: 'smtp; 550 5.1.1 user unknown',
      type: 'Permanent',
      subType: 'General',
    });
  });

  it('tells suppression.added for the address a hard bounce suppresses, once, naming the email', async () => {
    const hook = await seedWebhook(tenant, ['suppression.added']);
    const email = await seedEmail(tenant);
    await consume([notification(sesEvent('bounce-permanent', email))]);
    const [delivery] = await deliveriesOf(hook.id);
    const row = await testEnv.DB.prepare(
      "SELECT id, created_at FROM suppressions WHERE tenant_id = ? AND email = 'ada@customer.test'",
    )
      .bind(tenant.tenantId)
      .first<{ id: string; created_at: string }>();
    expect(JSON.parse(delivery?.payload ?? '{}')).toEqual({
      type: 'suppression.added',
      created_at: row?.created_at,
      data: {
        id: row?.id,
        email: 'ada@customer.test',
        origin: 'bounce',
        source_id: email.id,
        created_at: row?.created_at,
      },
    });
    // A second bounce to the address already suppressed adds no suppression, and tells nothing.
    const again = await seedEmail(tenant);
    await consume([notification(sesEvent('bounce-permanent', again))]);
    expect(await deliveriesOf(hook.id)).toHaveLength(1);
  });

  it('creates no second delivery for an event SNS delivers again, in a later batch or the same one', async () => {
    const hook = await seedWebhook(tenant, ['email.delivered']);
    const email = await seedEmail(tenant);
    const event = sesEvent('delivery', email);
    await consume([notification(event), notification(event)]);
    const queued = queueSpy();
    await consume([notification(event)]);

    expect(await deliveriesOf(hook.id)).toHaveLength(1);
    expect(queued()).toEqual([]);
  });

  it('queues nothing for a tenant without webhooks', async () => {
    const queued = queueSpy();
    await deliveredEvent();
    expect(queued()).toEqual([]);
  });
});

describe('delivering', () => {
  it('POSTs the payload signed per Standard Webhooks, and marks the delivery delivered', async () => {
    const hook = await seedWebhook(tenant, ['email.delivered']);
    const queued = queueSpy();
    await deliveredEvent();
    const result = await deliver(queued().map((message) => message.body));

    expect(result.explicitAcks).toHaveLength(1);
    expect(received).toHaveLength(1);
    const [request] = received as [Received];
    const [delivery] = (await deliveriesOf(hook.id)) as [DeliveryView];
    expect(request.url).toBe(`https://hooks.example.test/${hook.id}`);
    expect(request.body).toBe(delivery.payload);
    expect(request.headers['webhook-id']).toBe(delivery.id);
    expect(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    // What a receiver runs: throws unless the signature is the secret's over id, timestamp and body.
    expect(new Webhook(hook.secret).verify(request.body, request.headers)).toEqual(
      JSON.parse(delivery.payload),
    );
    expect(() => new Webhook(newSecret()).verify(request.body, request.headers)).toThrow();
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 200 });
    expect(delivery.delivered_at).not.toBeNull();
    expect(await attemptsOf(delivery.id)).toEqual([{ attempt: 1, status_code: 200, error: null }]);
  });

  it('signs with a secret stored sealed, as admin stores it', async () => {
    const hook = await seedWebhook(tenant, ['email.delivered']);
    await testEnv.DB.prepare('UPDATE webhooks SET secret = ? WHERE id = ?')
      .bind(await sealSecret(hook.secret, testEnv.WEBHOOK_SECRET_KEY), hook.id)
      .run();
    const queued = queueSpy();
    await deliveredEvent();
    await deliver(queued().map((message) => message.body));
    const [request] = received as [Received];
    expect(new Webhook(hook.secret).verify(request.body, request.headers)).toBeTruthy();
  });

  it('during a rotation signs with the new and the previous secret, and after it with the new one only', async () => {
    const hook = await seedWebhook(tenant, ['email.delivered']);
    const previous = hook.secret;
    const current = newSecret();
    const setRotation = (expiresAt: string) =>
      testEnv.DB.prepare(
        'UPDATE webhooks SET secret = ?, previous_secret = ?, previous_secret_expires_at = ? WHERE id = ?',
      )
        .bind(current, previous, expiresAt, hook.id)
        .run();
    await setRotation(new Date(Date.now() + 3600_000).toISOString());
    let queued = queueSpy();
    await deliveredEvent();
    await deliver(queued().map((message) => message.body));
    const during = received[0] as Received;
    expect(during.headers['webhook-signature']).toMatch(/^v1,\S+ v1,\S+$/);
    expect(new Webhook(current).verify(during.body, during.headers)).toBeTruthy();
    expect(new Webhook(previous).verify(during.body, during.headers)).toBeTruthy();

    await setRotation(new Date(Date.now() - 1000).toISOString());
    vi.mocked(testEnv.WEBHOOKS_QUEUE.send).mockRestore();
    vi.mocked(testEnv.WEBHOOKS_QUEUE.sendBatch).mockRestore();
    queued = queueSpy();
    await deliveredEvent();
    await deliver(queued().map((message) => message.body));
    const after = received[1] as Received;
    expect(after.headers['webhook-signature']).toMatch(/^v1,\S+$/);
    expect(new Webhook(current).verify(after.body, after.headers)).toBeTruthy();
    expect(() => new Webhook(previous).verify(after.body, after.headers)).toThrow();
  });

  it('retries a failing receiver on a growing schedule until it recovers, and it gets the event once', async () => {
    const hook = await seedWebhook(tenant, ['email.delivered']);
    answers = [500, 503, 200];
    const queued = queueSpy();
    await deliveredEvent();
    const [first] = queued();

    await deliver([first?.body as WebhookDeliverMessage]);
    const [, second] = queued();
    expect(second).toEqual({
      body: { ...first?.body, retry: 1, attempts: 1 },
      delaySeconds: RETRY_DELAYS[0],
    });
    // A copy of the first message (queues deliver at least once) finds its attempt made: nothing sent.
    await deliver([first?.body as WebhookDeliverMessage]);
    expect(received).toHaveLength(1);
    expect(queued()).toHaveLength(2);
    const [pending] = await deliveriesOf(hook.id);
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, last_status_code: 500 });
    expect(Date.parse(pending?.next_attempt_at ?? '')).toBeGreaterThan(Date.now());

    await deliver([second?.body as WebhookDeliverMessage]);
    const [, , third] = queued();
    expect(third).toEqual({ body: { ...first?.body, retry: 2, attempts: 2 }, delaySeconds: RETRY_DELAYS[1] });
    expect(RETRY_DELAYS[1]).toBeGreaterThan(RETRY_DELAYS[0]);

    await deliver([third?.body as WebhookDeliverMessage]);
    // A copy of the last message (queues deliver at least once) finds it delivered and sends nothing.
    await deliver([third?.body as WebhookDeliverMessage]);

    expect(queued()).toHaveLength(3);
    expect(received.map((request) => request.headers['webhook-id'])).toEqual([
      first?.body.delivery_id,
      first?.body.delivery_id,
      first?.body.delivery_id,
    ]);
    const [delivery] = (await deliveriesOf(hook.id)) as [DeliveryView];
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, last_status_code: 200 });
    expect(await attemptsOf(delivery.id)).toEqual([
      { attempt: 1, status_code: 500, error: 'HTTP 500: nope' },
      { attempt: 2, status_code: 503, error: 'HTTP 503: nope' },
      { attempt: 3, status_code: 200, error: null },
    ]);
  });

  it('follows the whole schedule, delays capped at the queue’s 12 hours, then fails the delivery', async () => {
    expect(RETRY_DELAYS).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
    const hook = await seedWebhook(tenant, ['email.delivered']);
    answers = [500];
    const queued = queueSpy();
    await deliveredEvent();
    // The schedule spans about a day and a half; the test runs it at once, so the delivery is aged.
    await testEnv.DB.prepare('UPDATE webhook_deliveries SET created_at = ? WHERE webhook_id = ?')
      .bind(new Date(Date.now() - 2 * 86_400_000).toISOString(), hook.id)
      .run();
    for (let retry = 0; retry <= RETRY_DELAYS.length; retry++) {
      const last = queued().at(-1);
      await deliver([last?.body as WebhookDeliverMessage]);
    }
    const delays = queued()
      .slice(1)
      .map((message) => message.delaySeconds);
    expect(delays).toEqual([...RETRY_DELAYS]);
    const [delivery] = (await deliveriesOf(hook.id)) as [DeliveryView];
    expect(delivery).toMatchObject({ status: 'failed', attempts: 8, next_attempt_at: null });
    expect(received).toHaveLength(8);
    // Nothing reached the endpoint for the whole schedule: it is disabled, with the reason.
    const webhook = await testEnv.DB.prepare('SELECT status, disabled_reason FROM webhooks WHERE id = ?')
      .bind(hook.id)
      .first<{ status: string; disabled_reason: string }>();
    expect(webhook?.status).toBe('disabled');
    expect(webhook?.disabled_reason).toMatch(/^failing since .*HTTP 500/);
  });

  it('disables the webhook when the receiver answers 410, and stops', async () => {
    const hook = await seedWebhook(tenant, ['email.delivered']);
    answers = [410];
    const queued = queueSpy();
    await deliveredEvent();
    await deliver(queued().map((message) => message.body));

    expect(queued()).toHaveLength(1);
    const [delivery] = (await deliveriesOf(hook.id)) as [DeliveryView];
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, last_status_code: 410 });
    const webhook = await testEnv.DB.prepare('SELECT status, disabled_reason FROM webhooks WHERE id = ?')
      .bind(hook.id)
      .first();
    expect(webhook).toEqual({ status: 'disabled', disabled_reason: 'endpoint answered 410 Gone' });
    // And the next event makes no delivery for it.
    await deliveredEvent();
    expect(await deliveriesOf(hook.id)).toHaveLength(1);
  });

  it('replays a failed delivery as a new attempt with the same id and body', async () => {
    const hook = await seedWebhook(tenant, ['email.delivered']);
    answers = [500];
    const queued = queueSpy();
    await deliveredEvent();
    const [message] = queued();
    await deliver([{ ...(message?.body as WebhookDeliverMessage), retry: RETRY_DELAYS.length }]);
    const [failed] = (await deliveriesOf(hook.id)) as [DeliveryView];
    expect(failed.status).toBe('failed');

    answers = [200];
    // What admin's replay does: back to pending, then a retry-0 message at the attempts made so far.
    await markForReplay(createDb(testEnv.DB), testEnv.DB, tenant.caller, failed as never);
    await deliver([{ ...(message?.body as WebhookDeliverMessage), retry: 0, attempts: failed.attempts }]);

    const [replayed] = (await deliveriesOf(hook.id)) as [DeliveryView];
    expect(replayed).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(received[1]?.body).toBe(received[0]?.body);
    expect(received[1]?.headers['webhook-id']).toBe(failed.id);
    expect((await attemptsOf(failed.id)).map((attempt) => attempt.status_code)).toEqual([500, 200]);
  });

  it('sends nothing for a webhook disabled after its delivery was queued, and keeps the tenant’s status', async () => {
    const hook = await seedWebhook(tenant, ['email.delivered']);
    const queued = queueSpy();
    await deliveredEvent();
    await testEnv.DB.prepare("UPDATE webhooks SET status = 'disabled' WHERE id = ?").bind(hook.id).run();
    await deliver(queued().map((message) => message.body));

    expect(received).toEqual([]);
    expect(queued()).toHaveLength(1);
    const [delivery] = (await deliveriesOf(hook.id)) as [DeliveryView];
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1 });
    const webhook = await testEnv.DB.prepare('SELECT status, disabled_reason FROM webhooks WHERE id = ?')
      .bind(hook.id)
      .first();
    expect(webhook).toEqual({ status: 'disabled', disabled_reason: null });
  });

  it('in production, refuses an endpoint on a private address without fetching it', async () => {
    const hook = await seedWebhook(tenant, ['email.delivered'], { endpoint: 'https://10.0.0.7/hook' });
    const queued = queueSpy();
    await deliveredEvent();
    await deliver(
      queued().map((message) => message.body),
      { ENVIRONMENT: 'production' },
    );

    expect(received).toEqual([]);
    const [delivery] = (await deliveriesOf(hook.id)) as [DeliveryView];
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, last_status_code: null });
    expect(await attemptsOf(delivery.id)).toEqual([
      {
        attempt: 1,
        status_code: null,
        error: 'refused: endpoint must not be localhost or a private address',
      },
    ]);
  });
});
