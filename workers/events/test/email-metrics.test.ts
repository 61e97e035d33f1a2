// GET /api/emails/metrics behind EventsRpc.getEmailMetrics: Resend's metrics computed from the emails
// and their events (each email in the period it was accepted in), periods in a time zone, dimensions,
// filters, tenant scoping and the limits that keep it one bounded statement.
import type { EmailMetricsQuery } from '@mailgrid/contracts';
import { beforeEach, describe, expect, it } from 'vitest';
import { newTenant, type Tenant, testEnv } from './helpers';
import { events, value } from './reputation-helpers';

let tenant: Tenant;

beforeEach(async () => {
  tenant = await newTenant();
});

async function email(
  t: Tenant,
  createdAt: string,
  fields: { suppressed?: string[]; status?: string } = {},
): Promise<string> {
  const id = crypto.randomUUID();
  await testEnv.DB.prepare(
    `INSERT INTO emails (id, tenant_id, domain_id, from_address, to_addresses, suppressed, subject, body_key,
       status, last_event, created_at)
     VALUES (?, ?, ?, ?, '["ada@customer.test","bob@customer.test"]', ?, 'Hi', ?, ?, 'sent', ?)`,
  )
    .bind(
      id,
      t.tenantId,
      t.domainId,
      `Acme <hello@${t.domain}>`,
      JSON.stringify(fields.suppressed ?? []),
      `bodies/${id}`,
      fields.status ?? 'sent',
      createdAt,
    )
    .run();
  return id;
}

async function event(
  t: Tenant,
  emailId: string,
  type: string,
  fields: { recipient?: string | null; data?: object; machine?: boolean } = {},
): Promise<void> {
  const now = new Date().toISOString();
  await testEnv.DB.prepare(
    `INSERT INTO events (id, tenant_id, email_id, type, recipient, occurred_at, source, dedupe_key, data, machine, created_at)
     VALUES (?, ?, ?, ?, ?, ?, 'ses', ?, ?, ?, ?)`,
  )
    .bind(
      crypto.randomUUID(),
      t.tenantId,
      emailId,
      type,
      fields.recipient === undefined ? 'ada@customer.test' : fields.recipient,
      now,
      crypto.randomUUID(),
      JSON.stringify(fields.data ?? {}),
      fields.machine ? 1 : 0,
      now,
    )
    .run();
}

const metrics = (query: EmailMetricsQuery) => events.getEmailMetrics(tenant.caller, query);

/** Sept 1 (UTC): four emails with a bit of everything. */
async function feedDay(t: Tenant) {
  const [a, b, c, d] = [
    await email(t, '2026-09-01T10:00:00.000Z'),
    await email(t, '2026-09-01T11:00:00.000Z'),
    await email(t, '2026-09-01T12:00:00.000Z', { suppressed: ['carol@customer.test'] }),
    await email(t, '2026-09-01T13:00:00.000Z'),
  ] as [string, string, string, string];
  for (const id of [a, b, c, d]) await event(t, id, 'email.sent', { recipient: null });
  for (const id of [a, b, c]) await event(t, id, 'email.delivered');
  await event(t, d, 'email.bounced', { data: { bounce_type: 'Permanent' } });
  await event(t, d, 'email.bounced', { recipient: 'bob@customer.test', data: { bounce_type: 'Transient' } });
  await event(t, a, 'email.opened');
  await event(t, a, 'email.opened');
  await event(t, b, 'email.opened');
  await event(t, c, 'email.opened', { machine: true });
  await event(t, a, 'email.clicked');
  await event(t, b, 'email.complained');
  await event(t, c, 'email.unsubscribed');
  await event(t, d, 'email.delivery_delayed');
  return { a, b, c, d };
}

