// What one full queue batch costs in D1 (issue 18: ≤ 0.1 round trips per SES event; issue 19: few
// statements per event), measured through the consumer's own log line (meteredD1), and that a
// redelivered batch, however many multi-row statements wrote it, stores nothing twice and plans no
// webhook delivery twice.
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import {
  consume,
  type FixtureName,
  newTenant,
  notification,
  sesEvent,
  type Tenant,
  testEnv,
} from './helpers';
import { seedEmails, stateOf } from './reputation-helpers';

interface BatchLine {
  messages: number;
  events: number;
  stored: number;
  webhook_deliveries: number;
  d1: { statements: number; round_trips: number; rows_written: number };
}

let tenant: Tenant;
let log: MockInstance<typeof console.log>;
let queued: number;

beforeEach(async () => {
  tenant = await newTenant();
  log = vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  queued = 0;
  // Detached: the deliveries are counted, not sent.
  vi.spyOn(testEnv.WEBHOOKS_QUEUE, 'sendBatch').mockImplementation(async (messages) => {
    queued += [...messages].length;
    return undefined as never;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

function lastBatchLine(): BatchLine {
  const lines = log.mock.calls
    .map(([text]) => String(text))
    .filter((text) => text.includes('events.ses_batch'));
  return JSON.parse(lines.at(-1) ?? '{}') as BatchLine;
}

async function count(sql: string, ...params: unknown[]): Promise<number> {
  return (
    (await testEnv.DB.prepare(sql)
      .bind(...params)
      .first<number>('n')) ?? 0
  );
}

/** 100 notifications about 100 emails: a quarter each of Send, Delivery, hard Bounce and Complaint, sent now. */
async function fullBatch() {
  const emails = await seedEmails(tenant, 100);
  const kinds: FixtureName[] = ['send', 'delivery', 'bounce-permanent', 'complaint'];
  const at = new Date().toISOString();
  return emails.map((email, n) =>
    notification(
      sesEvent(kinds[Math.floor(n / 25)] as FixtureName, email, {
        change: (event) => {
          for (const part of Object.values(event)) {
            if (part && typeof part === 'object' && 'timestamp' in part) part.timestamp = at;
          }
        },
      }),
    ),
  );
}

async function subscribeWebhook(): Promise<string> {
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  const events = ['email.sent', 'email.delivered', 'email.bounced', 'email.complained', 'suppression.added'];
  await testEnv.DB.prepare(
    `INSERT INTO webhooks (id, tenant_id, endpoint, events, status, secret, created_at, updated_at)
     VALUES (?, ?, 'https://hooks.example.test/h', ?, 'enabled', 'whsec_unused', ?, ?)`,
  )
    .bind(id, tenant.tenantId, JSON.stringify(events), now, now)
    .run();
  return id;
}

describe('a full queue batch of 100 SES events', () => {
  it('makes at most 3 D1 round trips and 10 statements, webhooks, suppressions and a guardrail pause included', async () => {
    const webhook = await subscribeWebhook();
    // 1,000 sends already counted today, so this batch's complaints pause the stream: the guardrail's
    // write (the third round trip) is part of what is measured.
    const today = new Date().toISOString().slice(0, 10);
    await testEnv.DB.prepare(
      "INSERT INTO event_counters (tenant_id, stream, day, sent) VALUES (?, 'transactional', ?, 1000)",
    )
      .bind(tenant.tenantId, today)
      .run();

    const result = await consume(await fullBatch());

    expect(result.explicitAcks).toEqual(result.ids);
    const line = lastBatchLine();
    expect(line).toMatchObject({ messages: 100, events: 100, stored: 100 });
    expect(line.d1.round_trips).toBeLessThanOrEqual(3);
    expect(line.d1.statements).toBeLessThanOrEqual(10);
    // Every email's event is there, counted once, each with its webhook delivery; the 50 bounces and
    // complaints all name ada@customer.test, so one suppression and one suppression.added delivery.
    expect(await count('SELECT count(*) AS n FROM events WHERE tenant_id = ?', tenant.tenantId)).toBe(100);
    expect(await count('SELECT count(*) AS n FROM webhook_deliveries WHERE webhook_id = ?', webhook)).toBe(
      101,
    );
    expect(queued).toBe(101);
    expect(line.webhook_deliveries).toBe(101);
    expect(await count('SELECT count(*) AS n FROM suppressions WHERE tenant_id = ?', tenant.tenantId)).toBe(
      1,
    );
    expect(
      await count(
        "SELECT count(*) AS n FROM emails WHERE tenant_id = ? AND last_event <> 'sent'",
        tenant.tenantId,
      ),
    ).toBe(75);
    expect(await stateOf(tenant)).toMatchObject({ status: 'paused', sent: 1025, complained: 25 });
  });

  it('redelivered whole, stores nothing twice, counts nothing twice and plans no webhook twice', async () => {
    const webhook = await subscribeWebhook();
    const bodies = await fullBatch();
    await consume(bodies);
    const deliveries = await count(
      'SELECT count(*) AS n FROM webhook_deliveries WHERE webhook_id = ?',
      webhook,
    );
    queued = 0;

    const again = await consume(bodies);

    expect(again.explicitAcks).toEqual(again.ids);
    expect(lastBatchLine()).toMatchObject({ events: 100, stored: 0, webhook_deliveries: 0 });
    expect(queued).toBe(0);
    expect(await count('SELECT count(*) AS n FROM events WHERE tenant_id = ?', tenant.tenantId)).toBe(100);
    expect(await count('SELECT count(*) AS n FROM webhook_deliveries WHERE webhook_id = ?', webhook)).toBe(
      deliveries,
    );
    expect(
      await count(
        'SELECT sum(sent + delivered + bounced + complained) AS n FROM event_counters WHERE tenant_id = ?',
        tenant.tenantId,
      ),
    ).toBe(100);
  });
});
