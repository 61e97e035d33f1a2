// The rest of Resend's Emails API through the official SDK against the whole mesh: `message_id` on
// reads, attachments with signed download links served by Mailgrid, share links, and metrics. The
// expired link is signed here with the dev key from workers/send/wrangler.jsonc, exactly as send
// signs links (a key derived from the tracking key), since waiting out a real expiry takes an hour.
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { readWranglerConfig } from '@mailgrid/testing/wrangler-config';
import { parseSigningKeys } from '@mailgrid/tracking-tokens';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, mesh } from './client';
import { delivered, resendWith, waitForEvent } from './mail';

const { sdkEmails } = mesh;
const DOMAIN = 'sdk-emails.mesh.test';
const resend = resendWith(sdkEmails.full.token);
const { vars } = readWranglerConfig(
  fileURLToPath(new URL('../../workers/send/wrangler.jsonc', import.meta.url)),
);
const keys = parseSigningKeys(vars?.TRACKING_SIGNING_KEYS, vars?.TRACKING_SIGNING_KEY_ID);

const REPORT = Buffer.from('%PDF-1.4\n% a tiny report\n\u00ff\u0000binary tail');
const LOGO = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x10]);

let id: string;

beforeAll(async () => {
  const { data, error } = await resend.emails.send({
    from: `Billing <billing@${DOMAIN}>`,
    to: ['ada@example.com'],
    subject: 'Your September report',
    html: '<p>Report attached. <img src="cid:logo" alt="logo"></p>',
    text: 'Report attached.',
    attachments: [
      { filename: 'report.pdf', content: REPORT, contentType: 'application/pdf' },
      { filename: 'logo.png', content: LOGO, contentType: 'image/png', contentId: 'logo' },
    ],
  });
  expect(error).toBeNull();
  id = data?.id as string;
  await delivered(id);
  await waitForEvent(sdkEmails.full.token, id, 'delivered');
}, 60_000);

describe('message_id', () => {
  it('is the Message-ID the message went out with, on get and list', async () => {
    const { mail } = await delivered(id);
    const { data: email, error } = await resend.emails.get(id);
    expect(error).toBeNull();
    expect(email?.message_id).toBe(mail.messageId);
    expect(email?.message_id).toBe(`<${id}@${DOMAIN}>`);
    const { data: list } = await resend.emails.list({ limit: 10 });
    expect(list?.data.find((item) => item.id === id)?.message_id).toBe(email?.message_id);
  });
});

describe('attachments', () => {
  it('lists and gets metadata with signed links that download the exact bytes without a key', async () => {
    const { data: list, error } = await resend.emails.attachments.list({ emailId: id });
    expect(error).toBeNull();
    expect(list).toMatchObject({ object: 'list', has_more: false });
    expect(list?.data).toHaveLength(2);
    const [report, logo] = list?.data ?? [];
    expect(report).toMatchObject({
      filename: 'report.pdf',
      size: REPORT.length,
      content_type: 'application/pdf',
      content_disposition: 'attachment',
    });
    expect(logo).toMatchObject({
      filename: 'logo.png',
      size: LOGO.length,
      content_type: 'image/png',
      content_disposition: 'inline',
      content_id: 'logo',
    });
    const expiresIn = Date.parse(report?.expires_at ?? '') - Date.now();
    expect(expiresIn).toBeGreaterThan(3500_000);
    expect(expiresIn).toBeLessThanOrEqual(3600_000);

    const { data: one } = await resend.emails.attachments.get({ emailId: id, id: logo?.id as string });
    expect(one).toMatchObject({
      object: 'attachment',
      id: logo?.id,
      filename: 'logo.png',
      size: LOGO.length,
    });

    // No key: the URL alone.
    for (const [attachment, bytes] of [
      [report, REPORT],
      [one, LOGO],
    ] as const) {
      const download = await fetch(attachment?.download_url as string);
      expect(download.status).toBe(200);
      expect(download.headers.get('content-disposition')).toContain(`filename="${attachment?.filename}"`);
      expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    }
  });

  it('refuses a tampered or expired link, and reports a missing attachment', async () => {
    const { data: list } = await resend.emails.attachments.list({ emailId: id });
    const url = new URL(list?.data[0]?.download_url as string);
    const token = url.pathname.split('/').pop() as string;
    const [keyId, payload, signature] = token.split('.') as [string, string, string];

    const otherSignature = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    const tampered = await fetch(new URL(`${keyId}.${payload}.${otherSignature}`, url));
    expect(tampered.status).toBe(403);
    expect(await tampered.json()).toMatchObject({ name: 'invalid_signature' });

    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const expiredPayload = Buffer.from(
      JSON.stringify({ ...claims, x: Math.floor(Date.now() / 1000) - 5 }),
    ).toString('base64url');
    const secret = keys.secrets[keyId] as string;
    const linkKey = createHmac('sha256', secret).update('mailgrid email links v1').digest();
    const expiredSignature = createHmac('sha256', linkKey)
      .update(`${keyId}.${expiredPayload}`)
      .digest('base64url');
    const expired = await fetch(new URL(`${keyId}.${expiredPayload}.${expiredSignature}`, url));
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as { message: string }).message).toMatch(/expired/);

    const missing = await resend.emails.attachments.get({ emailId: id, id: crypto.randomUUID() });
    expect(missing.error).toMatchObject({ statusCode: 404 });
  });
});

