// Tracking events (opens, clicks, unsubscribes from the tracking worker) through the real events
// consumer: stored once under redelivery, machine hits marked and counted apart, last_event moved by
// people only, tenant-scoped, and webhook payloads that say whether a machine did it.
import type { TrackingEventMessage } from '@mailgrid/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { consume, eventsOf, lastEventOf, newTenant, seedEmail, type Tenant, testEnv } from './helpers';
import { events, value } from './reputation-helpers';

let tenant: Tenant;

beforeEach(async () => {
  tenant = await newTenant();
  vi.spyOn(console, 'log').mockImplementation(() => {});
});

afterEach(() => {
  vi.restoreAllMocks();
});

const AT = '2026-09-03T08:30:00.000Z';
const BROWSER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0 Safari/537.36';

function trackingEvent(
  email: { id: string; tenant: Tenant },
  overrides: Partial<TrackingEventMessage> = {},
): TrackingEventMessage {
  return {
    kind: 'tracking.event',
    id: crypto.randomUUID(),
    type: 'opened',
    tenant_id: email.tenant.tenantId,
    email_id: email.id,
    recipient: 'ada@customer.test',
    occurred_at: AT,
    user_agent: BROWSER,
    geo: { country: 'DE', region: 'Berlin', city: 'Berlin' },
    machine: null,
    ...overrides,
  };
}

const dayStats = async (includeMachine = false) =>
  value(
    await events.getStats(tenant.caller, {
      from: '2026-09-03',
      to: '2026-09-03',
      ...(includeMachine ? { include_machine: 'true' } : {}),
    }),
  ).totals;

describe('storing tracking events', () => {
  it('writes a human open and click with user agent, coarse geo and link, and moves last_event', async () => {
    const email = await seedEmail(tenant);
    const result = await consume([
      trackingEvent(email),
      trackingEvent(email, { type: 'clicked', url: 'https://acme.example.test/orders/42' }),
    ]);
    expect(result.explicitAcks).toEqual(result.ids);

    const rows = await eventsOf(email.id);
    expect(rows.map((row) => [row.type, row.source, row.machine])).toEqual([
      ['email.opened', 'tracking', 0],
      ['email.clicked', 'tracking', 0],
    ]);
    expect(JSON.parse(rows[1]?.data ?? '{}')).toEqual({
      link: 'https://acme.example.test/orders/42',
      user_agent: BROWSER,
      geo: { country: 'DE', region: 'Berlin', city: 'Berlin' },
      machine: false,
      machine_reason: null,
    });
    expect(await lastEventOf(email.id)).toBe('clicked');
    expect(await dayStats()).toMatchObject({ opened: 1, clicked: 1, machine_opened: 0, machine_clicked: 0 });

    // And the API shows them as the SES ones are shown.
    const listed = value(await events.listEmailEvents(tenant.caller, email.id)).data;
    expect(listed.map((event) => event.type)).toEqual(['email.opened', 'email.clicked']);
  });

  it('stores a redelivered message once, in another batch or the same one', async () => {
    const email = await seedEmail(tenant);
    const open = trackingEvent(email);
    await consume([open, open]);
    const again = await consume([open]);
    expect(again.explicitAcks).toEqual(again.ids);
    expect(await eventsOf(email.id)).toHaveLength(1);
    expect(await dayStats()).toMatchObject({ opened: 1 });
  });

  it('keeps machine hits, marked, counted apart, and out of last_event unless stats asks for them', async () => {
    const email = await seedEmail(tenant, 'delivered');
    await consume([
      trackingEvent(email, { machine: 'apple_mpp', user_agent: 'Mozilla/5.0' }),
      trackingEvent(email, { type: 'clicked', url: 'https://acme.example.test/', machine: 'scanner' }),
    ]);
    const rows = await eventsOf(email.id);
    expect(rows.map((row) => [row.type, row.machine, JSON.parse(row.data).machine_reason])).toEqual([
      ['email.opened', 1, 'apple_mpp'],
      ['email.clicked', 1, 'scanner'],
    ]);
    expect(await lastEventOf(email.id)).toBe('delivered');
    expect(await dayStats()).toMatchObject({ opened: 0, clicked: 0, machine_opened: 1, machine_clicked: 1 });
    expect(await dayStats(true)).toMatchObject({
      opened: 1,
      clicked: 1,
      machine_opened: 1,
      machine_clicked: 1,
    });
  });

  it('never moves last_event backward', async () => {
    const email = await seedEmail(tenant, 'bounced');
    await consume([trackingEvent(email)]);
    expect(await lastEventOf(email.id)).toBe('bounced');
  });

  it('stores an unsubscribe with its topic, without moving last_event', async () => {
    const email = await seedEmail(tenant, 'delivered');
    await consume([trackingEvent(email, { type: 'unsubscribed', topic_id: 'newsletter' })]);
    const [row] = await eventsOf(email.id);
    expect(row?.type).toBe('email.unsubscribed');
    expect(JSON.parse(row?.data ?? '{}')).toMatchObject({ topic_id: 'newsletter', machine: false });
    expect(await lastEventOf(email.id)).toBe('delivered');
  });

  it('acks and stores nothing for an email of another tenant, an unknown email, or a malformed message', async () => {
    const other = await newTenant();
    const othersEmail = await seedEmail(other);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const result = await consume([
      // The tenant named is not the email's owner.
      { ...trackingEvent(othersEmail), tenant_id: tenant.tenantId },
      trackingEvent({ id: crypto.randomUUID(), tenant }),
      { ...trackingEvent(othersEmail), machine: 'maybe' } as unknown as TrackingEventMessage,
    ]);
    expect(result.explicitAcks).toEqual(result.ids);
    expect(await eventsOf(othersEmail.id)).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(error).toHaveBeenCalledTimes(1);
  });
});

