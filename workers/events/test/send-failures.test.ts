// `send.failed` from the send consumer (an email it gave up on) through the real events consumer:
// one `email.failed` event per email however often send reports it, counted in the stats, and a
// webhook delivery for each webhook subscribed to email.failed, queued after the commit.
import type { SendFailedMessage } from '@mailgrid/contracts';
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

const AT = '2026-09-04T10:00:00.000Z';

function failed(email: { id: string; tenant: Tenant }, overrides: Partial<SendFailedMessage> = {}) {
  return {
    kind: 'send.failed',
    tenant_id: email.tenant.tenantId,
    email_id: email.id,
    reason: 'SES 400: Email address is not verified.',
    occurred_at: AT,
    ...overrides,
  } satisfies SendFailedMessage;
}

async function seedWebhook(owner: Tenant, types: string[]) {
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  await testEnv.DB.prepare(
    'INSERT INTO webhooks (id, tenant_id, endpoint, events, status, secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  )
    .bind(
      id,
      owner.tenantId,
      'https://hooks.example.test/failed',
      JSON.stringify(types),
      'enabled',
      `whsec_${btoa('0123456789abcdef0123456789abcdef')}`,
      now,
      now,
    )
    .run();
  return id;
}

describe('send.failed', () => {
  it('records email.failed with the reason, once however often it is reported', async () => {
    const email = await seedEmail(tenant, 'failed');
    const first = await consume([failed(email), failed(email)]);
    expect(first.explicitAcks).toEqual(first.ids);
    const again = await consume([failed(email, { occurred_at: '2026-09-04T10:05:00.000Z' })]);
    expect(again.explicitAcks).toEqual(again.ids);

    const rows = await eventsOf(email.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      type: 'email.failed',
      recipient: null,
      occurred_at: AT,
      // Mailgrid's own report, apart from SES's events.
      source: 'send',
      dedupe_key: `send.failed:${email.id}`,
    });
    expect(JSON.parse(rows[0]?.data ?? '{}')).toEqual({ reason: 'SES 400: Email address is not verified.' });
    expect(await lastEventOf(email.id)).toBe('failed');
    const listed = value(await events.listEmailEvents(tenant.caller, email.id)).data;
    expect(listed).toEqual([
      {
        type: 'email.failed',
        recipient: null,
        occurred_at: AT,
        data: { reason: 'SES 400: Email address is not verified.' },
      },
    ]);
    const stats = value(await events.getStats(tenant.caller, { from: '2026-09-04', to: '2026-09-04' }));
    expect(stats.totals).toMatchObject({ failed: 1 });
  });

  it('fires the webhooks subscribed to email.failed, with Resend’s failed object', async () => {
    const email = await seedEmail(tenant, 'failed');
    const subscribed = await seedWebhook(tenant, ['email.failed']);
    const other = await seedWebhook(tenant, ['email.delivered']);
    const queued = vi.spyOn(testEnv.WEBHOOKS_QUEUE, 'sendBatch');

    await consume([failed(email)]);
    await consume([failed(email)]);

    const { results } = await testEnv.DB.prepare(
      'SELECT id, webhook_id, type, payload FROM webhook_deliveries WHERE tenant_id = ?',
    )
      .bind(tenant.tenantId)
      .all<{ id: string; webhook_id: string; type: string; payload: string }>();
    expect(results.map((row) => [row.webhook_id, row.type])).toEqual([[subscribed, 'email.failed']]);
    expect(results.some((row) => row.webhook_id === other)).toBe(false);
    expect(JSON.parse(results[0]?.payload ?? '{}')).toMatchObject({
      type: 'email.failed',
      created_at: AT,
      data: {
        email_id: email.id,
        subject: 'Your order',
        failed: { reason: 'SES 400: Email address is not verified.' },
      },
    });
    // Queued once: the second report created no second delivery.
    expect(queued.mock.calls.flatMap(([messages]) => [...messages]).map((message) => message.body)).toEqual([
      expect.objectContaining({ kind: 'webhook.deliver', delivery_id: results[0]?.id }),
    ]);
  });

  it("acks what it cannot use: another tenant's email, an unknown one, a malformed message", async () => {
    const other = await newTenant();
    const email = await seedEmail(tenant, 'failed');
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const result = await consume([
      failed(email, { tenant_id: other.tenantId }),
      failed({ id: crypto.randomUUID(), tenant }),
      { kind: 'send.failed', tenant_id: tenant.tenantId } as never,
    ]);
    expect(result.explicitAcks.sort()).toEqual([...result.ids].sort());
    expect(await eventsOf(email.id)).toEqual([]);
  });
});
