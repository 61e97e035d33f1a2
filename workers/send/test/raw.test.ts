// GET /api/emails/:id/raw behind SendService.getRawEmail: the archived EML is exactly what SES was
// given; an email sent as a copy per reader gives each reader's copy; nothing before it is sent.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  accept,
  consume,
  failure,
  messageFor,
  newTenant,
  send,
  sesStub,
  setRow,
  type Tenant,
  testEnv,
  value,
} from './helpers';

let acme: Tenant;
let globex: Tenant;

beforeAll(async () => {
  acme = await newTenant();
  globex = await newTenant();
});

afterEach(() => {
  vi.restoreAllMocks();
});

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

describe('the raw message', () => {
  it('is the bytes SES was given, headers and all', async () => {
    const id = await accept(acme, { headers: { 'X-Entity-Ref-ID': 'order-42' } });
    const ses = sesStub();
    await consume([messageFor(acme, id)]);

    const raw = value(await send.getRawEmail(acme.caller, id));
    expect(raw).toEqual({ eml: text(ses.requests[0]?.raw), copies: 1 });
    expect(raw.eml).toContain('X-Entity-Ref-ID: order-42');
  });

  it("one reader's copy at a time when the email went out as a copy per reader", async () => {
    const id = await accept(acme, {
      to: ['one@customer.test', 'Two <Two@Customer.test>'],
      track_opens: true,
    });
    const ses = sesStub();
    await consume([messageFor(acme, id)]);

    expect(value(await send.getRawEmail(acme.caller, id))).toEqual({
      eml: text(ses.requests[0]?.raw),
      copies: 2,
    });
    expect(value(await send.getRawEmail(acme.caller, id, 'two@customer.test')).eml).toBe(
      text(ses.requests[1]?.raw),
    );
    expect(failure(await send.getRawEmail(acme.caller, id, 'nobody@customer.test'))).toEqual({
      code: 'not_found',
      message: `Email ${id} has no recipient nobody@customer.test.`,
    });
  });

  it('of an email sent before migration 0023 (no message_date) is its archived EML in R2', async () => {
    const id = await accept(acme);
    sesStub();
    await consume([messageFor(acme, id)]);
    await setRow(id, { message_date: null });
    const archived = 'From: hello@example.test\r\nSubject: archived\r\n\r\nold\r\n';
    await testEnv.ARCHIVE.put(`eml/${acme.tenantId}/${id}.eml`, archived);

    expect(value(await send.getRawEmail(acme.caller, id))).toEqual({ eml: archived, copies: 1 });
  });

  it('is not there before the email is sent, nor for another tenant', async () => {
    const id = await accept(acme);
    expect(failure(await send.getRawEmail(acme.caller, id))).toEqual({
      code: 'not_found',
      message: `Email ${id} has no message yet (it is queued).`,
    });
    sesStub();
    await consume([messageFor(acme, id)]);
    expect(failure(await send.getRawEmail(globex.caller, id)).code).toBe('not_found');
  });
});