describe('totals', () => {
  it('count the emails accepted in the range and their events; rates are fractions', async () => {
    await feedDay(tenant);
    const other = await newTenant();
    await feedDay(other);

    const answer = value(
      await events.getEmailMetrics(tenant.caller, {
        start_date: '2026-09-01',
        end_date: '2026-09-01',
        metrics: [...ALL],
      }),
    );
    expect(answer).toMatchObject({
      object: 'metrics',
      start_date: '2026-09-01T00:00:00.000Z',
      end_date: '2026-09-02T00:00:00.000Z',
      dimensions: [],
      granularity: 'daily',
    });
    expect(answer.data).toBeUndefined();
    expect(answer.totals).toEqual({
      received: 4,
      suppressed: 1,
      sent: 4,
      delivered: 3,
      bounced: 2,
      bounced_permanent: 1,
      bounced_transient: 1,
      bounced_undetermined: 0,
      opened: 3,
      clicked: 1,
      unique_opened: 2,
      unique_clicked: 1,
      complained: 1,
      unsubscribed: 1,
      delivery_delayed: 1,
      failed: 0,
      delivery_rate: 0.75,
      bounce_rate: 0.5,
      open_rate: 0.6667,
      click_rate: 0.3333,
      complaint_rate: 0.3333,
      unsubscribe_rate: 0.3333,
    });
  });

  it('default to every count over the six days before now, and to zeros with no email', async () => {
    const answer = value(await metrics({}));
    expect(answer.metrics).toEqual([...COUNTS]);
    expect(Object.values(answer.totals).every((count) => count === 0)).toBe(true);
    expect(Date.parse(answer.end_date) - Date.parse(answer.start_date)).toBe(6 * 86_400_000);
  });
});

/** Resend's count metrics, in its order: written out here, not imported, so a change to them shows. */
const COUNTS = [
  'received',
  'delivered',
  'complained',
  'suppressed',
  'bounced',
  'bounced_transient',
  'bounced_permanent',
  'bounced_undetermined',
  'opened',
  'clicked',
  'unsubscribed',
  'delivery_delayed',
  'failed',
  'sent',
  'unique_opened',
  'unique_clicked',
] as const;
const ALL = [
  ...COUNTS,
  'delivery_rate',
  'open_rate',
  'click_rate',
  'bounce_rate',
  'complaint_rate',
  'unsubscribe_rate',
] as const;

