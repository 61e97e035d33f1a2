// Accepted means deliverable (issue 12): whatever accept takes, the consumer can build and send, as
// accept runs @mailgrid/mime's own checks; what it cannot build is a 422 naming the field, before
// anything is stored. And an email that ends `failed` all the same is reported on the events queue
// (`send.failed`), where the events worker records `email.failed` and fires its webhooks.
import { SendEmailRequest, type SendFailedMessage } from '@mailgrid/contracts';
import * as v from 'valibot';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_ATTEMPTS } from '../src/consumer';
import {
  accept,
  consume,
  countRows,
  decode,
  emailFrom,
  emailRow,
  failure,
  messageFor,
  newTenant,
  queueSpy,
  r2Keys,
  send,
  sesError,
  sesStub,
  setRow,
  storedBody,
  type Tenant,
  testEnv,
  value,
} from './helpers';

let tenant: Tenant;

beforeAll(async () => {
  tenant = await newTenant();
});

afterEach(() => {
  vi.restoreAllMocks();
});

const PNG = btoa(String.fromCharCode(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a));
const file = (overrides: Record<string, string> = {}) => ({ filename: 'a.png', content: PNG, ...overrides });

async function expectNothingStored(owner: Tenant) {
  expect(await countRows(owner)).toBe(0);
  expect(await r2Keys(`bodies/${owner.tenantId}/`)).toEqual([]);
}

/** Everything send put on the events queue since the spy was set. */
function eventsSpy() {
  const single = vi.spyOn(testEnv.EVENTS_QUEUE, 'send');
  return () => single.mock.calls.map(([body]) => body as SendFailedMessage);
}

/** Unfolded header fields of a raw message's top-level header block. */
function headerFields(eml: string): Map<string, string> {
  const block = eml.slice(0, eml.indexOf('\r\n\r\n')).replace(/\r\n(?=[ \t])/g, '');
  return new Map(
    block.split('\r\n').map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
}

/** RFC 2047 B words (UTF-8) back to text; throws on anything else. */
function decodeWords(value: string): string {
  const bytes: number[] = [];
  for (const word of value.trim().split(/\s+/)) {
    const match = /^=\?UTF-8\?B\?([A-Za-z0-9+/]+={0,2})\?=$/.exec(word);
    if (!match || word.length > 75) throw new Error(`not a valid encoded word: ${word}`);
    bytes.push(...Array.from(atob(match[1] as string), (char) => char.charCodeAt(0)));
  }
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Uint8Array.from(bytes));
}