describe('share', () => {
  it('makes a link that opens the email read-only without a key', async () => {
    const before = Date.now();
    const { data: shared, error } = await resend.emails.share(id, { expiresIn: '2 hours' });
    expect(error).toBeNull();
    expect(shared).toMatchObject({ object: 'email', id });
    expect(shared?.url.startsWith(`${mesh.url}/api/public/emails/`)).toBe(true);
    const expiresAt = Date.parse((shared as unknown as { expires_at: string }).expires_at);
    expect(expiresAt - before).toBeGreaterThan(2 * 3600_000 - 60_000);
    expect(expiresAt - before).toBeLessThanOrEqual(2 * 3600_000 + 5_000);

    const page = await fetch(shared?.url as string);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('Your September report');
    expect(html).toContain(`billing@${DOMAIN}`);
    expect(html).toContain('ada@example.com');
    expect(html).toContain('sandbox=""');
    expect(html).toContain('Report attached.');

    const defaulted = await resend.emails.share(id);
    expect(
      Date.parse((defaulted.data as unknown as { expires_at: string }).expires_at) - before,
    ).toBeGreaterThan(47 * 3600_000);
    const bad = await resend.emails.share(id, { expiresIn: 'forever' });
    expect(bad.error).toMatchObject({ statusCode: 422 });
    const tampered = await fetch(`${shared?.url.slice(0, -2)}xx`);
    expect(tampered.status).toBe(403);
  });
});

describe('metrics', () => {
  it("answers Resend's shape: totals, and rows by email with counts and rates", async () => {
    const { data, error } = await resend.emails.metrics({
      emailId: [id],
      dimensions: ['email'],
      metrics: ['received', 'sent', 'delivered', 'bounced', 'delivery_rate'],
    });
    expect(error).toBeNull();
    expect(data).toMatchObject({
      object: 'metrics',
      metrics: ['received', 'sent', 'delivered', 'bounced', 'delivery_rate'],
      dimensions: ['email'],
      granularity: 'daily',
      totals: { received: 1, sent: 1, delivered: 1, bounced: 0, delivery_rate: 1 },
      data: [{ email_id: id, received: 1, sent: 1, delivered: 1, bounced: 0, delivery_rate: 1 }],
    });
    expect(Date.parse(data?.end_date ?? '') - Date.parse(data?.start_date ?? '')).toBe(6 * 86_400_000);

    const { data: daily } = await resend.emails.metrics({ dimensions: ['period'], metrics: ['received'] });
    expect(daily?.data).toHaveLength(7);
    expect(daily?.data?.reduce((sum, row) => sum + (row.received ?? 0), 0)).toBe(daily?.totals.received);
  });

  it('is never taken for an email id, and refuses a range too large with a 422', async () => {
    const response = await api('/api/emails/metrics', { key: sdkEmails.full.token });
    expect(response.status).toBe(200);
    const { error } = await resend.emails.metrics({ startDate: '2025-01-01', endDate: '2026-01-01' });
    expect(error).toMatchObject({ statusCode: 422 });
    expect(error?.message).toMatch(/longer than 92 days/);
  });
});
