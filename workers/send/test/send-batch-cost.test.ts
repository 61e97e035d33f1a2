// What sending costs in D1 and R2, read from the consumer's own `send.batch` log line (the metered
// binding's counts, the line the benchmarks read) and from the ARCHIVE bucket itself: a queue batch
// claims its emails in one statement and records each kind of outcome in one, so D1 statements per
// email fall as batches grow; a small email's body lives in its row, so sending it touches no R2.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  accept,
  consume,
  emailRow,
  messageFor,
  newTenant,
  r2Keys,
  send,
  sesError,
  sesOk,
  sesStub,
  type Tenant,
  testEnv,
  value,
} from './helpers';

interface Usage {
  statements: number;
  round_trips: number;
  rows_read: number;
  rows_written: number;
}

let acme: Tenant;

beforeAll(async () => {
  acme = await newTenant();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs `work` and returns the D1 usage of the one consumer batch it ran. */
async function metered(work: () => Promise<unknown>): Promise<Usage> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await work();
    const lines = log.mock.calls
      .map(([text]) => String(text))
      .filter((text) => text.includes('"send.batch"'));
    expect(lines).toHaveLength(1);
    return (JSON.parse(lines[0] as string) as { d1: Usage }).d1;
  } finally {
    log.mockRestore();
  }
}

async function acceptMany(count: number, overrides = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++)
    ids.push(await accept(acme, { to: `reader${i}@customer.test`, ...overrides }));
  return ids;
}

describe('a queue batch', () => {
  it.each([10, 50])('of %i emails runs at most 3 D1 statements in 2 round trips', async (size) => {
    const ids = await acceptMany(size);
    const ses = sesStub();

    const d1 = await metered(() => consume(ids.map((id) => messageFor(acme, id))));

    console.info(JSON.stringify({ batch: size, d1, per_email: d1.statements / size }));
    expect(ses.requests).toHaveLength(size);
    for (const id of ids) expect((await emailRow(id))?.status).toBe('sent');
    // Read (rows and their sending settings), claim, mark sent: whatever the batch's size.
    expect(d1.statements).toBeLessThanOrEqual(3);
    expect(d1.round_trips).toBeLessThanOrEqual(2);
    // Each email's row is written twice (claimed, sent) with no index entry but the status one it leaves.
    expect(d1.rows_written / size).toBeLessThanOrEqual(4);
  });

  it('records every kind of outcome in one statement per kind', async () => {
    const ok = await acceptMany(3);
    const throttled = await acceptMany(3, { subject: 'throttled' });
    const rejected = await acceptMany(3, { subject: 'rejected' });
    const emailOf = async (request: Request) =>
      ((await request.clone().json()) as { EmailTags: { Name: string; Value: string }[] }).EmailTags.find(
        (tag) => tag.Name === 'mailgrid_email_id',
      )?.Value ?? '';
    sesStub(async (request, call) => {
      const id = await emailOf(request);
      if (throttled.includes(id)) return sesError(429, 'Slow down.')(request, call);
      if (rejected.includes(id)) return sesError(400, 'Rejected.')(request, call);
      return sesOk(request, call);
    });
    const reported = vi.spyOn(testEnv.EVENTS_QUEUE, 'send');

    const d1 = await metered(() =>
      consume([...ok, ...throttled, ...rejected].map((id) => messageFor(acme, id))),
    );

    for (const id of ok) expect((await emailRow(id))?.status).toBe('sent');
    for (const id of throttled)
      expect(await emailRow(id)).toMatchObject({ status: 'queued', error: 'SES 429: Slow down.' });
    for (const id of rejected)
      expect(await emailRow(id)).toMatchObject({ status: 'failed', error: 'SES 400: Rejected.' });
    expect(reported.mock.calls.map(([body]) => (body as { email_id: string }).email_id).sort()).toEqual(
      [...rejected].sort(),
    );
    // Read, claim, then one batch: sent, released, failed.
    expect(d1.statements).toBeLessThanOrEqual(5);
    expect(d1.round_trips).toBeLessThanOrEqual(2);
  });
});

describe('a small email', () => {
  it('is accepted and sent without writing anything to R2, and GET /emails/:id still shows its bodies', async () => {
    const before = await r2Keys('');
    const id = await accept(acme, { html: '<p>Small and inline.</p>', text: 'Small and inline.' });
    sesStub();
    await consume([messageFor(acme, id)]);

    expect((await emailRow(id))?.status).toBe('sent');
    expect((await r2Keys('')).filter((key) => key.includes(id))).toEqual([]);
    expect((await r2Keys('')).length).toBe(before.length);
    expect(value(await send.getEmail(acme.caller, id))).toMatchObject({
      html: '<p>Small and inline.</p>',
      text: 'Small and inline.',
    });
  });
});

describe('a large email', () => {
  it('keeps its body in R2, and sends and reads it back from there', async () => {
    const html = `<p>${'Long letter. '.repeat(4000)}</p>`;
    const id = await accept(acme, { html, text: 'A long letter.' });
    expect(await r2Keys(`bodies/${acme.tenantId}/${id}`)).toEqual([`bodies/${acme.tenantId}/${id}.json`]);
    const ses = sesStub();
    await consume([messageFor(acme, id)]);

    expect((await emailRow(id))?.status).toBe('sent');
    expect(new TextDecoder().decode(ses.requests[0]?.raw)).toContain('Long letter. Long letter.');
    expect(value(await send.getEmail(acme.caller, id))).toMatchObject({ html, text: 'A long letter.' });
    // Only the body: no EML archive and no receipt.
    expect((await r2Keys('')).filter((key) => key.includes(id))).toEqual([
      `bodies/${acme.tenantId}/${id}.json`,
    ]);
    expect(testEnv.ARCHIVE).toBeDefined();
  });
});