describe('what the MIME builder cannot write is refused at accept, naming the field', () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    [
      'NUL in the subject',
      { subject: 'Hi\u0000there' },
      'invalid_parameter',
      'subject: must not contain control characters',
    ],
    [
      'ESC in the subject',
      { subject: 'Hi \u001b[31mred' },
      'invalid_parameter',
      'subject: must not contain control characters',
    ],
    [
      'DEL in the subject',
      { subject: 'Hi\u007f' },
      'invalid_parameter',
      'subject: must not contain control characters',
    ],
    [
      'a line break in the subject',
      { subject: 'Hi\r\nBcc: x@y.test' },
      'invalid_parameter',
      'subject: must not contain line breaks',
    ],
    [
      'NUL in a header value',
      { headers: { 'X-Note': 'a\u0000b' } },
      'invalid_parameter',
      'headers.X-Note: must not contain control characters',
    ],
    [
      'a control character in a header value',
      { headers: { 'X-Note': '\u0007' } },
      'invalid_parameter',
      'headers.X-Note: must not contain control characters',
    ],
    [
      'a header value that is not a string',
      { headers: { 'X-Note': 42 } },
      'invalid_parameter',
      'headers.X-Note: header values must be strings',
    ],
    [
      'headers as an empty array',
      { headers: [] },
      'invalid_parameter',
      'headers: must be an object of header names to string values',
    ],
    [
      'headers as an array of strings',
      { headers: ['a'] },
      'invalid_parameter',
      'headers: must be an object of header names to string values',
    ],
    [
      'an invalid header name',
      { headers: { 'X Note': 'x' } },
      'invalid_parameter',
      'headers: "X Note" is not a header name',
    ],
    [
      'a reserved header',
      { headers: { 'reply-to': 'x@y.test' } },
      'invalid_parameter',
      'headers: reply-to is set by Mailgrid',
    ],
    [
      'NUL in an attachment filename',
      { attachments: [file({ filename: 'a\u0000.png' })] },
      'invalid_attachment',
      'attachments[0].filename: must not contain control characters',
    ],
    [
      'a control character in an attachment filename',
      { attachments: [file({ filename: 'a\u0001.png' })] },
      'invalid_attachment',
      'attachments[0].filename: must not contain control characters',
    ],
    [
      'NUL in a content_type',
      { attachments: [file({ content_type: 'image/png\u0000' })] },
      'invalid_attachment',
      'attachments[0].content_type: must not contain control characters',
    ],
    [
      'a content_type that is not one',
      { attachments: [file({ content_type: 'not a type' })] },
      'invalid_attachment',
      'attachments[0].content_type: is not a media type',
    ],
    [
      'NUL in a content_id',
      { attachments: [file({ content_id: 'logo\u0000' })] },
      'invalid_attachment',
      'attachments[0].content_id: must not contain control characters',
    ],
    [
      'a content_id with a space',
      { attachments: [file(), file({ content_id: 'a b' })] },
      'invalid_attachment',
      'attachments[1].content_id: must be printable ASCII without spaces',
    ],
  ];

  it.each(cases)('%s: 422, nothing stored or enqueued', async (_label, change, code, fragment) => {
    const owner = await newTenant();
    const queue = queueSpy();
    const error = failure(
      await send.accept(owner.caller, { ...emailFrom(owner), ...change } as SendEmailRequest, null),
    );
    expect(error.code).toBe(code);
    expect(error.message).toContain(fragment);
    expect(queue.sendBatch).not.toHaveBeenCalled();
    await expectNothingStored(owner);
  });

  it('names the email of a batch that has one', async () => {
    const error = failure(
      await send.acceptBatch(
        tenant.caller,
        [
          { index: 0, email: emailFrom(tenant) },
          { index: 1, email: emailFrom(tenant, { subject: 'a\u0000' }) },
        ],
        [],
        'strict',
        null,
      ),
    );
    expect(error.message).toContain('[1].subject: must not contain control characters');
  });

  it('the API schema refuses headers that are not an object of strings, as send does', () => {
    const issue = (headers: unknown) => {
      const result = v.safeParse(SendEmailRequest, { ...emailFrom(tenant), headers });
      return result.success ? null : `${v.getDotPath(result.issues[0])}: ${result.issues[0].message}`;
    };
    expect(issue([])).toBe('headers: must be an object of header names to string values');
    expect(issue(['a'])).toBe('headers: must be an object of header names to string values');
    expect(issue({ 'X-Note': 1 })).toBe('headers.X-Note: header values must be strings');
    expect(issue({ 'X-Note': 'fine' })).toBeNull();
  });
});

