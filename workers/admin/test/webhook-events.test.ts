// Contact, topic and suppression changes made through admin's RPC become webhook deliveries in
// Resend's payload shapes, queued for the events worker's deliverer; only webhooks subscribed to the
// type get one, a tenant's change never reaches another tenant's webhook, and no webhook means no row.
import type { Caller, WebhookEventType } from '@mailgrid/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { audience, messaging, preferences, realEnv, twoTenants, value } from './helpers';

let acme: Caller;
let globex: Caller;

beforeEach(async () => {
  ({ acme, globex } = await twoTenants());
});

afterEach(() => {
  vi.restoreAllMocks();
});

interface Delivered {
  id: string;
  type: string;
  payload: { type: string; created_at: string; data: Record<string, unknown> };
}

async function deliveries(caller: Caller, webhookId: string): Promise<Delivered[]> {
  const { results } = await realEnv.DB.prepare(
    'SELECT id, type, payload, status FROM webhook_deliveries WHERE tenant_id = ? AND webhook_id = ? ORDER BY created_at, type',
  )
    .bind(caller.tenant_id, webhookId)
    .all<{ id: string; type: string; payload: string; status: string }>();
  return results.map((row) => ({ id: row.id, type: row.type, payload: JSON.parse(row.payload) }));
}

async function hook(caller: Caller, events: WebhookEventType[]) {
  return value(await messaging.createWebhook(caller, { endpoint: 'https://hooks.example.test/x', events }))
    .id;
}

describe('contact events', () => {
  it('create, update and delete each deliver the contact, queued for delivery', async () => {
    const sendBatch = vi.spyOn(realEnv.WEBHOOKS_QUEUE, 'sendBatch');
    const webhookId = await hook(acme, ['contact.created', 'contact.updated', 'contact.deleted']);
    const { id } = value(
      await audience.createContact(acme, { email: 'ada@customer.test', first_name: 'Ada' }),
    );
    value(await audience.updateContact(acme, id, { last_name: 'Lovelace' }));
    value(await audience.deleteContact(acme, id));
    const rows = await deliveries(acme, webhookId);
    expect(rows.map((row) => row.type)).toEqual(['contact.created', 'contact.updated', 'contact.deleted']);
    expect(rows[0]?.payload).toEqual({
      type: 'contact.created',
      created_at: expect.any(String),
      data: {
        id,
        audience_id: acme.tenant_id,
        segment_ids: [],
        email: 'ada@customer.test',
        first_name: 'Ada',
        last_name: null,
        unsubscribed: false,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      },
    });
    expect(rows[1]?.payload.data).toMatchObject({ first_name: 'Ada', last_name: 'Lovelace' });
    expect(rows[2]?.payload.data).toMatchObject({ id, email: 'ada@customer.test' });
    const queued = sendBatch.mock.calls.flatMap(([messages]) => [...messages].map((message) => message.body));
    expect(queued).toEqual(
      rows.map((row) => ({
        kind: 'webhook.deliver',
        tenant_id: acme.tenant_id,
        delivery_id: row.id,
        retry: 0,
        attempts: 0,
      })),
    );
  });

  it('contact.topics.updated names the address and each choice', async () => {
    const webhookId = await hook(acme, ['contact.topics.updated']);
    const topic = value(await audience.createTopic(acme, { name: 'News', default_subscription: 'opt_in' }));
    value(await audience.createContact(acme, { email: 'bob@customer.test' }));
    value(
      await audience.updateContactTopics(acme, 'bob@customer.test', [
        { id: topic.id, subscription: 'opt_out' },
      ]),
    );
    const rows = await deliveries(acme, webhookId);
    expect(rows.map((row) => row.payload)).toEqual([
      {
        type: 'contact.topics.updated',
        created_at: expect.any(String),
        data: { email: 'bob@customer.test', topics: [{ id: topic.id, subscription: 'opt_out' }] },
      },
    ]);
  });

  it('the recipient preference page tells the webhooks what it changed, and a repeated click nothing', async () => {
    const webhookId = await hook(acme, ['contact.created', 'contact.updated', 'contact.topics.updated']);
    const topic = value(await audience.createTopic(acme, { name: 'News', default_subscription: 'opt_in' }));
    const optOut = { topics: [{ id: topic.id, subscribed: false }] };
    value(await preferences.updatePreferences(acme.tenant_id, 'carol@customer.test', optOut, null));
    value(await preferences.updatePreferences(acme.tenant_id, 'carol@customer.test', optOut, null));
    value(
      await preferences.updatePreferences(
        acme.tenant_id,
        'carol@customer.test',
        { unsubscribed: true },
        null,
      ),
    );
    const rows = await deliveries(acme, webhookId);
    expect(rows.map((row) => row.payload.type).sort()).toEqual([
      'contact.created',
      'contact.topics.updated',
      'contact.updated',
    ]);
    expect(rows.find((row) => row.type === 'contact.topics.updated')?.payload.data).toEqual({
      email: 'carol@customer.test',
      topics: [{ id: topic.id, subscription: 'opt_out' }],
    });
    expect(rows.find((row) => row.type === 'contact.updated')?.payload.data).toMatchObject({
      email: 'carol@customer.test',
      unsubscribed: true,
    });
  });

  it('only a subscribed webhook of the same tenant gets one; no webhook, no row', async () => {
    const emailOnly = await hook(acme, ['email.delivered']);
    const other = await hook(globex, ['contact.created']);
    value(await audience.createContact(acme, { email: 'ada@customer.test' }));
    expect(await deliveries(acme, emailOnly)).toEqual([]);
    expect(await deliveries(globex, other)).toEqual([]);
  });
});

