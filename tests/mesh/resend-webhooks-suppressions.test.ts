// Resend's Webhooks and Suppressions APIs through the official `resend` SDK, unchanged, against the
// whole mesh: every method answers what its types promise; a real receiver on loopback gets
// `contact.created` and `suppression.added` signed per Standard Webhooks (verified with the
// `standardwebhooks` package, as a customer would); the delivery log lists, reads, shows attempts
// and replays them; and during a signing-secret rotation both the new and the old secret verify.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mesh } from './client';
import { delivered, resendWith } from './mail';

const { sdkWebhooks } = mesh;
const resend = resendWith(sdkWebhooks.full.token);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}
const received: Received[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
    res.writeHead(200);
    res.end();
  });
});
let endpoint = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
});
afterAll(() => {
  server.close();
});

/** The first delivery (from `after` on) whose body matches, waiting for it. */
async function receivedWhere(
  match: (payload: { type: string; data: Record<string, unknown> }, entry: Received) => boolean,
  after = 0,
) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const hit = received.slice(after).find((entry) => match(JSON.parse(entry.body), entry));
    if (hit) return hit;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('timed out waiting for a webhook delivery');
}

function headersOf(entry: Received) {
  return {
    'webhook-id': String(entry.headers['webhook-id']),
    'webhook-timestamp': String(entry.headers['webhook-timestamp']),
    'webhook-signature': String(entry.headers['webhook-signature']),
  };
}

/** What a customer's receiver runs: throws unless a signature in the header is this secret's. */
function verify(secret: string, entry: Received) {
  return new Webhook(secret).verify(entry.body, headersOf(entry)) as {
    type: string;
    data: Record<string, unknown>;
  };
}

function ok<T>(result: { data: T | null; error: unknown }): T {
  expect(result.error).toBeNull();
  expect(result.data).not.toBeNull();
  return result.data as T;
}

const unique = () => crypto.randomUUID().slice(0, 8);

