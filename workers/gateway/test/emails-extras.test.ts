// The Emails routes beyond send/get/list: metrics (a fixed word never taken for an email id),
// attachments and shares (the signed links point at the host the request came to), and the public
// pages behind those links (no API key; the email body framed without scripts).
import { seedTenant } from '@mailgrid/testing/fixtures';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderSharedEmail } from '../src/routes/shared-email';
import { call, postJson, realEnv, recordingPeers, uniqueSlug } from './helpers';

let key: string;
const TOKEN = `k1.${'e'.repeat(40)}.${'s'.repeat(43)}`;

beforeAll(async () => {
  const tenant = await seedTenant(realEnv.DB, {
    slug: uniqueSlug('gw-emails-extra'),
    domain: 'extra.example.test',
  });
  key = tenant.fullKey.token;
});

describe('GET /api/emails/metrics', () => {
  it('is the metrics route, not an email named "metrics", with its comma-separated lists parsed', async () => {
    const { calls, env } = recordingPeers();
    const response = await call(
      '/api/emails/metrics?metrics=sent,open_rate&dimensions=period,domain&granularity=weekly',
      { key },
      env,
    );
    expect(response.status).toBe(200);
    expect(calls.map((c) => c.method)).toEqual(['getEmailMetrics']);
    expect(calls[0]?.args[1]).toEqual({
      metrics: ['sent', 'open_rate'],
      dimensions: ['period', 'domain'],
      granularity: 'weekly',
    });
  });

  it('refuses an unknown metric before events is asked, and another method is a 405', async () => {
    const { calls, env } = recordingPeers();
    const bad = await call('/api/emails/metrics?metrics=sent,happiness', { key }, env);
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { message: string }).message).toMatch(
      /metrics must be a comma-separated list/,
    );
    const patch = await call('/api/emails/metrics', { method: 'PATCH', key }, env);
    expect(patch.status).toBe(405);
    expect(calls).toEqual([]);
  });
});

describe('attachments and shares', () => {
  it('pass the email, the attachment and the public origin to send', async () => {
    const { calls, env } = recordingPeers();
    const email = crypto.randomUUID();
    const attachment = crypto.randomUUID();
    await call(`/api/emails/${email}/attachments`, { key }, env);
    await call(`/api/emails/${email}/attachments/${attachment}`, { key }, env);
    await postJson(`/api/emails/${email}/share`, key, { expires_in: '2 hours' }, env);
    expect(calls.map((c) => [c.method, ...c.args.slice(1)])).toEqual([
      ['listAttachments', email, 'https://api.mailgrid.test'],
      ['getAttachment', email, attachment, 'https://api.mailgrid.test'],
      ['shareEmail', email, { expires_in: '2 hours' }, 'https://api.mailgrid.test'],
    ]);
  });

  it('need an API key; the public links need none, and a malformed token never reaches send', async () => {
    const { calls, env } = recordingPeers();
    expect((await call(`/api/emails/${crypto.randomUUID()}/attachments`, {}, env)).status).toBe(401);
    expect((await call('/api/public/attachments/not-a-token', {}, env)).status).toBe(422);
    expect(calls).toEqual([]);
  });

  it('serve the bytes as a download and the shared email as a locked-down page', async () => {
    const bytes = new Uint8Array([0, 1, 2, 250]);
    const { env } = recordingPeers({
      SEND: {
        openAttachment: async () => ({
          ok: true,
          value: { filename: 'Grüße.bin', content_type: 'application/octet-stream', content: bytes },
        }),
        openSharedEmail: async () => ({
          ok: true,
          value: {
            id: 'e1',
            from: 'Acme <hello@acme.test>',
            to: ['ada@customer.test'],
            subject: 'Receipt',
            date: '2026-09-01T10:00:00.000Z',
            html: '<p>Total</p><script>alert(1)</script>',
            text: null,
            expires_at: '2026-09-03T10:00:00.000Z',
          },
        }),
      } as never,
    });
    const download = await call(`/api/public/attachments/${TOKEN}`, {}, env);
    expect(download.status).toBe(200);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes);
    expect(download.headers.get('content-disposition')).toBe(
      `attachment; filename="Gr__e.bin"; filename*=UTF-8''Gr%C3%BC%C3%9Fe.bin`,
    );

    const page = await call(`/api/public/emails/${TOKEN}`, {}, env);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('<iframe title="Email body" sandbox=""');
    expect(html).not.toContain('<script>');
  });

  it('a refused token is the error envelope send gave', async () => {
    const { env } = recordingPeers({
      SEND: {
        openAttachment: async () => ({
          ok: false,
          error: {
            code: 'invalid_signature',
            message: 'This link is not valid: it was changed or cut short.',
          },
        }),
      } as never,
    });
    const response = await call(`/api/public/attachments/${TOKEN}`, {}, env);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ name: 'invalid_signature' });
  });
});

it('the shared page escapes what the email says about itself', () => {
  const html = renderSharedEmail({
    id: 'e1',
    from: '"<b>Evil</b>" <x@evil.test>',
    to: ['a@b.test'],
    subject: '</title><script>x</script>',
    date: 'now',
    html: null,
    text: '<img src=x onerror=alert(1)>',
    expires_at: 'later',
  });
  expect(html).not.toMatch(/<script>|<img|<b>/);
  expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
});
