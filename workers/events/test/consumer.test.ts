// The SES notification consumer: normalizing every SES event type, exactly-once storage under
// redelivery, last_event only moving forward, auto-suppression, and one D1 batch per queue batch.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  consume,
  eventsOf,
  type FixtureName,
  lastEventOf,
  newTenant,
  notification,
  seedEmail,
  sesEvent,
  suppressionOf,
  type Tenant,
  testEnv,
} from './helpers';

let tenant: Tenant;

beforeEach(async () => {
  tenant = await newTenant();
  vi.spyOn(console, 'log').mockImplementation(() => {});
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('normalizing SES events', () => {
  const cases: [FixtureName, string, string | null, Record<string, unknown>][] = [
    ['send', 'email.sent', 'ada@customer.test', { ses_message_id: expect.any(String) }],
    ['delivery', 'email.delivered', 'ada@customer.test', { processing_time_ms: 2120 }],
    [
      'bounce-permanent',
      'email.bounced',
      'ada@customer.test',
      {
        bounce_type: 'Permanent',
        bounce_subtype: 'General',
        diagnostic_code: 'smtp; 550 5.1.1 user unknown',
      },
    ],
    [
      'bounce-transient',
      'email.bounced',
      'ada@customer.test',
      { bounce_type: 'Transient', bounce_subtype: 'MailboxFull' },
    ],
    [
      'complaint',
      'email.complained',
      'ada@customer.test',
      { feedback_type: 'abuse', user_agent: 'Yahoo!-Mail-Feedback/2.0' },
    ],
    [
      'delivery-delay',
      'email.delivery_delayed',
      'ada@customer.test',
      { delay_type: 'TransientCommunicationFailure' },
    ],
    ['reject', 'email.failed', 'ada@customer.test', { reason: 'rejected: Bad content' }],
    [
      'rendering-failure',
      'email.failed',
      'ada@customer.test',
      { template_name: 'order-confirmation', reason: expect.stringContaining('rendering failure') },
    ],
    ['open', 'email.opened', 'ada@customer.test', { ip_address: '198.51.100.7' }],
    ['click', 'email.clicked', 'ada@customer.test', { link: 'https://acme.example.test/orders/42' }],
  ];

  it.each(cases)('stores %s as %s for its recipient', async (fixture, type, recipient, data) => {
    const email = await seedEmail(tenant);
    const result = await consume([notification(sesEvent(fixture, email))]);

    expect(result.explicitAcks).toEqual(result.ids);
    const events = await eventsOf(email.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      tenant_id: tenant.tenantId,
      type,
      recipient,
      source: 'ses',
      machine: 0,
    });
    expect(JSON.parse(events[0]?.data ?? '{}')).toMatchObject(data);
  });

  it('stores one event per recipient of a multi-recipient delivery', async () => {
    const email = await seedEmail(tenant);
    const message = sesEvent('delivery', email, {
      change: (event) => {
        event.mail.destination = ['ada@customer.test', 'Bob <Bob@Customer.test>'];
        event.delivery.recipients = ['ada@customer.test', 'Bob@Customer.test'];
      },
    });
    await consume([notification(message)]);
    expect((await eventsOf(email.id)).map((event) => event.recipient).sort()).toEqual([
      'ada@customer.test',
      'bob@customer.test',
    ]);
  });

  it('finds the email by its SES message id when the event carries no mailgrid tags', async () => {
    const email = await seedEmail(tenant);
    await consume([notification(sesEvent('delivery', email, { tags: false }))]);
    expect(await eventsOf(email.id)).toHaveLength(1);
    expect(await lastEventOf(email.id)).toBe('delivered');
  });

  it('acks a Subscription event and stores nothing: Mailgrid does not use SES contact lists', async () => {
    const email = await seedEmail(tenant);
    const result = await consume([notification(sesEvent('subscription', email))]);
    expect(result.explicitAcks).toEqual(result.ids);
    expect(await eventsOf(email.id)).toEqual([]);
  });
});

describe('redelivery', () => {
  it('stores a notification delivered in three batches once', async () => {
    const email = await seedEmail(tenant);
    const message = notification(sesEvent('bounce-permanent', email), 'sns-same-id');
    for (let i = 0; i < 3; i++) {
      const result = await consume([message]);
      expect(result.explicitAcks).toEqual(result.ids);
    }
    expect(await eventsOf(email.id)).toHaveLength(1);
    expect(await lastEventOf(email.id)).toBe('bounced');
  });

  it('stores a notification that appears twice in one batch once', async () => {
    const email = await seedEmail(tenant);
    const message = notification(sesEvent('delivery', email));
    const result = await consume([message, message]);
    expect(result.explicitAcks).toEqual(result.ids);
    expect(await eventsOf(email.id)).toHaveLength(1);
  });

  it('dedupes on the SES event, not the SNS envelope: the same event under another SNS id is stored once', async () => {
    const email = await seedEmail(tenant);
    const event = sesEvent('complaint', email);
    await consume([notification(event, 'sns-a')]);
    await consume([notification(event, 'sns-b')]);
    expect(await eventsOf(email.id)).toHaveLength(1);
  });

  it('keeps distinct events that look alike: two opens at different times are two events', async () => {
    const email = await seedEmail(tenant);
    const later = sesEvent('open', email, {
      change: (event) => {
        event.open.timestamp = '2026-09-01T18:00:00.000Z';
      },
    });
    await consume([notification(sesEvent('open', email)), notification(later)]);
    expect(await eventsOf(email.id)).toHaveLength(2);
  });
});

describe('last_event moves forward only', () => {
  it('keeps bounced when the Delivery arrives after the Bounce, in separate batches', async () => {
    const email = await seedEmail(tenant);
    await consume([notification(sesEvent('bounce-permanent', email))]);
    await consume([notification(sesEvent('delivery', email))]);
    expect(await lastEventOf(email.id)).toBe('bounced');
    expect((await eventsOf(email.id)).map((event) => event.type).sort()).toEqual([
      'email.bounced',
      'email.delivered',
    ]);
  });

  it('keeps bounced when both arrive in one batch, Bounce first', async () => {
    const email = await seedEmail(tenant);
    await consume([
      notification(sesEvent('bounce-permanent', email)),
      notification(sesEvent('delivery', email)),
    ]);
    expect(await lastEventOf(email.id)).toBe('bounced');
  });

  it('moves delivered to opened, and opened to clicked, but a later delay never moves it back', async () => {
    const email = await seedEmail(tenant);
    await consume([notification(sesEvent('delivery', email))]);
    expect(await lastEventOf(email.id)).toBe('delivered');
    await consume([notification(sesEvent('open', email))]);
    expect(await lastEventOf(email.id)).toBe('opened');
    await consume([notification(sesEvent('click', email))]);
    await consume([notification(sesEvent('delivery-delay', email))]);
    expect(await lastEventOf(email.id)).toBe('clicked');
  });

  it('marks a rejected email failed', async () => {
    const email = await seedEmail(tenant);
    await consume([notification(sesEvent('reject', email))]);
    expect(await lastEventOf(email.id)).toBe('failed');
  });
});

describe('suppression', () => {
  it('suppresses a hard-bounced address for that tenant only', async () => {
    const other = await newTenant();
    const email = await seedEmail(tenant);
    await consume([notification(sesEvent('bounce-permanent', email))]);
    expect(await suppressionOf(tenant, 'ada@customer.test')).toBe('bounce:Permanent/General');
    expect(await suppressionOf(other, 'ada@customer.test')).toBeNull();
  });

  it('suppresses a complaining address', async () => {
    const email = await seedEmail(tenant);
    await consume([notification(sesEvent('complaint', email))]);
    expect(await suppressionOf(tenant, 'ada@customer.test')).toBe('complaint');
  });

  it('does not suppress on a transient bounce', async () => {
    const email = await seedEmail(tenant);
    await consume([notification(sesEvent('bounce-transient', email))]);
    expect(await suppressionOf(tenant, 'ada@customer.test')).toBeNull();
    expect(await lastEventOf(email.id)).toBe('bounced');
  });
});

describe('messages that cannot be stored', () => {
  it('acks an event about an email Mailgrid does not have, and stores nothing', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const ghost = { tenant, id: crypto.randomUUID(), sesMessageId: 'ses-never-sent' };
    const result = await consume([notification(sesEvent('delivery', ghost))]);
    expect(result.explicitAcks).toEqual(result.ids);
    expect(result.retryMessages).toEqual([]);
    expect(await eventsOf(ghost.id)).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('no email for this SES event'));
  });

  it("does not attach an event to another tenant's email through forged tags", async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const other = await newTenant();
    const email = await seedEmail(tenant);
    const forged = sesEvent('delivery', email, {
      change: (event) => {
        event.mail.messageId = 'ses-unknown';
        event.mail.tags.mailgrid_tenant_id = [other.tenantId];
      },
    });
    await consume([notification(forged)]);
    expect(await eventsOf(email.id)).toEqual([]);
  });

  it.each([
    ['not JSON', 'this is not json'],
    ['no mail object', JSON.stringify({ eventType: 'Delivery' })],
    [
      'an unknown eventType',
      JSON.stringify({ eventType: 'Teleport', mail: { messageId: 'x', timestamp: 'y' } }),
    ],
    [
      'a Bounce without its bounce object',
      JSON.stringify({ eventType: 'Bounce', mail: { messageId: 'x', timestamp: 'y' } }),
    ],
  ])('acks and logs a malformed message (%s)', async (_label, message) => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const result = await consume([notification(message)]);
    expect(result.explicitAcks).toEqual(result.ids);
    expect(result.retryMessages).toEqual([]);
    expect(error).toHaveBeenCalledOnce();
  });

  it('stores the good messages of a batch that also holds malformed ones and other kinds', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const email = await seedEmail(tenant);
    const result = await consume([
      notification('{'),
      notification(sesEvent('delivery', email)),
      { kind: 'from.the.future' },
    ]);
    expect(result.explicitAcks).toEqual(result.ids.slice(0, 2));
    expect(result.retryMessages.map((message) => message.msgId)).toEqual([result.ids[2]]);
    expect(await eventsOf(email.id)).toHaveLength(1);
  });
});

