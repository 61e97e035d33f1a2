// The recovery sweep: emails stranded well past their time get a fresh queue message; nothing else does.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { config } from '../src/env';
import { accept, newTenant, queueSpy, send, setRow, type Tenant, testEnv } from './helpers';

let acme: Tenant;
let globex: Tenant;

beforeAll(async () => {
  acme = await newTenant();
  globex = await newTenant();
});

afterEach(() => {
  vi.restoreAllMocks();
});

const longAgo = () =>
  new Date(Date.now() - config(testEnv).SEND_STRANDED_AFTER_SECONDS * 1000 - 60_000).toISOString();

describe('sweepStranded', () => {
  it('re-enqueues stranded emails of every tenant, and leaves fresh and finished ones alone', async () => {
    const strandedQueued = await accept(acme);
    await setRow(strandedQueued, { created_at: longAgo() });
    const strandedSending = await accept(globex);
    await setRow(strandedSending, { status: 'sending', claimed_until: longAgo() });
    const overdueScheduled = await accept(acme);
    await setRow(overdueScheduled, { status: 'scheduled', scheduled_at: longAgo() });
    const fresh = await accept(acme);
    const sentLongAgo = await accept(acme);
    await setRow(sentLongAgo, { status: 'sent', created_at: longAgo() });
    const canceledLongAgo = await accept(globex);
    await setRow(canceledLongAgo, { status: 'canceled', created_at: longAgo() });

    const queue = queueSpy();
    // Through the RPC method the gateway's cron calls.
    expect(await send.recover()).toMatchObject({ emails: expect.any(Number), broadcasts: 0 });
    const swept = queue.enqueued().map((message) => message.body.email_id);

    expect(swept).toEqual(expect.arrayContaining([strandedQueued, strandedSending, overdueScheduled]));
    expect(swept).not.toContain(fresh);
    expect(swept).not.toContain(sentLongAgo);
    expect(swept).not.toContain(canceledLongAgo);
    const forGlobex = queue.enqueued().find((message) => message.body.email_id === strandedSending);
    expect(forGlobex?.body).toEqual({ kind: 'send', tenant_id: globex.tenantId, email_id: strandedSending });
  });
});
