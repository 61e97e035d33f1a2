// The rest of Resend's Emails API on the send side: `message_id` on reads, an email's attachments
// with signed download links, and share links (SendService.listAttachments, getAttachment,
// openAttachment, shareEmail, openSharedEmail).
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { signLink } from '../src/email-links';
import { messageIdOf } from '../src/message-id';
import {
  accept,
  consume,
  failure,
  messageFor,
  newTenant,
  send,
  sesStub,
  type Tenant,
  testEnv,
  value,
} from './helpers';

let acme: Tenant;
let globex: Tenant;
const ORIGIN = 'https://api.mailgrid.test';
const HELLO = btoa('hello, world\n');
const PIXEL = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255]);
const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

beforeAll(async () => {
  acme = await newTenant();
  globex = await newTenant();
});

afterEach(() => {
  vi.restoreAllMocks();
});

const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);

describe('message_id', () => {
  it('is null until sent, then the Message-ID header the message went out with', async () => {
    const id = await accept(acme);
    expect(value(await send.getEmail(acme.caller, id)).message_id).toBeNull();
    const ses = sesStub();
    await consume([messageFor(acme, id)]);

    const messageId = value(await send.getEmail(acme.caller, id)).message_id;
    expect(messageId).toBe(`<${id}@${acme.domain}>`);
    expect(new TextDecoder().decode(ses.requests[0]?.raw)).toContain(`Message-ID: ${messageId}`);
    const listed = value(await send.listEmails(acme.caller, { limit: 100 })).data.find((e) => e.id === id);
    expect(listed?.message_id).toBe(messageId);
  });

  it("is Amazon SES's own when Amazon SES sent it (SES replaces the header it is given)", async () => {
    const row = { id: 'e1', from_address: 'A <a@acme.test>', ses_message_id: '0100abc-000000' };
    const amazon = (region: string) => ({
      ...testEnv,
      SES_ENDPOINT: `https://email.${region}.amazonaws.com`,
      SES_REGION: region,
    });
    expect(messageIdOf(amazon('us-east-1'), row)).toBe('<0100abc-000000@email.amazonses.com>');
    expect(messageIdOf(amazon('eu-west-1'), row)).toBe('<0100abc-000000@eu-west-1.amazonses.com>');
  });
});