describe('a template variable rendered into the subject', () => {
  let templateId: string;
  beforeAll(async () => {
    templateId = crypto.randomUUID();
    const now = new Date().toISOString();
    const source = {
      subject: 'Hello {{{NAME}}}',
      html: '<p>Hi {{NAME}}</p>',
      text: null,
      variables: [{ key: 'NAME', type: 'string', fallback_value: 'there' }],
    };
    await testEnv.DB.prepare(
      "INSERT INTO templates (id, tenant_id, name, alias, status, subject, html, text, variables, published, published_at, created_at, updated_at) VALUES (?, ?, 'Hello', 'hello', 'published', ?, ?, NULL, ?, ?, ?, ?, ?)",
    )
      .bind(
        templateId,
        tenant.tenantId,
        source.subject,
        source.html,
        JSON.stringify(source.variables),
        JSON.stringify(source),
        now,
        now,
        now,
      )
      .run();
  });

  const viaTemplate = (NAME: string) =>
    emailFrom(tenant, {
      subject: undefined,
      html: undefined,
      text: undefined,
      template: { id: templateId, variables: { NAME } },
    });

  it('is checked as a subject: a NUL in it is a 422 naming the variable', async () => {
    const before = await countRows(tenant);
    const error = failure(await send.accept(tenant.caller, viaTemplate('Ada\u0000'), null));
    expect(error.code).toBe('invalid_parameter');
    expect(error.message).toContain('template.variables.NAME: rendered into the subject');
    expect(error.message).toContain('must not contain control characters');
    expect(await countRows(tenant)).toBe(before);
  });

  it('renders and sends when it is fine', async () => {
    const id = value(await send.accept(tenant.caller, viaTemplate('Ada'), null)).id;
    expect((await emailRow(id))?.subject).toBe('Hello Ada');
  });
});