describe('webhooks and suppressions through the resend SDK', () => {
  let webhookId = '';
  let secret = '';

  it('creates a webhook for contact and suppression events, and get shows its signing secret', async () => {
    const created = ok(
      await resend.webhooks.create({
        endpoint,
        events: ['contact.created', 'suppression.added', 'suppression.removed'],
      }),
    );
    expect(created).toEqual({
      object: 'webhook',
      id: expect.stringMatching(UUID),
      signing_secret: expect.stringMatching(/^whsec_/),
    });
    webhookId = created.id;
    secret = created.signing_secret;
    const got = ok(await resend.webhooks.get(webhookId));
    expect(got).toMatchObject({
      object: 'webhook',
      id: webhookId,
      endpoint,
      status: 'enabled',
      events: ['contact.created', 'suppression.added', 'suppression.removed'],
      signing_secret: secret,
      created_at: expect.stringMatching(ISO),
    });
    const listed = ok(await resend.webhooks.list());
    expect(listed.data.find((hook) => hook.id === webhookId)).not.toHaveProperty('signing_secret');
  });

  it('delivers contact.created, signed, in Resend’s shape', async () => {
    const email = `ada-${unique()}@customer.test`;
    const { id } = ok(await resend.contacts.create({ email, firstName: 'Ada' }));
    const entry = await receivedWhere(
      (payload) => payload.type === 'contact.created' && payload.data.email === email,
    );
    const payload = verify(secret, entry);
    expect(payload).toEqual({
      type: 'contact.created',
      created_at: expect.stringMatching(ISO),
      data: {
        id,
        audience_id: expect.any(String),
        segment_ids: [],
        email,
        first_name: 'Ada',
        last_name: null,
        unsubscribed: false,
        created_at: expect.stringMatching(ISO),
        updated_at: expect.stringMatching(ISO),
      },
    });
    expect(() =>
      new Webhook(`whsec_${btoa('not the secret, 32 bytes long!!!')}`).verify(entry.body, headersOf(entry)),
    ).toThrow();
  });

  it('adds, gets (by id and by address), lists and removes a suppression, telling the webhook', async () => {
    const email = `bob-${unique()}@customer.test`;
    const added = ok(await resend.suppressions.add({ email }));
    expect(added).toMatchObject({ object: 'suppression', id: expect.stringMatching(UUID) });
    const entry = await receivedWhere(
      (payload) => payload.type === 'suppression.added' && payload.data.email === email,
    );
    expect(verify(secret, entry)).toEqual({
      type: 'suppression.added',
      created_at: expect.stringMatching(ISO),
      data: {
        id: added.id,
        email,
        origin: 'manual',
        source_id: null,
        created_at: expect.stringMatching(ISO),
      },
    });

    const byId = ok(await resend.suppressions.get(added.id));
    expect(byId).toMatchObject({
      object: 'suppression',
      id: added.id,
      email,
      origin: 'manual',
      source_id: null,
      created_at: expect.stringMatching(ISO),
    });
    expect(ok(await resend.suppressions.get(email))).toEqual(byId);

    const listed = ok(await resend.suppressions.list({ limit: 100, origin: 'manual' }));
    expect(listed).toMatchObject({ object: 'list', has_more: expect.any(Boolean) });
    expect(listed.data.find((entry) => entry.id === added.id)).toMatchObject({
      id: added.id,
      email,
      origin: 'manual',
      source_id: null,
      created_at: byId.created_at,
    });
    expect(ok(await resend.suppressions.list({ origin: 'bounce' })).data.map((row) => row.id)).not.toContain(
      added.id,
    );

    const removed = ok(await resend.suppressions.remove(added.id));
    expect(removed).toEqual({ object: 'suppression', id: added.id, deleted: true });
    await receivedWhere((payload) => payload.type === 'suppression.removed' && payload.data.email === email);
    const gone = await resend.suppressions.get(added.id);
    expect(gone.error).toMatchObject({ statusCode: 404 });
  });

  it('adds and removes suppressions in batches', async () => {
    const emails = [
      `c-${unique()}@customer.test`,
      `d-${unique()}@customer.test`,
      `e-${unique()}@customer.test`,
    ];
    const added = ok(await resend.suppressions.batch.add({ emails }));
    expect(added.data).toEqual(
      emails.map(() => ({ object: 'suppression', id: expect.stringMatching(UUID) })),
    );
    expect(ok(await resend.suppressions.get(emails[2] as string)).id).toBe(added.data[2]?.id);

    const byIds = ok(await resend.suppressions.batch.remove({ ids: [added.data[0]?.id as string] }));
    expect(byIds.data).toEqual([{ object: 'suppression', id: added.data[0]?.id, deleted: true }]);
    const byEmails = ok(await resend.suppressions.batch.remove({ emails: emails.slice(1) }));
    expect(byEmails.data).toEqual([
      { object: 'suppression', id: added.data[1]?.id, deleted: true },
      { object: 'suppression', id: added.data[2]?.id, deleted: true },
    ]);
    const bad = await resend.suppressions.batch.add({ emails: [] });
    expect(bad.error).toMatchObject({ statusCode: 422 });
  });

  it('lists the webhook’s events, reads one with its payload and attempts, and replays it', async () => {
    const events = ok(await resend.webhooks.events.list({ webhookId, limit: 100 }));
    expect(events.object).toBe('list');
    const created = events.data.find((event) => event.type === 'contact.created');
    expect(created).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: 'contact.created',
      created_at: expect.stringMatching(ISO),
      status: 'success',
      attempts: 1,
    });
    const eventId = created?.id as string;
    const page = ok(await resend.webhooks.events.list({ webhookId, limit: 1 }));
    expect(page).toMatchObject({ has_more: true, data: [{ id: events.data[0]?.id }] });
    const next = ok(
      await resend.webhooks.events.list({ webhookId, limit: 1, after: page.data[0]?.id as string }),
    );
    expect(next.data[0]?.id).toBe(events.data[1]?.id);

    const event = ok(await resend.webhooks.events.get({ webhookId, eventId }));
    expect(event).toMatchObject({
      object: 'webhook_event',
      id: eventId,
      type: 'contact.created',
      status: 'success',
      next_attempt_at: null,
      created_at: expect.stringMatching(ISO),
    });
    const original = received.find((entry) => entry.headers['webhook-id'] === eventId) as Received;
    expect(event.payload).toEqual(JSON.parse(original.body));

    const attempts = ok(await resend.webhooks.events.attempts.list({ webhookId, eventId }));
    expect(attempts).toMatchObject({ object: 'list', has_more: false });
    expect(attempts.data).toEqual([
      {
        id: expect.any(String),
        http_status_code: 200,
        response: '',
        sent_at: expect.stringMatching(ISO),
        attempt: 1,
        duration_ms: expect.any(Number),
      },
    ]);

    const before = received.length;
    const replayed = ok(await resend.webhooks.events.replay({ webhookId, eventId }));
    expect(replayed).toEqual({ object: 'webhook_event', id: eventId });
    // The same event again: the same webhook-id (a receiver dedupes on it) and the same bytes.
    const again = await receivedWhere((_, entry) => entry.headers['webhook-id'] === eventId, before);
    expect(again.headers['webhook-id']).toBe(eventId);
    expect(again.body).toBe(original.body);
    const missing = await resend.webhooks.events.get({ webhookId, eventId: `msg_${'0'.repeat(32)}` });
    expect(missing.error).toMatchObject({ statusCode: 404 });
  });

  it('rotates the signing secret: get shows the new one, and both verify during the overlap', async () => {
    const rotated = ok(await resend.webhooks.rotateSigningSecret(webhookId));
    expect(rotated).toMatchObject({
      object: 'webhook',
      id: webhookId,
      signing_secret: expect.stringMatching(/^whsec_/),
    });
    expect(rotated.signing_secret).not.toBe(secret);
    expect(ok(await resend.webhooks.get(webhookId)).signing_secret).toBe(rotated.signing_secret);

    const email = `eve-${unique()}@customer.test`;
    ok(await resend.contacts.create({ email }));
    const entry = await receivedWhere(
      (payload) => payload.type === 'contact.created' && payload.data.email === email,
    );
    expect(String(entry.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(rotated.signing_secret, entry).data.email).toBe(email);
    // A receiver that has not switched yet still verifies (24 hours, as Resend's rotation).
    expect(verify(secret, entry).data.email).toBe(email);
  });

  it('email events carry message_id, the Message-ID header of the email as sent', async () => {
    const hook = ok(await resend.webhooks.create({ endpoint, events: ['email.delivered'] }));
    const sent = ok(
      await resend.emails.send({
        from: 'hello@sdk-webhooks.mesh.test',
        to: `mid-${unique()}@example.com`,
        subject: 'message id',
        text: 'x',
      }),
    );
    const { mail } = await delivered(sent.id);
    const entry = await receivedWhere(
      (payload) => payload.type === 'email.delivered' && payload.data.email_id === sent.id,
    );
    const payload = verify(hook.signing_secret, entry);
    expect(payload.data.message_id).toBe(mail.messageId);
    expect(payload.data.message_id).toBe(`<${sent.id}@sdk-webhooks.mesh.test>`);
    // webhooks.update: disabled, it keeps its subscriptions and says so.
    expect(ok(await resend.webhooks.update(hook.id, { status: 'disabled' }))).toEqual({
      object: 'webhook',
      id: hook.id,
    });
    expect(ok(await resend.webhooks.get(hook.id))).toMatchObject({
      status: 'disabled',
      events: ['email.delivered'],
    });
    ok(await resend.webhooks.remove(hook.id));
  }, 60_000);

  it('removes the webhook', async () => {
    expect(ok(await resend.webhooks.remove(webhookId))).toEqual({
      object: 'webhook',
      id: webhookId,
      deleted: true,
    });
  });
});
