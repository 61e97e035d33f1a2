// The reputation guardrail: rates over the 7-day window from the day counters the consumer keeps,
// a minimum volume before anything is judged, warning logged once, pause at SES's review levels,
// resume restarting the window, and isolation between streams and between tenants.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { consume, newTenant, notification, sesEvent, type Tenant, testEnv } from './helpers';
import { events, feed, seedEmails, stateOf, value } from './reputation-helpers';

let tenant: Tenant;
let warn: { mock: { calls: unknown[][] } };

beforeEach(async () => {
  tenant = await newTenant();
  vi.spyOn(console, 'log').mockImplementation(() => {});
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** The reputation log lines of one kind, for this test's tenant. */
function signals(kind: 'reputation.warning' | 'reputation.paused') {
  return warn.mock.calls
    .map(([line]) => JSON.parse(String(line)) as { event?: string; tenant_id?: string })
    .filter((line) => line.event === kind && line.tenant_id === tenant.tenantId);
}

/** `sends` emails on the stream, all sent, then `bounces` of them hard-bounced. */
async function sendAndBounce(t: Tenant, sends: number, bounces: number, stream = 'transactional') {
  const emails = await seedEmails(t, sends, stream);
  await feed(emails, 'send');
  await feed(emails.slice(0, bounces), 'bounce-permanent');
  return emails;
}

describe('below the minimum volume', () => {
  it('judges nothing: 20% bounces over 100 sends neither warns nor pauses', async () => {
    await sendAndBounce(tenant, 100, 20);

    expect(await stateOf(tenant)).toBeNull();
    const [stream] = value(await events.getReputation(tenant.caller)).data;
    expect(stream).toMatchObject({ stream: 'transactional', status: 'ok', sent: 100, bounced: 20 });
    expect(stream?.bounce_rate).toBeCloseTo(0.2);
    expect(signals('reputation.warning')).toHaveLength(0);
  });
});

describe('the warning level', () => {
  it('4% hard bounces over 200 sends warns, once, however many batches follow', async () => {
    const emails = await sendAndBounce(tenant, 200, 8);

    const first = await stateOf(tenant);
    expect(first).toMatchObject({ status: 'warning', sent: 200, bounced: 8 });
    expect(first?.warned_at).toBeTruthy();
    expect(signals('reputation.warning')).toHaveLength(1);

    // One more hard bounce (4.5%): still a warning, no second signal, the same warned_at.
    await feed(emails.slice(8, 9), 'bounce-permanent');
    expect(await stateOf(tenant)).toMatchObject({
      status: 'warning',
      bounced: 9,
      warned_at: first?.warned_at,
    });
    expect(signals('reputation.warning')).toHaveLength(1);
  });

  it('soft bounces do not count toward the rate (as with SES)', async () => {
    const emails = await seedEmails(tenant, 200);
    await feed(emails, 'send');
    await feed(emails.slice(0, 30), 'bounce-transient');

    expect(await stateOf(tenant)).toBeNull();
  });
});

describe('the pause level', () => {
  it('5% hard bounces pause the stream, with the rates in the reason', async () => {
    await sendAndBounce(tenant, 200, 10);

    const state = await stateOf(tenant);
    expect(state).toMatchObject({ status: 'paused', sent: 200, bounced: 10 });
    expect(state?.reason).toContain('bounce rate 5.00%');
    expect(signals('reputation.paused')).toHaveLength(1);
    const [stream] = value(await events.getReputation(tenant.caller)).data;
    expect(stream).toMatchObject({ status: 'paused', bounce_rate: 0.05 });
  });

  it('one complaint in 200 sends (0.5%) pauses', async () => {
    const emails = await seedEmails(tenant, 200);
    await feed(emails, 'send');
    await feed(emails.slice(0, 1), 'complaint');

    expect(await stateOf(tenant)).toMatchObject({ status: 'paused', complained: 1 });
  });

  it('a redelivered bounce is counted once', async () => {
    const emails = await seedEmails(tenant, 200);
    await feed(emails, 'send');
    const bounce = notification(sesEvent('bounce-permanent', emails[0] as never));
    await consume([bounce, bounce]);
    await consume([bounce]);

    const counters = await testEnv.DB.prepare(
      'SELECT sum(sent) AS sent, sum(bounced) AS bounced FROM event_counters WHERE tenant_id = ?',
    )
      .bind(tenant.tenantId)
      .first<{ sent: number; bounced: number }>();
    expect(counters).toEqual({ sent: 200, bounced: 1 });
  });
});

describe('resume', () => {
  it('clears the pause, audits it, and restarts the window so the old figures do not pause again', async () => {
    const emails = await sendAndBounce(tenant, 200, 10);
    expect((await stateOf(tenant))?.status).toBe('paused');

    expect(value(await events.resumeSending(tenant.caller))).toEqual({
      object: 'reputation_resume',
      resumed: ['transactional'],
    });
    expect((await stateOf(tenant))?.status).toBe('ok');
    const audit = await testEnv.DB.prepare(
      "SELECT target_id FROM audit_log WHERE tenant_id = ? AND action = 'reputation.resumed'",
    )
      .bind(tenant.tenantId)
      .first<string>('target_id');
    expect(audit).toBe('transactional');

    // A late bounce from before: the window counts from the resume, below the minimum volume.
    await feed(emails.slice(10, 11), 'bounce-permanent');
    expect((await stateOf(tenant))?.status).toBe('ok');
    // Nothing left to resume.
    expect(value(await events.resumeSending(tenant.caller)).resumed).toEqual([]);
  });
});

describe('isolation', () => {
  it('a paused stream leaves the tenant’s other streams sending', async () => {
    await sendAndBounce(tenant, 200, 10, 'marketing');
    await sendAndBounce(tenant, 200, 0, 'transactional');

    expect((await stateOf(tenant, 'marketing'))?.status).toBe('paused');
    expect(await stateOf(tenant, 'transactional')).toBeNull();
    const list = value(await events.getReputation(tenant.caller)).data;
    expect(list.map((row) => [row.stream, row.status])).toEqual([
      ['marketing', 'paused'],
      ['transactional', 'ok'],
    ]);

    // Resuming one stream by name touches only that one.
    expect(value(await events.resumeSending(tenant.caller, 'transactional')).resumed).toEqual([]);
    expect((await stateOf(tenant, 'marketing'))?.status).toBe('paused');
  });

  it('one tenant’s pause is not another’s, and another tenant cannot resume it', async () => {
    const other = await newTenant();
    await sendAndBounce(tenant, 200, 10);
    await sendAndBounce(other, 200, 1);

    expect((await stateOf(tenant))?.status).toBe('paused');
    expect(await stateOf(other)).toBeNull();
    expect(value(await events.resumeSending(other.caller)).resumed).toEqual([]);
    expect((await stateOf(tenant))?.status).toBe('paused');
    expect(value(await events.getReputation(other.caller)).data).toMatchObject([
      { stream: 'transactional', status: 'ok', sent: 200, bounced: 1 },
    ]);
  });
});