describe('topic events', () => {
  it('create, update and delete each deliver the topic; the delete says deleted', async () => {
    const webhookId = await hook(acme, ['topic.created', 'topic.updated', 'topic.deleted']);
    const { id } = value(
      await audience.createTopic(acme, {
        name: 'News',
        description: 'Monthly',
        default_subscription: 'opt_in',
      }),
    );
    value(await audience.updateTopic(acme, id, { name: 'Newsletter' }));
    value(await audience.deleteTopic(acme, id));
    const rows = await deliveries(acme, webhookId);
    expect(rows.map((row) => [row.type, row.payload.data.name, row.payload.data.deleted])).toEqual([
      ['topic.created', 'News', false],
      ['topic.updated', 'Newsletter', false],
      ['topic.deleted', 'Newsletter', true],
    ]);
    expect(rows[0]?.payload.data).toEqual({
      id,
      name: 'News',
      description: 'Monthly',
      default_subscription: 'opt_in',
      deleted: false,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
  });
});

describe('suppression events', () => {
  it('an address added tells suppression.added once, a removal suppression.removed', async () => {
    const webhookId = await hook(acme, ['suppression.added', 'suppression.removed']);
    const added = value(await messaging.addSuppression(acme, { email: 'ada@customer.test' }));
    // Already there: nothing changes, nothing is told.
    value(await messaging.addSuppression(acme, { email: 'ada@customer.test' }));
    value(await messaging.batchAddSuppressions(acme, { emails: ['ada@customer.test', 'bob@customer.test'] }));
    value(await messaging.removeSuppression(acme, added.id));
    const rows = await deliveries(acme, webhookId);
    expect(rows.map((row) => [row.type, row.payload.data.email])).toEqual([
      ['suppression.added', 'ada@customer.test'],
      ['suppression.added', 'bob@customer.test'],
      ['suppression.removed', 'ada@customer.test'],
    ]);
    expect(rows[0]?.payload.data).toEqual({
      id: added.id,
      email: 'ada@customer.test',
      origin: 'manual',
      source_id: null,
      created_at: added.created_at,
    });
  });
});