describe('D1 use', () => {
  it('reads once and writes once per queue batch, a handful of multi-row statements', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const first = await seedEmail(tenant);
    const second = await seedEmail(tenant);
    const batch = vi.spyOn(testEnv.DB, 'batch');
    await consume([
      notification(sesEvent('delivery', first)),
      notification(sesEvent('bounce-permanent', second)),
      notification(sesEvent('open', first)),
      notification(sesEvent('complaint', first)),
    ]);
    // The read (emails, webhooks) and the write: 4 events in one insert, 2 suppressions in one, both
    // emails' last_event in one update, one counter upsert, and the guardrail's two reads (a bounce
    // and a complaint move the rates). The streams stay ok below 200 sends: no third round trip.
    expect(batch.mock.calls.map(([statements]) => statements.length)).toEqual([2, 6]);
    const line = log.mock.calls
      .map(([text]) => String(text))
      .find((text) => text.includes('events.ses_batch'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({
      events: 4,
      stored: 4,
      d1: { round_trips: 2, statements: 8 },
    });
    expect(await lastEventOf(first.id)).toBe('complained');
    expect(await lastEventOf(second.id)).toBe('bounced');
    expect(await suppressionOf(tenant, 'ada@customer.test')).toBe('bounce:Permanent/General');
  });

  it('logs one line per batch with the D1 usage', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const email = await seedEmail(tenant);
    await consume([notification(sesEvent('delivery', email))]);
    const lines = log.mock.calls
      .map(([line]) => String(line))
      .filter((line) => line.includes('events.ses_batch'));
    expect(lines).toHaveLength(1);
    // The read (email lookup, the tenants' enabled webhooks), then the event insert, the last_event
    // move and the day-counter upsert; a delivery does not move the reputation rates, so no reads.
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      messages: 1,
      events: 1,
      d1: { round_trips: 2, statements: 5 },
    });
  });

  it('retries the batch when D1 refuses the read, having written nothing', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const email = await seedEmail(tenant);
    vi.spyOn(testEnv.DB, 'batch').mockRejectedValueOnce(new Error('D1_ERROR: overloaded'));
    const result = await consume([notification(sesEvent('delivery', email))]);
    expect(result.retryMessages.map((message) => message.msgId)).toEqual(result.ids);
    expect(await eventsOf(email.id)).toEqual([]);
  });

  it('retries every message when D1 refuses the write batch, and stores it all on the retry', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const email = await seedEmail(tenant);
    const bounced = await seedEmail(tenant);
    const real = testEnv.DB.batch.bind(testEnv.DB);
    let calls = 0;
    vi.spyOn(testEnv.DB, 'batch').mockImplementation(async (statements) => {
      // The read goes through; the write batch fails as a whole (one transaction).
      if (++calls === 2) throw new Error('D1_ERROR: overloaded');
      return real(statements);
    });
    const messages = [
      notification(sesEvent('delivery', email)),
      notification(sesEvent('bounce-permanent', bounced)),
    ];
    const result = await consume(messages);
    expect(result.retryMessages.map((message) => message.msgId)).toEqual(result.ids);
    expect(await eventsOf(email.id)).toEqual([]);
    expect(await lastEventOf(email.id)).toBe('sent');
    expect(await suppressionOf(tenant, 'ada@customer.test')).toBeNull();

    const retried = await consume(messages);
    expect(retried.explicitAcks).toEqual(retried.ids);
    expect(await eventsOf(email.id)).toHaveLength(1);
    expect(await lastEventOf(email.id)).toBe('delivered');
    expect(await suppressionOf(tenant, 'ada@customer.test')).toBe('bounce:Permanent/General');
  });
});

describe('EventsService.listEmailEvents()', () => {
  it("lists an email's events oldest first, and refuses another tenant's email", async () => {
    const { exports } = await import('cloudflare:workers');
    const events = (exports as unknown as { EventsService: import('@mailgrid/contracts').EventsRpc })
      .EventsService;
    const email = await seedEmail(tenant);
    await consume([notification(sesEvent('open', email)), notification(sesEvent('delivery', email))]);
    const result = await events.listEmailEvents(tenant.caller, email.id);
    expect(result).toEqual({
      ok: true,
      value: {
        object: 'list',
        data: [
          expect.objectContaining({ type: 'email.delivered', recipient: 'ada@customer.test' }),
          expect.objectContaining({
            type: 'email.opened',
            data: expect.objectContaining({ ip_address: '198.51.100.7' }),
          }),
        ],
      },
    });
    const other = await newTenant();
    expect(await events.listEmailEvents(other.caller, email.id)).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });
});
