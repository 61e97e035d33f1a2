// The send queue's consumer, run on chosen batches inside workerd against the real local D1 and
// R2, with SES played by a spy on fetch (see helpers.ts): one send per accepted id however often its
// message arrives, the same bytes on every attempt, retries and their limits, what is acked without a send, pacing.
import type { RateLimitRule } from '@mailgrid/contracts';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_ATTEMPTS } from '../src/consumer';
import {
  accept,
  addStream,
  consume,
  decode,
  emailRow,
  messageFor,
  newTenant,
  queueSpy,
  r2Keys,
  send,
  sesError,
  sesOk,
  sesStub,
  setRow,
  type Tenant,
  testEnv,
  value,
} from './helpers';

let acme: Tenant;

beforeAll(async () => {
  acme = await newTenant({ suppressed: ['gone@customer.test'] });
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Every retry the consumer asks for must wait: an immediate retry would hammer SES. */
function expectRetriedWithDelay(result: Awaited<ReturnType<typeof consume>>, id: string) {
  expect(result.explicitAcks).not.toContain(id);
  const retry = result.retryMessages.find((message) => message.msgId === id);
  expect(retry).toBeDefined();
  expect(retry?.delaySeconds).toBeGreaterThan(0);
  return retry?.delaySeconds as number;
}

describe('a queued email', () => {
  it('goes to SES once, signed, with the envelope and our ids as tags, and is recorded as sent', async () => {
    const id = await accept(acme, {
      cc: 'Bob <bob@customer.test>',
      bcc: ['audit@customer.test'],
      reply_to: 'support@acme.test',
      tags: [{ name: 'category', value: 'order' }],
    });
    const ses = sesStub(() => Response.json({ MessageId: `ses-${id}` }));

    const result = await consume([{ id: 'first', body: messageFor(acme, id) }]);

    expect(result.explicitAcks).toEqual(['first']);
    expect(result.retryMessages).toEqual([]);
    expect(ses.requests).toHaveLength(1);
    const [request] = ses.requests;
    expect(request?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=local-dev\/\d{8}\/us-east-1\/ses\/aws4_request, /,
    );
    expect(request?.body).toMatchObject({
      FromEmailAddress: `hello@${acme.domain}`,
      Destination: {
        ToAddresses: ['ada@customer.test'],
        CcAddresses: ['bob@customer.test'],
        BccAddresses: ['audit@customer.test'],
      },
    });
    expect(request?.body.ConfigurationSetName).toBeUndefined();
    expect(request?.body.EmailTags).toEqual([
      { Name: 'category', Value: 'order' },
      { Name: 'mailgrid_email_id', Value: id },
      { Name: 'mailgrid_tenant_id', Value: acme.tenantId },
      { Name: 'mailgrid_stream', Value: 'transactional' },
    ]);

    expect(await emailRow(id)).toMatchObject({
      status: 'sent',
      last_event: 'sent',
      ses_message_id: `ses-${id}`,
      sent_at: expect.any(String),
      claim_token: null,
      claimed_until: null,
      attempts: 1,
      error: null,
    });
    expect(value(await send.getEmail(acme.caller, id))).toMatchObject({ last_event: 'sent', error: null });
  });

  it('is downloadable as exactly the bytes SES was given, with no EML archived in R2', async () => {
    const id = await accept(acme, { bcc: 'hidden@customer.test' });
    const ses = sesStub();

    await consume([messageFor(acme, id)]);

    // Rebuilt from the row and body: the same Date, boundaries and Message-ID as the send.
    const { eml } = value(await send.getRawEmail(acme.caller, id));
    expect(eml).toBe(decode(ses.requests[0]?.raw as Uint8Array));
    expect(await r2Keys(`eml/${acme.tenantId}/${id}`)).toEqual([]);
    expect(eml).toContain(`Message-ID: <${id}@${acme.domain}>`);
    expect(eml).toContain('Subject: Your order');
    expect(eml).toMatch(/^To: Ada <ada@customer\.test>\r$/m);
    // Bcc rides in the envelope only: never a header anyone receives.
    expect(eml).not.toMatch(/^bcc:/im);
    expect(eml).not.toContain('hidden@customer.test');
  });

  it("sends through the SES configuration set of the email's stream, and without one for unlisted streams", async () => {
    await addStream(acme, 'alerts');
    const transactional = await accept(acme);
    const other = await accept(acme, { stream: 'alerts' });
    const ses = sesStub();

    await consume([messageFor(acme, transactional), messageFor(acme, other)], {
      SES_CONFIGURATION_SETS: JSON.stringify({ transactional: 'mailgrid-transactional' }),
    });

    const byEmail = (id: string) =>
      ses.requests.find((request) =>
        request.body.EmailTags.some((tag) => tag.Name === 'mailgrid_email_id' && tag.Value === id),
      );
    expect(byEmail(transactional)?.body.ConfigurationSetName).toBe('mailgrid-transactional');
    expect(byEmail(other)?.body.ConfigurationSetName).toBeUndefined();
    expect(byEmail(other)?.body.EmailTags).toContainEqual({ Name: 'mailgrid_stream', Value: 'alerts' });
  });

  it('leaves suppressed recipients out of the envelope', async () => {
    const id = await accept(acme, { to: ['ada@customer.test', 'Gone <GONE@customer.test>'] });
    const ses = sesStub();

    await consume([messageFor(acme, id)]);

    expect(ses.requests[0]?.body.Destination.ToAddresses).toEqual(['ada@customer.test']);
    expect(decode(ses.requests[0]?.raw as Uint8Array)).not.toMatch(/gone@customer\.test/i);
  });
});

describe('a message delivered more than once', () => {
  it('reaches SES once when it arrives again in a later batch', async () => {
    const id = await accept(acme);
    const ses = sesStub();

    const first = await consume([{ id: 'copy-1', body: messageFor(acme, id) }]);
    const sent = await emailRow(id);
    const second = await consume([{ id: 'copy-2', body: messageFor(acme, id), attempts: 2 }]);

    expect(first.explicitAcks).toEqual(['copy-1']);
    expect(second.explicitAcks).toEqual(['copy-2']);
    expect(ses.requests).toHaveLength(1);
    expect(await emailRow(id)).toEqual(sent);
  });

  it('does not send again when SES took it but recording that in D1 failed', async () => {
    const id = await accept(acme);
    const ses = sesStub();
    await consume([messageFor(acme, id)]);
    const { ses_message_id } = (await emailRow(id)) as { ses_message_id: string };
    // As if the D1 write after SES's answer had been lost: the email looks unsent again.
    await setRow(id, { status: 'queued', last_event: 'queued', ses_message_id: null, sent_at: null });

    const again = await consume([{ body: messageFor(acme, id), attempts: 2 }]);

    expect(again.retryMessages).toEqual([]);
    expect(ses.requests).toHaveLength(1);
    expect(await emailRow(id)).toMatchObject({ status: 'sent', ses_message_id });
  });

  it('does not send again when SES took it but D1 lost the record of it: it settles from the Send event', async () => {
    const id = await accept(acme);
    const ses = sesStub(() => Response.json({ MessageId: 'ses-took-it-before-d1-failed' }));
    vi.spyOn(console, 'error').mockImplementation(() => {});
    // The claim's round trip goes through; the one recording SES's answer fails.
    const batch = testEnv.DB.batch.bind(testEnv.DB);
    let calls = 0;
    const lost = vi.spyOn(testEnv.DB, 'batch').mockImplementation(async (statements) => {
      if (++calls === 2) throw new Error('D1 is unavailable');
      return batch(statements);
    });

    const first = await consume([{ id: 'lost', body: messageFor(acme, id) }]);
    lost.mockRestore();

    // Still claimed by the delivery that lost its record; its message comes back once the lease is over.
    expect(first.retryMessages.map((message) => message.msgId)).toEqual(['lost']);
    expect(await emailRow(id)).toMatchObject({ status: 'sending', ses_message_id: null, attempts: 1 });
    await setRow(id, { claimed_until: new Date(Date.now() - 1000).toISOString() });
    queueSpy();
    await consume([{ id: 'lost', body: messageFor(acme, id), attempts: 2 }]);
    expect(await emailRow(id)).toMatchObject({ status: 'sending', claim_token: 'settling' });
    // SES's Send event arrives through the events worker; the settling window ends.
    await recordSesSend(id, 'ada@customer.test', 'ses-took-it-before-d1-failed');
    await setRow(id, { claimed_until: new Date(Date.now() - 1000).toISOString() });

    const last = await consume([{ id: 'lost', body: messageFor(acme, id), attempts: 3 }]);

    expect(last.explicitAcks).toEqual(['lost']);
    expect(ses.requests).toHaveLength(1);
    expect(await emailRow(id)).toMatchObject({
      status: 'sent',
      ses_message_id: 'ses-took-it-before-d1-failed',
    });
  });

  it('does not send again an email a consumer from before migration 0023 got through SES (its R2 receipt)', async () => {
    const id = await accept(acme);
    // As an older consumer left it: attempted, SES's id in an R2 receipt, D1 never told.
    await setRow(id, { status: 'queued', attempts: 1, message_date: null });
    await testEnv.ARCHIVE.put(`sent/${acme.tenantId}/${id}`, 'ses-from-before-0023');
    const ses = sesStub();

    const result = await consume([{ id: 'legacy', body: messageFor(acme, id), attempts: 2 }]);

    expect(result.explicitAcks).toEqual(['legacy']);
    expect(ses.requests).toHaveLength(0);
    expect(await emailRow(id)).toMatchObject({ status: 'sent', ses_message_id: 'ses-from-before-0023' });
  });

  it('reaches SES once when two copies arrive in the same batch', async () => {
    const id = await accept(acme);
    const ses = sesStub();

    const result = await consume([
      { id: 'twin-a', body: messageFor(acme, id) },
      { id: 'twin-b', body: messageFor(acme, id) },
    ]);

    expect(ses.requests).toHaveLength(1);
    // One copy won the claim and sent; the other saw it taken and comes back later.
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toHaveLength(1);
    const loser = result.retryMessages[0]?.msgId as string;
    expectRetriedWithDelay(result, loser);
    expect((await emailRow(id))?.status).toBe('sent');

    const again = await consume([{ id: loser, body: messageFor(acme, id), attempts: 2 }]);
    expect(again.explicitAcks).toEqual([loser]);
    expect(ses.requests).toHaveLength(1);
  });
});

describe('failures worth retrying', () => {
  it.each([
    [429, 'Maximum sending rate exceeded.'],
    [500, 'Internal failure.'],
    [503, 'Service unavailable.'],
  ])('SES %i: releases the claim, records the error and retries later', async (status, message) => {
    const id = await accept(acme);
    sesStub(sesError(status, message));

    const result = await consume([{ id: `ses-${status}`, body: messageFor(acme, id) }]);

    expectRetriedWithDelay(result, `ses-${status}`);
    expect(await emailRow(id)).toMatchObject({
      status: 'queued',
      claim_token: null,
      claimed_until: null,
      attempts: 1,
      error: `SES ${status}: ${message}`,
      ses_message_id: null,
    });
  });

  it('SES unreachable (fetch throws): the outcome is unknown, so the claim ends but the email stays sending', async () => {
    const id = await accept(acme);
    sesStub(() => {
      throw new TypeError('Network connection lost.');
    });

    const result = await consume([{ id: 'unreachable', body: messageFor(acme, id) }]);

    expectRetriedWithDelay(result, 'unreachable');
    const row = await emailRow(id);
    // Settling: SES's Send event gets SEND_SETTLE_AFTER_SECONDS (300 by default) to say it took it.
    expect(row).toMatchObject({
      status: 'sending',
      claim_token: 'settling',
      error: expect.stringMatching(/^SES unreachable: TypeError: Network connection lost\./),
    });
    expect(Date.parse(row?.claimed_until as string)).toBeGreaterThan(Date.now() + 290_000);
  });

  it('SES hanging: the call is abandoned after SES_TIMEOUT_MS, its outcome unknown', async () => {
    const id = await accept(acme);
    // Answers only by failing when the consumer's own abort signal fires.
    const ses = sesStub(
      (request) =>
        new Promise<Response>((_resolve, reject) => {
          request.signal.addEventListener('abort', () => reject(request.signal.reason));
        }),
    );

    const result = await consume([{ id: 'hung', body: messageFor(acme, id) }], { SES_TIMEOUT_MS: '50' });

    expect(ses.requests).toHaveLength(1);
    expectRetriedWithDelay(result, 'hung');
    expect(await emailRow(id)).toMatchObject({
      status: 'sending',
      claim_token: 'settling',
      error: 'SES did not answer within 50 ms',
    });
  });

  it('SES 200 without a MessageId: retried, not recorded as sent', async () => {
    const id = await accept(acme);
    sesStub(() => new Response('<html>proxy error page</html>', { status: 200 }));

    const result = await consume([{ id: 'no-id', body: messageFor(acme, id) }]);

    expectRetriedWithDelay(result, 'no-id');
    expect(await emailRow(id)).toMatchObject({
      status: 'queued',
      ses_message_id: null,
      error: 'SES answered 200 without a MessageId',
    });
  });

  it('a retry hands SES the same bytes again, though nothing was archived', async () => {
    const id = await accept(acme, { attachments: [{ filename: 'a.txt', content: btoa('attached') }] });
    const puts = vi.spyOn(testEnv.ARCHIVE, 'put');
    const ses = sesStub(sesError(500, 'Internal failure.'), sesOk);

    await consume([{ id: 'try-1', body: messageFor(acme, id) }]);
    // Were the Date or the MIME boundaries taken afresh, a build a second later would differ.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = await consume([{ id: 'try-1', body: messageFor(acme, id), attempts: 2 }]);

    expect(second.explicitAcks).toEqual(['try-1']);
    expect(ses.requests).toHaveLength(2);
    expect(ses.requests[1]?.raw).toEqual(ses.requests[0]?.raw);
    expect(decode(ses.requests[1]?.raw as Uint8Array)).toContain(`Message-ID: <${id}@${acme.domain}>`);
    expect(puts).not.toHaveBeenCalled();
    expect(await emailRow(id)).toMatchObject({ status: 'sent', attempts: 2, error: null });
  });

  it(`fails the email with the last reason after ${MAX_ATTEMPTS} attempts, and acks`, async () => {
    const id = await accept(acme);
    const ses = sesStub(sesError(503, 'Service unavailable.'));

    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      const result = await consume([{ id: 'doomed', body: messageFor(acme, id), attempts: attempt }]);
      expectRetriedWithDelay(result, 'doomed');
      expect(await emailRow(id)).toMatchObject({ status: 'queued', attempts: attempt });
    }
    const last = await consume([{ id: 'doomed', body: messageFor(acme, id), attempts: MAX_ATTEMPTS }]);

    expect(last.explicitAcks).toEqual(['doomed']);
    expect(last.retryMessages).toEqual([]);
    expect(ses.requests).toHaveLength(MAX_ATTEMPTS);
    expect(await emailRow(id)).toMatchObject({
      status: 'failed',
      last_event: 'failed',
      attempts: MAX_ATTEMPTS,
      claim_token: null,
      error: 'SES 503: Service unavailable.',
    });
    expect(value(await send.getEmail(acme.caller, id))).toMatchObject({
      last_event: 'failed',
      error: 'SES 503: Service unavailable.',
    });
  });

  it('a failure of our own (the stored body is gone) is retried, and fails the email once attempts run out', async () => {
    // Large enough to be stored in R2 rather than in the row.
    const id = await accept(acme, { html: `<p>${'Long letter. '.repeat(2000)}</p>` });
    const row = await emailRow(id);
    await testEnv.ARCHIVE.delete(row?.body_key as string);
    const ses = sesStub();
    vi.spyOn(console, 'error').mockImplementation(() => {});

    const first = await consume([{ id: 'bodiless', body: messageFor(acme, id) }]);
    expectRetriedWithDelay(first, 'bodiless');
    expect(await emailRow(id)).toMatchObject({
      status: 'queued',
      claim_token: null,
      error: `internal error: Error: the body of ${id} is missing from R2`,
    });

    for (let attempt = 2; attempt < MAX_ATTEMPTS; attempt++) {
      expectRetriedWithDelay(
        await consume([{ id: 'bodiless', body: messageFor(acme, id), attempts: attempt }]),
        'bodiless',
      );
    }
    const last = await consume([{ id: 'bodiless', body: messageFor(acme, id), attempts: MAX_ATTEMPTS }]);

    // Not left `queued` forever once the queue gives up on the message: failed, with the reason.
    expect(last.explicitAcks).toEqual(['bodiless']);
    expect(await emailRow(id)).toMatchObject({
      status: 'failed',
      error: `internal error: Error: the body of ${id} is missing from R2`,
    });
    expect(ses.requests).toHaveLength(0);
  });
});

describe('failures no retry can fix', () => {
  it('SES 400 (MessageRejected): failed at once with the reason, acked, never retried', async () => {
    const id = await accept(acme);
    const ses = sesStub(sesError(400, 'Email address is not verified.'));

    const result = await consume([{ id: 'rejected', body: messageFor(acme, id) }]);

    expect(result.explicitAcks).toEqual(['rejected']);
    expect(result.retryMessages).toEqual([]);
    expect(await emailRow(id)).toMatchObject({
      status: 'failed',
      last_event: 'failed',
      attempts: 1,
      claim_token: null,
      error: 'SES 400: Email address is not verified.',
    });

    const redelivered = await consume([{ id: 'rejected', body: messageFor(acme, id), attempts: 2 }]);
    expect(redelivered.explicitAcks).toEqual(['rejected']);
    expect(ses.requests).toHaveLength(1);
  });
});

describe('messages with nothing to send', () => {
  it('a message whose row does not exist is retried a few times, then acked', async () => {
    const ses = sesStub();
    const orphan = messageFor(acme, crypto.randomUUID());

    for (let attempt = 1; attempt < 5; attempt++) {
      const result = await consume([{ id: 'orphan', body: orphan, attempts: attempt }]);
      expect(result.retryMessages).toEqual([{ msgId: 'orphan', delaySeconds: 5 }]);
      expect(result.explicitAcks).toEqual([]);
    }
    const last = await consume([{ id: 'orphan', body: orphan, attempts: 5 }]);

    expect(last.explicitAcks).toEqual(['orphan']);
    expect(last.retryMessages).toEqual([]);
    expect(ses.requests).toHaveLength(0);
  });

  it("a message naming another tenant's email finds no row: it is never sent", async () => {
    const id = await accept(acme);
    const other = await newTenant();
    const ses = sesStub();

    const result = await consume([{ id: 'crossed', body: messageFor(other, id), attempts: 5 }]);

    expect(result.explicitAcks).toEqual(['crossed']);
    expect(ses.requests).toHaveLength(0);
    expect((await emailRow(id))?.status).toBe('queued');
  });

  it('canceled, sent, failed and suppressed emails are acked without an SES call', async () => {
    const canceled = await accept(acme, { scheduled_at: 'in 1 hour' });
    value(await send.cancel(acme.caller, canceled));
    const sent = await accept(acme);
    await setRow(sent, { status: 'sent', last_event: 'sent', ses_message_id: `ses-${sent}` });
    const failed = await accept(acme);
    await setRow(failed, { status: 'failed', last_event: 'failed', error: 'SES 400: no' });
    const suppressed = await accept(acme, { to: 'gone@customer.test' });
    expect((await emailRow(suppressed))?.status).toBe('suppressed');
    const ses = sesStub();
    const queue = queueSpy();

    const ids = [canceled, sent, failed, suppressed];
    const result = await consume(
      ids.map((id, index) => ({ id: `done-${index}`, body: messageFor(acme, id) })),
    );

    expect(result.explicitAcks.sort()).toEqual(['done-0', 'done-1', 'done-2', 'done-3']);
    expect(result.retryMessages).toEqual([]);
    expect(ses.requests).toHaveLength(0);
    expect(queue.enqueued()).toEqual([]);
    expect((await emailRow(canceled))?.status).toBe('canceled');
    expect((await emailRow(sent))?.ses_message_id).toBe(`ses-${sent}`);
  });
});

describe('scheduled emails', () => {
  it('one not yet due hops: re-enqueued with the delay left (at most 12 hours), acked, not sent', async () => {
    const soon = await accept(acme, { scheduled_at: 'in 2 hours' });
    const later = await accept(acme, { scheduled_at: 'in 3 days' });
    const ses = sesStub();
    const queue = queueSpy();

    const result = await consume([
      { id: 'soon', body: messageFor(acme, soon) },
      { id: 'later', body: messageFor(acme, later) },
    ]);

    expect(result.explicitAcks.sort()).toEqual(['later', 'soon']);
    expect(result.retryMessages).toEqual([]);
    expect(ses.requests).toHaveLength(0);
    const hops = queue.enqueued();
    expect(hops).toHaveLength(2);
    const hopOf = (id: string) => hops.find((hop) => hop.body.email_id === id);
    expect(hopOf(soon)?.body).toEqual(messageFor(acme, soon));
    expect(hopOf(soon)?.delaySeconds).toBeGreaterThan(2 * 3600 - 30);
    expect(hopOf(soon)?.delaySeconds).toBeLessThanOrEqual(2 * 3600);
    expect(hopOf(later)?.delaySeconds).toBe(12 * 3600);
    expect(await emailRow(later)).toMatchObject({ status: 'scheduled', attempts: 0, claim_token: null });
  });

  it('one that is due is sent', async () => {
    const id = await accept(acme, { scheduled_at: 'in 1 hour' });
    await setRow(id, { scheduled_at: new Date(Date.now() - 1000).toISOString() });
    const ses = sesStub();

    const result = await consume([{ id: 'due', body: messageFor(acme, id) }]);

    expect(result.explicitAcks).toEqual(['due']);
    expect(ses.requests).toHaveLength(1);
    expect((await emailRow(id))?.status).toBe('sent');
  });
});

describe('the claim', () => {
  it('an email claimed by another delivery is retried when that claim would run out, not sent', async () => {
    const id = await accept(acme);
    const claimedUntil = new Date(Date.now() + 30_000).toISOString();
    await setRow(id, {
      status: 'sending',
      claim_token: 'someone-else',
      claimed_until: claimedUntil,
      attempts: 1,
    });
    const ses = sesStub();

    const result = await consume([{ id: 'held', body: messageFor(acme, id) }]);

    const delay = expectRetriedWithDelay(result, 'held');
    expect(delay).toBeGreaterThanOrEqual(30);
    expect(delay).toBeLessThanOrEqual(32);
    expect(ses.requests).toHaveLength(0);
    expect(await emailRow(id)).toMatchObject({
      status: 'sending',
      claim_token: 'someone-else',
      claimed_until: claimedUntil,
      attempts: 1,
    });
  });

  it('a claim that ran out (its holder died) settles for SEND_SETTLE_AFTER_SECONDS from when it is found', async () => {
    const id = await accept(acme);
    await setRow(id, {
      status: 'sending',
      claim_token: 'dead-worker',
      claimed_until: new Date(Date.now() - 3_600_000).toISOString(),
      attempts: 1,
    });
    const ses = sesStub();
    const queue = queueSpy();

    const result = await consume([{ id: 'orphaned-claim', body: messageFor(acme, id), attempts: 2 }], {
      SEND_SETTLE_AFTER_SECONDS: '60',
    });

    // However long ago the claim ran out: SES's events may only now be arriving after an outage.
    // Sent again rather than retried: waiting must not use up the message's retries.
    expect(result.explicitAcks).toEqual(['orphaned-claim']);
    expect(ses.requests).toHaveLength(0);
    expect(queue.enqueued()).toEqual([{ body: messageFor(acme, id), delaySeconds: 61 }]);
    const row = await emailRow(id);
    expect(row).toMatchObject({ status: 'sending', claim_token: 'settling', attempts: 1 });
    expect(Date.parse(row?.claimed_until as string)).toBeGreaterThan(Date.now() + 55_000);
  });

  it('a message arriving while the email settles comes back when it is over, spending no retries', async () => {
    const id = await accept(acme);
    const until = new Date(Date.now() + 30_000).toISOString();
    await setRow(id, { status: 'sending', claim_token: 'settling', claimed_until: until, attempts: 1 });
    const ses = sesStub();
    const queue = queueSpy();

    const result = await consume([{ id: 'early', body: messageFor(acme, id), attempts: 2 }]);

    expect(result.explicitAcks).toEqual(['early']);
    expect(result.retryMessages).toEqual([]);
    expect(ses.requests).toHaveLength(0);
    const [hop] = queue.enqueued();
    expect(hop?.delaySeconds).toBeGreaterThanOrEqual(30);
    expect(hop?.delaySeconds).toBeLessThanOrEqual(32);
    expect(await emailRow(id)).toMatchObject({ claim_token: 'settling', claimed_until: until });
  });

  it('after the settling window with no Send event from SES, the email is taken over and sent once', async () => {
    const id = await accept(acme);
    await setRow(id, {
      status: 'sending',
      claim_token: 'settling',
      claimed_until: new Date(Date.now() - 1000).toISOString(),
      attempts: 1,
    });
    const ses = sesStub();

    const result = await consume([{ id: 'orphaned-claim', body: messageFor(acme, id), attempts: 2 }], {
      SEND_SETTLE_AFTER_SECONDS: '60',
    });

    expect(result.explicitAcks).toEqual(['orphaned-claim']);
    expect(ses.requests).toHaveLength(1);
    expect(await emailRow(id)).toMatchObject({ status: 'sent', claim_token: null, attempts: 2 });
  });

  it("a copy SES's Send event says it took is recorded as sent, never handed to SES again", async () => {
    const id = await accept(acme);
    await setRow(id, {
      status: 'sending',
      claim_token: 'settling',
      claimed_until: new Date(Date.now() - 1000).toISOString(),
      attempts: 1,
    });
    await recordSesSend(id, null, 'ses-took-it');
    const ses = sesStub();

    const result = await consume([{ id: 'settled', body: messageFor(acme, id), attempts: 2 }], {
      SEND_SETTLE_AFTER_SECONDS: '60',
    });

    expect(result.explicitAcks).toEqual(['settled']);
    expect(ses.requests).toHaveLength(0);
    expect(await emailRow(id)).toMatchObject({ status: 'sent', ses_message_id: 'ses-took-it' });
  });

  it('a timed-out send that SES did take is settled from its Send event on the next delivery', async () => {
    const id = await accept(acme);
    let calls = 0;
    const ses = sesStub((request) => {
      calls++;
      return new Promise<Response>((_resolve, reject) => {
        request.signal.addEventListener('abort', () => reject(request.signal.reason));
      });
    });
    await consume([{ id: 'slow', body: messageFor(acme, id) }], { SES_TIMEOUT_MS: '50' });
    // SES took it after all: its Send event arrives through the events worker.
    await recordSesSend(id, 'ada@customer.test', 'ses-late-answer');
    // The settling window is over.
    await setRow(id, { claimed_until: new Date(Date.now() - 1000).toISOString() });

    const result = await consume([{ id: 'slow', body: messageFor(acme, id), attempts: 2 }], {
      SEND_SETTLE_AFTER_SECONDS: '60',
    });

    expect(result.explicitAcks).toEqual(['slow']);
    expect(calls).toBe(1);
    expect(ses.requests).toHaveLength(1);
    expect(await emailRow(id)).toMatchObject({ status: 'sent', ses_message_id: 'ses-late-answer' });
  });

  it('with one copy per reader, only the copies SES has no Send event for are sent', async () => {
    // Open tracking: one copy per reader, each with its own pixel, receipt and Send event.
    const id = await accept(acme, {
      to: ['one@customer.test', 'two@customer.test'],
      html: '<p>hi</p>',
      track_opens: true,
    });
    await setRow(id, {
      status: 'sending',
      claim_token: 'settling',
      claimed_until: new Date(Date.now() - 1000).toISOString(),
      attempts: 1,
    });
    await recordSesSend(id, 'one@customer.test', 'ses-copy-one');
    const ses = sesStub();

    await consume([{ id: 'copies', body: messageFor(acme, id), attempts: 2 }], {
      SEND_SETTLE_AFTER_SECONDS: '60',
    });

    expect(ses.requests.map((request) => request.body.Destination.ToAddresses)).toEqual([
      ['two@customer.test'],
    ]);
    expect(await emailRow(id)).toMatchObject({ status: 'sent', ses_message_id: 'ses-copy-one' });
  });
});

/** What the events worker stores for SES's Send event about one copy of the email. */
async function recordSesSend(emailId: string, recipient: string | null, sesMessageId: string) {
  await testEnv.DB.prepare(
    `INSERT INTO events (id, tenant_id, email_id, type, recipient, occurred_at, source, dedupe_key, data, machine, created_at)
     VALUES (?, ?, ?, 'email.sent', ?, ?, 'ses', ?, ?, 0, ?)`,
  )
    .bind(
      crypto.randomUUID(),
      acme.tenantId,
      emailId,
      recipient,
      new Date().toISOString(),
      `ses:${crypto.randomUUID()}`,
      JSON.stringify({ ses_message_id: sesMessageId }),
      new Date().toISOString(),
    )
    .run();
}

describe('pacing', () => {
  /** Send's real RATE_LIMITER, noting which bucket the consumer asks and each booking it makes. */
  function recordingPacer() {
    const buckets: string[] = [];
    const takes: { rule: RateLimitRule; max: number; horizon: number }[] = [];
    const namespace = {
      idFromName: (name: string) => {
        buckets.push(name);
        return testEnv.RATE_LIMITER.idFromName(name);
      },
      get: (id: DurableObjectId) => {
        const bucket = testEnv.RATE_LIMITER.get(id);
        return {
          book: (rule: RateLimitRule, max: number, horizon: number) => {
            takes.push({ rule, max, horizon });
            return bucket.book(rule, max, horizon);
          },
        };
      },
    };
    return { namespace, buckets, takes };
  }

  it('takes SES tokens for the whole batch at once, at SES_MAX_SEND_RATE', async () => {
    const region = `pacing-${crypto.randomUUID().slice(0, 8)}`;
    const ids = [await accept(acme), await accept(acme)];
    const ses = sesStub();
    const pacer = recordingPacer();

    const result = await consume(
      ids.map((id) => messageFor(acme, id)),
      { SES_REGION: region, SES_MAX_SEND_RATE: '5', RATE_LIMITER: pacer.namespace },
    );

    expect(pacer.buckets).toEqual([`ses:${region}`]);
    expect(pacer.takes).toEqual([{ rule: { per_second: 5, burst: 5 }, max: 2, horizon: 60 }]);
    expect(result.explicitAcks).toHaveLength(2);
    expect(ses.requests).toHaveLength(2);
  });

  it('when fewer tokens are granted than messages, the rest are booked and re-sent to come when due', async () => {
    const region = `pacing-${crypto.randomUUID().slice(0, 8)}`;
    const ids = [await accept(acme), await accept(acme), await accept(acme)];
    const ses = sesStub();
    const queue = queueSpy();

    // One token a second in a bucket of one (the real RateLimiter): the first email takes the only
    // token, and the other two book the next two, due in 1 s and in 2 s.
    const result = await consume(
      ids.map((id, index) => ({ id: `paced-${index}`, body: messageFor(acme, id), attempts: 4 })),
      { SES_REGION: region, SES_MAX_SEND_RATE: '1' },
    );

    // All three acked: the first sent, the other two handed back to the queue as new messages, so
    // waiting for SES capacity spends none of their retries.
    expect(result.explicitAcks.sort()).toEqual(['paced-0', 'paced-1', 'paced-2']);
    expect(result.retryMessages).toEqual([]);
    expect(ses.requests).toHaveLength(1);
    expect((await emailRow(ids[0] as string))?.status).toBe('sent');
    expect(queue.enqueued()).toEqual([
      { body: { ...messageFor(acme, ids[1] as string), booked: true }, delaySeconds: 1 },
      { body: { ...messageFor(acme, ids[2] as string), booked: true }, delaySeconds: 2 },
    ]);
    for (const id of ids.slice(1)) {
      expect(await emailRow(id)).toMatchObject({ status: 'queued', attempts: 0, claim_token: null });
    }
  });

  it('sends a booked message on its first delivery without asking again; a redelivery asks', async () => {
    const region = `pacing-${crypto.randomUUID().slice(0, 8)}`;
    const [first, second] = [await accept(acme), await accept(acme)];
    const ses = sesStub();
    const pacer = recordingPacer();
    const vars = { SES_REGION: region, SES_MAX_SEND_RATE: '1', RATE_LIMITER: pacer.namespace };
    const booked = (id: string) => ({ ...messageFor(acme, id), booked: true as const });

    await consume([{ body: booked(first as string), attempts: 1 }], vars);
    expect(pacer.takes).toEqual([]);
    expect(ses.requests).toHaveLength(1);

    // A retried delivery of a booked message (attempts 2) asks the pacer like any other.
    await consume([{ body: booked(second as string), attempts: 2 }], vars);
    expect(pacer.takes).toEqual([{ rule: { per_second: 1, burst: 1 }, max: 1, horizon: 60 }]);
    expect(ses.requests).toHaveLength(2);
  });

  it('books no further than a minute ahead: the rest come back then to ask again', async () => {
    const region = `pacing-${crypto.randomUUID().slice(0, 8)}`;
    const ids = [await accept(acme), await accept(acme), await accept(acme)];
    sesStub();
    const queue = queueSpy();
    // Others have booked the bucket 59 s ahead already.
    const rule = { per_second: 1, burst: 1 };
    const bucket = testEnv.RATE_LIMITER.get(testEnv.RATE_LIMITER.idFromName(`ses:${region}`));
    expect(await bucket.book(rule, 60, 60)).toMatchObject({ granted: 1, retry_after_seconds: 0 });

    await consume(
      ids.map((id) => messageFor(acme, id)),
      { SES_REGION: region, SES_MAX_SEND_RATE: '1' },
    );

    expect(queue.enqueued()).toEqual([
      { body: { ...messageFor(acme, ids[0] as string), booked: true }, delaySeconds: 60 },
      { body: messageFor(acme, ids[1] as string), delaySeconds: 60 },
      { body: messageFor(acme, ids[2] as string), delaySeconds: 60 },
    ]);
  });
});
