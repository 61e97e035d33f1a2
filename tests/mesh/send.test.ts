import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { api, mesh } from './client';
import { delivered, inboxMessage, recordsFor, resendWith, waitForEvent } from './mail';

const { sender } = mesh;
const resend = resendWith(sender.sending.token);
const reader = resendWith(sender.full.token);

describe('POST /api/emails through the resend SDK', () => {
  it('delivers headers, both bodies and every recipient, once, and reports it sent', async () => {
    const { data, error } = await resend.emails.send({
      from: `Zoë Ünïcode <hello@${sender.domain}>`,
      to: ['Ada Lovelace <ada@example.com>', 'grace@example.com'],
      cc: 'cc@example.com',
      bcc: ['hidden@example.com'],
      replyTo: 'support@example.com',
      subject: 'Grüße 👋 — your receipt',
      html: '<h1>Thanks!</h1><p>Order <b>#42</b> is on its way.</p>',
      text: 'Thanks! Order #42 is on its way.',
      headers: { 'X-Entity-Ref-ID': 'order-42' },
      tags: [{ name: 'category', value: 'receipt' }],
    });
    expect(error).toBeNull();
    const id = data?.id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const { mail, record } = await delivered(id);
    expect(mail.from?.value).toEqual([{ name: 'Zoë Ünïcode', address: `hello@${sender.domain}` }]);
    expect(mail.subject).toBe('Grüße 👋 — your receipt');
    expect(mail.html).toContain('<b>#42</b>');
    expect(mail.text?.trim()).toBe('Thanks! Order #42 is on its way.');
    expect(mail.headers.get('x-entity-ref-id')).toBe('order-42');
    expect(mail.messageId).toBe(`<${id}@${sender.domain}>`);
    expect(mail.replyTo?.text).toBe('support@example.com');
    // Bcc is in the envelope only, never in the headers.
    expect(record.destination.BccAddresses).toEqual(['hidden@example.com']);
    expect(mail.headers.has('bcc')).toBe(false);
    expect(record.destination.ToAddresses).toEqual(['ada@example.com', 'grace@example.com']);
    expect(record.tags).toContainEqual({ Name: 'category', Value: 'receipt' });

    await waitForEvent(sender.full.token, id, 'sent');
    const { data: email } = await reader.emails.get(id);
    expect(email).toMatchObject({
      id,
      subject: 'Grüße 👋 — your receipt',
      last_event: 'sent',
      cc: ['cc@example.com'],
    });
    // The local SES (the inbox) has it, once.
    expect(await inboxMessage(record.message_id)).toMatchObject({ subject: 'Grüße 👋 — your receipt' });
    expect(await recordsFor(id)).toHaveLength(1);
  });

  it('derives the text part from the html when only html is given', async () => {
    const { data } = await resend.emails.send({
      from: `hello@${sender.domain}`,
      to: 'reader@example.com',
      subject: 'html only',
      html: '<p>Hello <a href="https://example.com/x">there</a></p><ul><li>one</li><li>two</li></ul>',
    });
    const { mail } = await delivered(data?.id as string);
    expect(mail.text).toContain('Hello');
    expect(mail.text).toContain('https://example.com/x');
    expect(mail.text).toMatch(/- one/);
  });

  it('delivers attachments byte for byte and inline images as cid parts', async () => {
    const binary = new Uint8Array(256).map((_, i) => i);
    const pixel = Uint8Array.from(
      atob(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==',
      ),
      (c) => c.charCodeAt(0),
    );
    const { data, error } = await resend.emails.send({
      from: `hello@${sender.domain}`,
      to: 'reader@example.com',
      subject: 'with files',
      html: '<p>Logo: <img src="cid:logo"></p>',
      attachments: [
        { filename: 'all-bytes.bin', content: Buffer.from(binary) },
        { filename: 'rapport-été.txt', content: Buffer.from('bonjour').toString('base64') },
        { filename: 'logo.png', content: Buffer.from(pixel), contentId: 'logo', contentType: 'image/png' },
      ],
    });
    expect(error).toBeNull();
    const { mail } = await delivered(data?.id as string);
    const byName = Object.fromEntries(
      mail.attachments.map((attachment) => [attachment.filename, attachment]),
    );
    expect([...(byName['all-bytes.bin']?.content ?? [])]).toEqual([...binary]);
    expect(byName['rapport-été.txt']?.content.toString()).toBe('bonjour');
    expect(byName['logo.png']).toMatchObject({
      contentId: '<logo>',
      contentType: 'image/png',
      related: true,
    });
  });

  it('fetches an attachment given by path when the email is accepted', async () => {
    const file = Buffer.from('%PDF-1.4 pretend invoice');
    const server = createServer((req, res) => {
      if (req.url === '/files/invoice-42.pdf') {
        res.writeHead(200, { 'content-type': 'application/pdf' });
        res.end(file);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const { data, error } = await resend.emails.send({
        from: `hello@${sender.domain}`,
        to: 'reader@example.com',
        subject: 'invoice',
        text: 'attached',
        attachments: [{ path: `http://127.0.0.1:${port}/files/invoice-42.pdf` }],
      });
      expect(error).toBeNull();
      const { mail } = await delivered(data?.id as string);
      expect(mail.attachments[0]).toMatchObject({
        filename: 'invoice-42.pdf',
        contentType: 'application/pdf',
      });
      expect(mail.attachments[0]?.content.equals(file)).toBe(true);

      const missing = await resend.emails.send({
        from: `hello@${sender.domain}`,
        to: 'reader@example.com',
        subject: 'invoice',
        text: 'attached',
        attachments: [{ path: `http://127.0.0.1:${port}/files/nope.pdf` }],
      });
      expect(missing.error).toMatchObject({ statusCode: 422, name: 'invalid_attachment' });
    } finally {
      server.close();
    }
  });

  it('accepts internationalised domains', async () => {
    const { data, error } = await resend.emails.send({
      from: `hello@${sender.domain}`,
      to: 'kaeufer@bücher.example',
      subject: 'IDN',
      text: 'hi',
    });
    expect(error).toBeNull();
    const { record } = await delivered(data?.id as string);
    expect(record.destination.ToAddresses?.[0]).toMatch(/@xn--bcher-kva\.example$/);
  });

  it('sends a batch, each email once', async () => {
    const { data, error } = await resend.batch.send(
      [1, 2, 3].map((n) => ({
        from: `hello@${sender.domain}`,
        to: `batch${n}@example.com`,
        subject: `batch ${n}`,
        text: `#${n}`,
      })),
    );
    expect(error).toBeNull();
    const ids = data?.data.map((item) => item.id) ?? [];
    expect(ids).toHaveLength(3);
    for (const [n, id] of ids.entries()) {
      const { mail } = await delivered(id);
      expect(mail.subject).toBe(`batch ${n + 1}`);
    }
  });

  it('in permissive batch mode sends the valid emails and reports the others by index', async () => {
    const response = await api('/api/emails/batch', {
      method: 'POST',
      key: sender.sending.token,
      headers: { 'content-type': 'application/json', 'x-batch-validation': 'permissive' },
      body: JSON.stringify([
        { from: `hello@${sender.domain}`, to: 'ok@example.com', subject: 'fine', text: 'x' },
        { from: `hello@${sender.domain}`, to: 'not an address', subject: 'bad', text: 'x' },
        { from: `hello@${sender.domain}`, subject: 'no to', text: 'x' },
      ]),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      data: { id: string }[];
      errors: { index: number; message: string }[];
    };
    expect(body.data).toHaveLength(1);
    expect(body.errors.map((error) => error.index)).toEqual([1, 2]);
    await delivered(body.data[0]?.id as string);
  });

  it('in strict batch mode refuses the whole batch for one bad email', async () => {
    const response = await api('/api/emails/batch', {
      method: 'POST',
      key: sender.sending.token,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { from: `hello@${sender.domain}`, to: 'strict-ok@example.com', subject: 'fine', text: 'x' },
        { from: `hello@${sender.domain}`, to: 'not an address', subject: 'bad', text: 'x' },
      ]),
    });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { message: string }).message).toContain('[1]');
    const { records } = await (await fetch(`${mesh.sesProxyUrl}/__records`)).json();
    expect(JSON.stringify(records)).not.toContain('strict-ok@example.com');
  });

  it('lists emails newest first with cursor pagination', async () => {
    const first = await reader.emails.list({ limit: 2 });
    expect(first.error).toBeNull();
    expect(first.data?.data).toHaveLength(2);
    expect(first.data?.has_more).toBe(true);
    const next = await reader.emails.list({ limit: 2, after: first.data?.data[1]?.id });
    expect(next.error).toBeNull();
    // The page after the first two is the third and fourth newest.
    const four = await reader.emails.list({ limit: 4 });
    expect(next.data?.data.map((email) => email.id)).toEqual(
      four.data?.data.slice(2, 4).map((email) => email.id),
    );
  });
});
