// The reputation guardrail at accept: a stream the events worker paused (a reputation_state row,
// seeded here as the guardrail writes it) refuses new email with sending_paused, saying why and how
// to resume; the tenant's other streams and other tenants send as before; a resumed stream sends.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  accept,
  addStream,
  countRows,
  emailFrom,
  failure,
  newTenant,
  send,
  type Tenant,
  testEnv,
  value,
} from './helpers';

afterEach(() => {
  vi.restoreAllMocks();
});

const REASON =
  'bounce rate 5.50% (11 permanent bounces), complaint rate 0.000% (0 complaints) over 200 sends in the last 7 days';

async function setStatus(tenant: Tenant, stream: string, status: 'ok' | 'warning' | 'paused') {
  const now = new Date().toISOString();
  await testEnv.DB.prepare(
    `INSERT INTO reputation_state (tenant_id, stream, status, sent, bounced, bounce_rate, reason, paused_at, updated_at)
     VALUES (?, ?, ?, 200, 11, 0.055, ?, ?, ?)
     ON CONFLICT (tenant_id, stream) DO UPDATE SET status = excluded.status`,
  )
    .bind(tenant.tenantId, stream, status, REASON, now, now)
    .run();
}

describe('a paused stream', () => {
  it('refuses accept with sending_paused: why, the rates and how to resume; nothing is stored', async () => {
    const tenant = await newTenant();
    await setStatus(tenant, 'transactional', 'paused');

    const error = failure(await send.accept(tenant.caller, emailFrom(tenant), null));
    expect(error.code).toBe('sending_paused');
    expect(error.message).toContain('"transactional" is paused');
    expect(error.message).toContain('bounce rate 5.50%');
    expect(error.message).toContain('POST /api/reputation/resume');
    expect(await countRows(tenant)).toBe(0);
  });

  it('refuses in batches: strict refuses the batch, permissive lists the paused emails', async () => {
    const tenant = await newTenant();
    await setStatus(tenant, 'marketing', 'paused');
    const emails = [
      { index: 0, email: emailFrom(tenant) },
      { index: 1, email: emailFrom(tenant, { stream: 'marketing' }) },
    ];

    expect(failure(await send.acceptBatch(tenant.caller, emails, [], 'strict', null)).code).toBe(
      'sending_paused',
    );
    const permissive = value(await send.acceptBatch(tenant.caller, emails, [], 'permissive', null));
    expect(permissive.data).toHaveLength(1);
    expect(permissive.errors).toEqual([
      { index: 1, message: expect.stringContaining('[1]: Sending on stream') },
    ]);
  });

  it('leaves the tenant’s other streams and other tenants sending; a warning does not block', async () => {
    const tenant = await newTenant();
    const other = await newTenant();
    await setStatus(tenant, 'marketing', 'paused');
    await setStatus(tenant, 'transactional', 'warning');
    await addStream(other, 'marketing');

    expect(await accept(tenant)).toBeTruthy();
    expect(await accept(other, { stream: 'marketing' })).toBeTruthy();
  });

  it('sends again once resumed', async () => {
    const tenant = await newTenant();
    await setStatus(tenant, 'transactional', 'paused');
    expect(failure(await send.accept(tenant.caller, emailFrom(tenant), null)).code).toBe('sending_paused');

    await setStatus(tenant, 'transactional', 'ok');
    expect(await accept(tenant)).toBeTruthy();
  });
});