describe('dimensions', () => {
  it('period: every period of the range, empty ones as zeros', async () => {
    await feedDay(tenant);
    const answer = value(
      await metrics({
        start_date: '2026-09-01',
        end_date: '2026-09-03',
        dimensions: ['period'],
        metrics: ['received', 'delivered'],
      }),
    );
    expect(answer.data).toEqual([
      { period: '2026-09-01T00:00:00.000Z', received: 4, delivered: 3 },
      { period: '2026-09-02T00:00:00.000Z', received: 0, delivered: 0 },
      { period: '2026-09-03T00:00:00.000Z', received: 0, delivered: 0 },
    ]);
  });

  it('period: days, hours and weeks of the time zone asked for, half-hour zones too', async () => {
    // 22:30 on Sept 1 in New York, 08:00 on Sept 2 in Kolkata; 00:15 on Sept 2 in Kolkata; Sunday
    // Sept 6 noon in UTC (08:00 in New York, 17:30 in Kolkata).
    await email(tenant, '2026-09-02T02:30:00.000Z');
    await email(tenant, '2026-09-01T18:45:00.000Z');
    await email(tenant, '2026-09-06T12:00:00.000Z');
    const periods = async (query: EmailMetricsQuery) =>
      value(await metrics({ ...query, dimensions: ['period'], metrics: ['received'] }))
        .data?.filter((row) => row.received !== 0)
        .map((row) => [row.period, row.received]);

    const range = { start_date: '2026-09-01T00:00:00Z', end_date: '2026-09-07T00:00:00Z' };
    expect(await periods({ ...range, timezone: 'America/New_York' })).toEqual([
      ['2026-09-01T04:00:00.000Z', 2],
      ['2026-09-06T04:00:00.000Z', 1],
    ]);
    expect(await periods({ ...range, timezone: 'Asia/Kolkata' })).toEqual([
      ['2026-09-01T18:30:00.000Z', 2],
      ['2026-09-05T18:30:00.000Z', 1],
    ]);
    expect(await periods({ ...range, granularity: 'weekly' })).toEqual([['2026-08-31T00:00:00.000Z', 3]]);
    expect(await periods({ ...range, granularity: 'hourly', timezone: 'Asia/Kolkata' })).toEqual([
      ['2026-09-01T18:30:00.000Z', 1],
      ['2026-09-02T02:30:00.000Z', 1],
      ['2026-09-06T11:30:00.000Z', 1],
    ]);
    expect(await periods({ ...range, granularity: 'monthly' })).toEqual([['2026-09-01T00:00:00.000Z', 3]]);
  });

  it('period: an hourly series runs on through the hour a clock turns back', async () => {
    // New York falls back at 06:00Z on Nov 1, 2026: 01:00 local comes twice, as one period.
    const answer = value(
      await metrics({
        start_date: '2026-11-01T00:00:00Z',
        end_date: '2026-11-01T12:00:00Z',
        timezone: 'America/New_York',
        granularity: 'hourly',
        dimensions: ['period'],
        metrics: ['received'],
      }),
    );
    const periods = answer.data?.map((row) => row.period) ?? [];
    expect(periods).toHaveLength(11);
    expect(periods[0]).toBe('2026-11-01T00:00:00.000Z');
    expect(periods.at(-1)).toBe('2026-11-01T11:00:00.000Z');
    expect(new Set(periods).size).toBe(11);
  });

  it('domain and email: one row per combination, with the domain name; filters narrow it', async () => {
    const { a } = await feedDay(tenant);
    const byDomain = value(
      await metrics({
        start_date: '2026-09-01',
        end_date: '2026-09-01',
        dimensions: ['domain'],
        metrics: ['sent'],
      }),
    );
    expect(byDomain.data).toEqual([{ domain_id: tenant.domainId, domain_name: tenant.domain, sent: 4 }]);

    const byEmail = value(
      await metrics({
        start_date: '2026-09-01',
        end_date: '2026-09-01',
        dimensions: ['email'],
        email_id: [a],
        metrics: ['opened', 'unique_opened'],
      }),
    );
    expect(byEmail.data).toEqual([{ email_id: a, opened: 2, unique_opened: 1 }]);
    expect(byEmail.totals).toEqual({ opened: 2, unique_opened: 1 });
  });
});

describe('refused', () => {
  it('ranges too long, out of order, bad zones and email with broadcast, each a 422 naming it', async () => {
    const refused = async (query: EmailMetricsQuery) => {
      const result = await metrics(query);
      if (result.ok) throw new Error('expected a refusal');
      expect(result.error.code).toBe('validation_error');
      return result.error.message;
    };
    expect(await refused({ start_date: '2026-01-01', end_date: '2026-06-01' })).toMatch(
      /longer than 92 days/,
    );
    expect(
      await refused({ start_date: '2026-09-01', end_date: '2026-09-09', granularity: 'hourly' }),
    ).toMatch(/longer than 7 days/);
    expect(await refused({ start_date: '2026-09-05', end_date: '2026-09-01' })).toMatch(/after end_date/);
    expect(await refused({ timezone: 'Mars/Olympus' })).toMatch(/IANA time zone/);
    expect(await refused({ start_date: '2026-02-30' })).toMatch(/not a calendar date/);
    expect(await refused({ dimensions: ['broadcast'], email_id: [crypto.randomUUID()] })).toMatch(
      /cannot be combined/,
    );
  });
});

it('an end in the future is now', async () => {
  const start = new Date(Date.now() - 2 * 86_400_000).toISOString();
  const answer = value(await metrics({ start_date: start, end_date: '2999-01-01' }));
  expect(Date.parse(answer.end_date)).toBeLessThanOrEqual(Date.now());
  expect(answer.start_date).toBe(start);
});
