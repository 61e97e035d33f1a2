// The rules a sender relies on: each broken one is a clear 4xx naming the field, and nothing is sent.
import { describe, expect, it } from 'vitest';
import { errorOf, mesh } from './client';
import { delivered, postEmail, recordsFor, resendWith, sesRecords, waitForEvent } from './mail';

const { sender } = mesh;
const base = { from: `hello@${sender.domain}`, to: 'rules@example.com', subject: 'rules', text: 'x' };
const many = (n: number) => Array.from({ length: n }, (_, i) => `r${i}@example.com`);

describe('send rules', () => {
  it.each([
    ['51 recipients', { to: many(30), cc: many(21) }, 422, 'invalid_parameter', 'at most 50'],
    ['a subject over 998 characters', { subject: 'x'.repeat(999) }, 422, 'invalid_parameter', 'subject'],
    [
      'a line break in the subject',
      { subject: 'hi\r\nBcc: victim@example.com' },
      422,
      'invalid_parameter',
      'subject',
    ],
    [
      'a line break in a header value',
      { headers: { 'X-Note': 'a\nBcc: victim@example.com' } },
      422,
      'invalid_parameter',
      'headers',
    ],
    [
      'a header Mailgrid sets itself',
      { headers: { From: 'evil@example.com' } },
      422,
      'invalid_parameter',
      'headers',
    ],
    [
      'a line break in an address',
      { to: 'a@example.com\r\nBcc: victim@example.com' },
      422,
      'invalid_parameter',
      'to',
    ],
    ['an invalid address', { to: ['ok@example.com', 'not-an-address'] }, 422, 'invalid_parameter', 'to[1]'],
    ['html over 500 KB', { html: 'x'.repeat(500 * 1024 + 1) }, 422, 'invalid_parameter', 'html'],
    [
      '21 attachments',
      { attachments: many(21).map((name) => ({ filename: `${name}.txt`, content: 'eA==' })) },
      422,
      'invalid_parameter',
      'attachments',
    ],
    [
      'attachment content that is not base64',
      { attachments: [{ filename: 'a.txt', content: '***' }] },
      422,
      'invalid_attachment',
      'attachments[0]',
    ],
    [
      'a scheduled time in the past',
      { scheduled_at: '2020-01-01T00:00:00Z' },
      422,
      'invalid_parameter',
      'scheduled_at',
    ],
    [
      'a scheduled time beyond 30 days',
      { scheduled_at: 'in 31 days' },
      422,
      'invalid_parameter',
      'scheduled_at',
    ],
    [
      'a scheduled time that is not a date',
      { scheduled_at: 'next blue moon' },
      422,
      'invalid_parameter',
      'scheduled_at',
    ],
    [
      'a from domain that is not verified',
      { from: `hello@${sender.pendingDomain}` },
      422,
      'invalid_from_address',
      'not verified',
    ],
    [
      "a from domain of someone else's",
      { from: 'hello@main.mesh.test' },
      422,
      'invalid_from_address',
      'not verified',
    ],
    ['no body at all', { text: undefined }, 422, 'missing_required_field', 'html'],
    ['no recipient', { to: [] }, 422, 'missing_required_field', 'to'],
  ])('refuses %s', async (_, change, status, name, mentions) => {
    const before = (await sesRecords()).records.length;
    const response = await postEmail(sender.sending.token, { ...base, ...change });
    expect(response.status).toBe(status);
    const error = await errorOf(response);
    expect(error.name).toBe(name);
    expect(error.message).toContain(mentions);
    expect((await sesRecords()).records.length).toBe(before);
  });

  it('refuses a domain-restricted key sending from another of the tenant’s domains, and allows its own', async () => {
    const other = await postEmail(sender.restricted.token, { ...base, from: `hello@${sender.otherDomain}` });
    expect(other.status).toBe(403);
    expect(await errorOf(other)).toMatchObject({ name: 'restricted_api_key' });
    const own = await postEmail(sender.restricted.token, base);
    expect(own.status).toBe(200);
  });

  it('leaves suppressed recipients out and records them on the email', async () => {
    const resend = resendWith(sender.full.token);
    const { data } = await resend.emails.send({
      ...base,
      to: ['fine@example.com', sender.suppressed.toUpperCase()],
    });
    const id = data?.id as string;
    const { record } = await delivered(id);
    expect(record.destination.ToAddresses).toEqual(['fine@example.com']);
    const email = (await (
      await fetch(`${mesh.url}/api/emails/${id}`, {
        headers: { authorization: `Bearer ${sender.full.token}` },
      })
    ).json()) as {
      suppressed: string[];
    };
    expect(email.suppressed).toEqual([sender.suppressed]);
  });

  it('sends nothing when every recipient is suppressed, and says so', async () => {
    const response = await postEmail(sender.sending.token, { ...base, to: sender.suppressed });
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: string };
    await waitForEvent(sender.full.token, id, 'suppressed');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await recordsFor(id)).toHaveLength(0);
  });
});
