// GET /api/stats behind EventsRpc.getStats: per day and stream counts and rates from the day counters
// (fed by the real consumer), machine opens/clicks apart, tenant scoping and range validation.
import { runBatch } from '@mailgrid/db';
import { countEventRows, insertEventRows } from '@mailgrid/db/cross-tenant';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newTenant, type Tenant, testEnv } from './helpers';
import { events, feed, seedEmails, value } from './reputation-helpers';

let tenant: Tenant;

beforeEach(async () => {
  tenant = await newTenant();
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});

afterEach(() => {
  vi.restoreAllMocks();
});

const DAY1 = new Date('2026-09-01T10:00:00.000Z');
const DAY2 = new Date('2026-09-02T23:59:00.000Z');

/** Day 1, transactional: a bit of everything. Day 2, marketing: three sent and delivered. */
async function feedMix(t: Tenant) {
  const tx = await seedEmails(t, 5, 'transactional');
  await feed(tx, 'send', DAY1);
  await feed(tx.slice(0, 3), 'delivery', DAY1);
  await feed(tx.slice(3, 4), 'bounce-permanent', DAY1);
  await feed(tx.slice(4, 5), 'bounce-transient', DAY1);
  await feed(tx.slice(0, 1), 'complaint', DAY1);
  await feed(tx.slice(0, 2), 'open', DAY1);
  await feed(tx.slice(0, 1), 'click', DAY1);
  await feed(tx.slice(4, 5), 'delivery-delay', DAY1);
  await feed(tx.slice(4, 5), 'reject', DAY1);
  const marketing = await seedEmails(t, 3, 'marketing');
  await feed(marketing, 'send', DAY2);
  await feed(marketing, 'delivery', DAY2);
}

const EMPTY = {
  sent: 0,
  delivered: 0,
  bounced: 0,
  soft_bounced: 0,
  complained: 0,
  opened: 0,
  clicked: 0,
  machine_opened: 0,
  machine_clicked: 0,
  delayed: 0,
  failed: 0,
};

describe('counts and rates', () => {
  it('match the events fed in, per day and stream, with totals', async () => {
    await feedMix(tenant);

    const stats = value(await events.getStats(tenant.caller, { from: '2026-09-01', to: '2026-09-02' }));
    expect(stats).toMatchObject({ object: 'stats', from: '2026-09-01', to: '2026-09-02', stream: null });
    expect(stats.data).toEqual([
      {
        date: '2026-09-01',
        stream: 'transactional',
        ...EMPTY,
        sent: 5,
        delivered: 3,
        bounced: 1,
        soft_bounced: 1,
        complained: 1,
        opened: 2,
        clicked: 1,
        delayed: 1,
        failed: 1,
        delivery_rate: 0.6,
        bounce_rate: 0.2,
        complaint_rate: 0.2,
      },
      {
        date: '2026-09-02',
        stream: 'marketing',
        ...EMPTY,
        sent: 3,
        delivered: 3,
        delivery_rate: 1,
        bounce_rate: 0,
        complaint_rate: 0,
      },
    ]);
    expect(stats.totals).toMatchObject({ sent: 8, delivered: 6, bounced: 1, complained: 1 });
    expect(stats.totals.delivery_rate).toBeCloseTo(0.75);
  });

  it('filter by stream and by range', async () => {
    await feedMix(tenant);

    const marketing = value(
      await events.getStats(tenant.caller, { from: '2026-09-01', to: '2026-09-02', stream: 'marketing' }),
    );
    expect(marketing.data.map((row) => [row.date, row.stream, row.sent])).toEqual([
      ['2026-09-02', 'marketing', 3],
    ]);
    const day1 = value(await events.getStats(tenant.caller, { from: '2026-09-01', to: '2026-09-01' }));
    expect(day1.totals.sent).toBe(5);
  });

  it('defaults to the last 7 days, today included', async () => {
    await feed(await seedEmails(tenant, 2), 'send');

    const stats = value(await events.getStats(tenant.caller, {}));
    const today = new Date().toISOString().slice(0, 10);
    expect(stats.to).toBe(today);
    expect(Date.parse(stats.to) - Date.parse(stats.from)).toBe(6 * 86_400_000);
    expect(stats.totals.sent).toBe(2);
  });

  it('another tenant’s events are not counted', async () => {
    await feedMix(await newTenant());

    const stats = value(await events.getStats(tenant.caller, { from: '2026-09-01', to: '2026-09-02' }));
    expect(stats.data).toEqual([]);
    expect(stats.totals).toMatchObject({ sent: 0, delivery_rate: 0 });
  });
});

describe('machine opens and clicks', () => {
  it('are counted apart and left out of opened/clicked unless include_machine=true', async () => {
    const [email] = await seedEmails(tenant, 1);
    // Tracking marks machine events; here an events row written and counted as its consumer does.
    const row = {
      id: crypto.randomUUID(),
      tenant_id: tenant.tenantId,
      email_id: email?.id ?? '',
      type: 'email.opened',
      recipient: 'ada@customer.test',
      occurred_at: '2026-09-01T10:00:00.000Z',
      source: 'tracking' as const,
      dedupe_key: `test:${crypto.randomUUID()}`,
      data: '{}',
      machine: 1,
      created_at: new Date().toISOString(),
    };
    await runBatch(testEnv.DB, [
      ...insertEventRows([row]),
      ...countEventRows([{ ...row, stream: 'transactional' }]),
    ]);

    const range = { from: '2026-09-01', to: '2026-09-01' };
    expect(value(await events.getStats(tenant.caller, range)).totals).toMatchObject({
      opened: 0,
      machine_opened: 1,
    });
    expect(
      value(await events.getStats(tenant.caller, { ...range, include_machine: 'true' })).totals,
    ).toMatchObject({ opened: 1, machine_opened: 1 });
  });
});

describe('range validation', () => {
  it.each([
    [{ from: '2026-09-02', to: '2026-09-01' }, 'after'],
    [{ from: '2026-01-01', to: '2026-04-01' }, '90 days'],
    [{ from: '2026-02-30', to: '2026-03-01' }, 'calendar date'],
  ])('%o is a validation_error (%s)', async (query, message) => {
    const result = await events.getStats(tenant.caller, query);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('validation_error');
      expect(result.error.message).toContain(message);
    }
  });

  it('exactly 90 days is allowed', async () => {
    const stats = value(await events.getStats(tenant.caller, { from: '2026-01-01', to: '2026-03-31' }));
    expect(stats.from).toBe('2026-01-01');
  });
});