describe('attachments', () => {
  let id: string;
  beforeAll(async () => {
    id = await accept(acme, {
      html: '<p>Invoice <img src="cid:logo"></p>',
      attachments: [
        { filename: 'notes.txt', content: HELLO, content_type: 'text/plain' },
        { filename: 'logo.png', content: base64(PIXEL), content_type: 'image/png', content_id: 'logo' },
      ],
    });
  });

  it('lists metadata in order, with stable ids and a signed link that expires in an hour', async () => {
    const before = Date.now();
    const list = value(await send.listAttachments(acme.caller, id, ORIGIN));
    expect(list).toMatchObject({ object: 'list', has_more: false });
    expect(list.data).toHaveLength(2);
    expect(list.data[0]).toMatchObject({
      object: 'attachment',
      filename: 'notes.txt',
      size: 13,
      content_type: 'text/plain',
      content_disposition: 'attachment',
    });
    expect(list.data[0]).not.toHaveProperty('content_id');
    expect(list.data[1]).toMatchObject({
      filename: 'logo.png',
      size: PIXEL.length,
      content_disposition: 'inline',
      content_id: 'logo',
    });
    const first = list.data[0] as (typeof list.data)[0];
    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first.download_url.startsWith(`${ORIGIN}/api/public/attachments/`)).toBe(true);
    const expires = Date.parse(first.expires_at);
    expect(expires - before).toBeGreaterThanOrEqual(3599_000);
    expect(expires - before).toBeLessThanOrEqual(3601_000);

    const again = value(await send.listAttachments(acme.caller, id, ORIGIN));
    expect(again.data.map((a) => a.id)).toEqual(list.data.map((a) => a.id));
    const one = value(await send.getAttachment(acme.caller, id, first.id, ORIGIN));
    expect(one).toMatchObject({ id: first.id, filename: 'notes.txt', size: 13 });
  });

  it('downloads the exact bytes by the link alone; a changed or expired link is refused', async () => {
    const list = value(await send.listAttachments(acme.caller, id, ORIGIN));
    const logo = value(await send.openAttachment(tokenOf(list.data[1]?.download_url ?? '')));
    expect(logo).toMatchObject({ filename: 'logo.png', content_type: 'image/png' });
    expect([...logo.content]).toEqual([...PIXEL]);
    const notes = value(await send.openAttachment(tokenOf(list.data[0]?.download_url ?? '')));
    expect(new TextDecoder().decode(notes.content)).toBe('hello, world\n');

    const token = tokenOf(list.data[0]?.download_url ?? '');
    const [keyId, payload, signature] = token.split('.') as [string, string, string];
    const flipped = `${keyId}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    expect(failure(await send.openAttachment(flipped)).code).toBe('invalid_signature');
    // Another email's id in the payload, the signature kept: refused.
    const forged = JSON.parse(atob(payload.replaceAll('-', '+').replaceAll('_', '/')));
    forged.e = crypto.randomUUID();
    const forgedPayload = btoa(JSON.stringify(forged))
      .replaceAll('+', '-')
      .replaceAll('/', '_')
      .replace(/=+$/, '');
    expect(failure(await send.openAttachment(`${keyId}.${forgedPayload}.${signature}`)).code).toBe(
      'invalid_signature',
    );

    const expired = await signLink(testEnv, {
      kind: 'attachment',
      tenant_id: acme.tenantId,
      email_id: id,
      attachment_id: list.data[0]?.id ?? '',
      expires_at: Math.floor(Date.now() / 1000) - 1,
    });
    const refused = failure(await send.openAttachment(expired));
    expect(refused.code).toBe('invalid_signature');
    expect(refused.message).toMatch(/expired/);
  });

  it("is another tenant's not_found, and an unknown attachment is not_found", async () => {
    expect(failure(await send.listAttachments(globex.caller, id, ORIGIN)).code).toBe('not_found');
    const other = crypto.randomUUID();
    expect(failure(await send.getAttachment(acme.caller, id, other, ORIGIN))).toEqual({
      code: 'not_found',
      message: `Email ${id} has no attachment ${other}.`,
    });
  });

  it('an email without attachments lists none', async () => {
    const plain = await accept(acme);
    expect(value(await send.listAttachments(acme.caller, plain, ORIGIN)).data).toEqual([]);
  });
});

describe('share links', () => {
  it('default to 48 hours; expires_in takes a duration; the page data is this email only', async () => {
    const id = await accept(acme, { subject: 'Shared <b>receipt</b>', html: '<p>Total: 42</p>' });
    const before = Date.now();
    const shared = value(await send.shareEmail(acme.caller, id, {}, ORIGIN));
    expect(shared).toMatchObject({ object: 'email', id });
    expect(shared.url.startsWith(`${ORIGIN}/api/public/emails/`)).toBe(true);
    expect(Date.parse(shared.expires_at) - before).toBeGreaterThanOrEqual(48 * 3600_000 - 1000);

    const twoHours = value(await send.shareEmail(acme.caller, id, { expires_in: '2 hours' }, ORIGIN));
    expect(Date.parse(twoHours.expires_at) - before).toBeLessThanOrEqual(2 * 3600_000 + 1000);

    const page = value(await send.openSharedEmail(tokenOf(shared.url)));
    expect(page).toMatchObject({
      id,
      from: `Acme <hello@${acme.domain}>`,
      to: ['Ada <ada@customer.test>'],
      subject: 'Shared <b>receipt</b>',
      html: '<p>Total: 42</p>',
    });
    // Not sent yet: the date shown is when it was accepted.
    expect(page.date).toBe(value(await send.getEmail(acme.caller, id)).created_at);
  });

  it('refuses a bad duration, another tenant, and a share token used as a download link', async () => {
    const id = await accept(acme);
    for (const expires_in of ['2 fortnights', 'soon', '0 hours', '31 days']) {
      expect(failure(await send.shareEmail(acme.caller, id, { expires_in }, ORIGIN)).code).toBe(
        'validation_error',
      );
    }
    expect(failure(await send.shareEmail(globex.caller, id, {}, ORIGIN)).code).toBe('not_found');
    const shared = value(await send.shareEmail(acme.caller, id, { expires_in: '30m' }, ORIGIN));
    expect(failure(await send.openAttachment(tokenOf(shared.url))).code).toBe('invalid_signature');
  });
});