describe('webhooks for tracking events', () => {
  it('carry machine: true|false and the reason in the payload data', async () => {
    const email = await seedEmail(tenant);
    const now = new Date().toISOString();
    await testEnv.DB.prepare(
      'INSERT INTO webhooks (id, tenant_id, endpoint, events, status, secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
      .bind(
        crypto.randomUUID(),
        tenant.tenantId,
        'https://hooks.example.test/t',
        JSON.stringify(['email.opened', 'email.clicked']),
        'enabled',
        `whsec_${btoa('0123456789abcdef0123456789abcdef')}`,
        now,
        now,
      )
      .run();
    const queued = vi.spyOn(testEnv.WEBHOOKS_QUEUE, 'sendBatch');
    const open = trackingEvent(email, { machine: 'bot', user_agent: 'python-requests/2.32' });
    const click = trackingEvent(email, { type: 'clicked', url: 'https://acme.example.test/x' });
    await consume([open, click]);
    await consume([open]);

    const { results } = await testEnv.DB.prepare(
      'SELECT type, payload FROM webhook_deliveries WHERE tenant_id = ? ORDER BY type',
    )
      .bind(tenant.tenantId)
      .all<{ type: string; payload: string }>();
    const payloads = results.map((row) => JSON.parse(row.payload));
    expect(payloads).toHaveLength(2);
    expect(payloads[0]).toMatchObject({
      type: 'email.clicked',
      data: {
        email_id: email.id,
        machine: false,
        machine_reason: null,
        click: { link: 'https://acme.example.test/x', userAgent: BROWSER, timestamp: AT },
      },
    });
    expect(payloads[1]).toMatchObject({
      type: 'email.opened',
      data: { machine: true, machine_reason: 'bot', open: { userAgent: 'python-requests/2.32' } },
    });
    // Queued once each: the redelivered open created no second delivery.
    expect(queued.mock.calls.flatMap(([messages]) => [...messages])).toHaveLength(2);
  });
});