describe('at the documented limits, accepted and built into valid MIME', () => {
  it('a 998-character subject without a space and a 998-character header value', async () => {
    const subject = 's'.repeat(998);
    const note = 'n'.repeat(998);
    const id = await accept(tenant, {
      subject,
      headers: { 'X-Note': note, 'X-Spaced': `${'word '.repeat(199)}end` },
    });
    const ses = sesStub();

    const result = await consume([messageFor(tenant, id)]);

    expect(result.retryMessages).toEqual([]);
    expect(await emailRow(id)).toMatchObject({ status: 'sent', error: null });
    const eml = decode(ses.requests[0]?.raw as Uint8Array);
    // 7-bit, CRLF only, no line over 998 (the header lines within 78).
    expect(/[^\t\r\n -~]/.test(eml)).toBe(false);
    expect(/\r(?!\n)|(?<!\r)\n/.test(eml)).toBe(false);
    const head = eml.slice(0, eml.indexOf('\r\n\r\n'));
    for (const line of head.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    const fields = headerFields(eml);
    expect(decodeWords(fields.get('subject') as string)).toBe(subject);
    expect(decodeWords(fields.get('x-note') as string)).toBe(note);
    expect(fields.get('x-spaced')).toBe(`${'word '.repeat(199)}end`);
  });
});

describe('attachments by URL', () => {
  function serve(body: Uint8Array, contentType = 'image/png') {
    return vi
      .spyOn(globalThis, 'fetch')
      .mockImplementation(async () => new Response(body, { headers: { 'content-type': contentType } }));
  }
  const bytes = Uint8Array.from(atob(PNG), (char) => char.charCodeAt(0));
  const stored = async (id: string) =>
    (await storedBody<{ attachments: { filename: string; content_type: string }[] }>(tenant, id))
      ?.attachments[0];

  it('a last path segment with a malformed escape is the file name as written (no 500)', async () => {
    serve(bytes);
    const id = await accept(tenant, { attachments: [{ path: 'https://files.example.test/report%ZZ' }] });
    expect(await stored(id)).toMatchObject({ filename: 'report%ZZ', content_type: 'image/png' });
  });

  it('a segment that decodes to a control character is kept escaped; a good one is decoded', async () => {
    serve(bytes);
    const nul = await accept(tenant, { attachments: [{ path: 'https://files.example.test/a%00b.png' }] });
    expect((await stored(nul))?.filename).toBe('a%00b.png');
    const fine = await accept(tenant, {
      attachments: [{ path: 'https://files.example.test/Gr%C3%BC%C3%9Fe.png' }],
    });
    expect((await stored(fine))?.filename).toBe('Grüße.png');
  });

  it("a server's content type the builder would refuse gives way to the file name's", async () => {
    serve(bytes, 'not a type');
    const id = await accept(tenant, { attachments: [{ path: 'https://files.example.test/logo.png' }] });
    expect((await stored(id))?.content_type).toBe('image/png');
  });
});

describe('an email that ends failed is reported on the events queue', () => {
  it('SES refusing it: send.failed with the reason, once it is failed', async () => {
    const id = await accept(tenant);
    sesStub(sesError(400, 'Email address is not verified.'));
    const reported = eventsSpy();

    const result = await consume([{ id: 'refused', body: messageFor(tenant, id) }]);

    expect(result.explicitAcks).toEqual(['refused']);
    expect(await emailRow(id)).toMatchObject({ status: 'failed' });
    expect(reported()).toEqual([
      {
        kind: 'send.failed',
        tenant_id: tenant.tenantId,
        email_id: id,
        reason: 'SES 400: Email address is not verified.',
        occurred_at: expect.any(String),
      },
    ]);
  });

  it(`its attempts running out (${MAX_ATTEMPTS}): reported with the last reason, and not before`, async () => {
    const id = await accept(tenant);
    sesStub(sesError(503, 'Service unavailable.'));
    const reported = eventsSpy();
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      await consume([{ body: messageFor(tenant, id), attempts: attempt }]);
    }
    expect(reported()).toEqual([]);
    await consume([{ body: messageFor(tenant, id), attempts: MAX_ATTEMPTS }]);
    expect(reported()).toMatchObject([
      { kind: 'send.failed', email_id: id, reason: 'SES 503: Service unavailable.' },
    ]);
  });

  it('a message the builder refuses (stored before accept checked it): failed at once, reported', async () => {
    const id = await accept(tenant);
    await setRow(id, { subject: 'Hi\u0000there' });
    const ses = sesStub();
    const reported = eventsSpy();

    const result = await consume([{ id: 'unbuildable', body: messageFor(tenant, id) }]);

    expect(result.explicitAcks).toEqual(['unbuildable']);
    expect(result.retryMessages).toEqual([]);
    expect(ses.requests).toHaveLength(0);
    const row = await emailRow(id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row?.error).toContain(
      'the message could not be built: Header Subject must not contain control characters',
    );
    expect(reported()).toMatchObject([{ kind: 'send.failed', email_id: id, reason: row?.error }]);
  });

  it('a failed email delivered again is reported again (the events worker records it once)', async () => {
    const id = await accept(tenant);
    await setRow(id, { status: 'failed', last_event: 'failed', error: 'SES 400: no' });
    sesStub();
    const reported = eventsSpy();

    const result = await consume([{ id: 'again', body: messageFor(tenant, id), attempts: 2 }]);

    expect(result.explicitAcks).toEqual(['again']);
    expect(reported()).toMatchObject([{ kind: 'send.failed', email_id: id, reason: 'SES 400: no' }]);
  });

  it('when the report cannot be queued, the message is retried, and reports on its redelivery', async () => {
    const id = await accept(tenant);
    sesStub(sesError(400, 'Rejected.'));
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const failing = vi.spyOn(testEnv.EVENTS_QUEUE, 'send').mockRejectedValueOnce(new Error('queue down'));

    const first = await consume([{ id: 'lost', body: messageFor(tenant, id) }]);
    expect(first.retryMessages.map((message) => message.msgId)).toEqual(['lost']);
    expect(await emailRow(id)).toMatchObject({ status: 'failed', error: 'SES 400: Rejected.' });

    const second = await consume([{ id: 'lost', body: messageFor(tenant, id), attempts: 2 }]);
    expect(second.explicitAcks).toEqual(['lost']);
    expect(failing).toHaveBeenCalledTimes(2);
    expect(failing.mock.calls[1]?.[0]).toMatchObject({
      kind: 'send.failed',
      email_id: id,
      reason: 'SES 400: Rejected.',
    });
  });
});
