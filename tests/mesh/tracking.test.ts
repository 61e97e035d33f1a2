// First-party tracking through the real mesh: the pixel and click links (served by the tracking
// worker behind the gateway, as TRACKING_BASE_URL points there in dev), the events they become
// (GET /api/emails/:id/events), machine hits marked, and bad tokens that never redirect anywhere.
// Tokens here are signed with the dev key from wrangler.jsonc, for an email really sent through the
// mesh, exactly as the send worker signs them.
import { fileURLToPath } from 'node:url';
import { readWranglerConfig } from '@mailgrid/testing/wrangler-config';
import { parseSigningKeys, signToken, type TrackingClaims } from '@mailgrid/tracking-tokens';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, mesh } from './client';
import { delivered, postEmail, resendWith, waitForEvent } from './mail';

const { sender } = mesh;
const resend = resendWith(sender.sending.token);
const BROWSER =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const { vars } = readWranglerConfig(
  fileURLToPath(new URL('../../workers/tracking/wrangler.jsonc', import.meta.url)),
);
const keys = parseSigningKeys(vars?.TRACKING_SIGNING_KEYS, vars?.TRACKING_SIGNING_KEY_ID);
const nowS = () => Math.floor(Date.now() / 1000);

/** GET /api/emails/:id/events's items (contracts' EmailEvent; its index pulls in worker types). */
interface EmailEvent {
  type: string;
  recipient: string | null;
  occurred_at: string;
  data: Record<string, unknown>;
}

let emailId: string;
const RECIPIENT = 'reader@example.com';

function claims(overrides: Partial<TrackingClaims> = {}): TrackingClaims {
  return {
    action: 'click',
    tenant_id: sender.tenantId,
    email_id: emailId,
    recipient: RECIPIENT,
    url: 'https://example.com/pricing?plan=pro',
    expires_at: nowS() + 86_400,
    issued_at: nowS() - 3600,
    ...overrides,
  };
}

async function eventsOf(id: string): Promise<EmailEvent[]> {
  const response = await api(`/api/emails/${id}/events`, { key: sender.full.token });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: EmailEvent[] }).data;
}

/** Polls until the email has `count` events of `type` (the queue consumer runs a moment later). */
async function waitForEvents(id: string, type: string, count: number, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let found: EmailEvent[] = [];
  while (Date.now() < deadline) {
    found = (await eventsOf(id)).filter((event) => event.type === type);
    if (found.length >= count) return found;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(found, `${type} events of ${id}`).toHaveLength(count);
  return found;
}

beforeAll(async () => {
  const { data, error } = await resend.emails.send({
    from: `hello@${sender.domain}`,
    to: RECIPIENT,
    subject: 'tracked',
    html: '<p>See <a href="https://example.com/pricing?plan=pro">pricing</a></p>',
  });
  expect(error).toBeNull();
  emailId = data?.id as string;
  await delivered(emailId);
});

describe('the pixel and the click redirect behind the gateway', () => {
  it('serves the pixel uncached, redirects a click, and records a human open and click', async () => {
    const pixel = await fetch(
      `${mesh.url}/o/${await signToken(keys, claims({ action: 'open', url: undefined }))}`,
      {
        headers: { 'user-agent': BROWSER },
      },
    );
    expect(pixel.status).toBe(200);
    expect(pixel.headers.get('content-type')).toBe('image/gif');
    expect(pixel.headers.get('cache-control')).toBe('no-store, no-cache, must-revalidate, private');
    const gif = new Uint8Array(await pixel.arrayBuffer());
    expect(new TextDecoder().decode(gif.slice(0, 6))).toBe('GIF89a');
    expect(gif.byteLength).toBe(43);

    const click = await fetch(`${mesh.url}/c/${await signToken(keys, claims())}`, {
      redirect: 'manual',
      headers: { 'user-agent': BROWSER },
    });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe('https://example.com/pricing?plan=pro');
    expect(click.headers.get('referrer-policy')).toBe('no-referrer');

    const [opened] = await waitForEvents(emailId, 'email.opened', 1);
    expect(opened).toMatchObject({
      recipient: RECIPIENT,
      data: { user_agent: BROWSER, machine: false, machine_reason: null },
    });
    const [clicked] = await waitForEvents(emailId, 'email.clicked', 1);
    expect(clicked).toMatchObject({
      recipient: RECIPIENT,
      data: { link: 'https://example.com/pricing?plan=pro', machine: false },
    });
    // No IP address is kept, only coarse geo: locally, a place that says it is none (LOCAL_GEO).
    expect(JSON.stringify(clicked?.data)).not.toMatch(/ip_address|127\.0\.0\.1/);
    expect(clicked?.data).toMatchObject({
      geo: { country: 'XX', region: 'Local', city: 'Local stack (no real location)' },
    });
    const email = (await (await api(`/api/emails/${emailId}`, { key: sender.full.token })).json()) as {
      last_event: string;
    };
    expect(email.last_event).toBe('clicked');
  });

  it('records machine hits marked: a HEAD on the pixel, a bot clicking', async () => {
    const head = await fetch(
      `${mesh.url}/o/${await signToken(keys, claims({ action: 'open', url: undefined }))}`,
      {
        method: 'HEAD',
        headers: { 'user-agent': BROWSER },
      },
    );
    expect(head.status).toBe(200);
    const bot = await fetch(`${mesh.url}/c/${await signToken(keys, claims())}`, {
      redirect: 'manual',
      headers: { 'user-agent': 'python-requests/2.32.3' },
    });
    expect(bot.status).toBe(302);

    const deadline = Date.now() + 20_000;
    let machine: EmailEvent[] = [];
    while (Date.now() < deadline && machine.length < 2) {
      machine = (await eventsOf(emailId)).filter((event) => event.data.machine === true);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(machine.map((event) => [event.type, event.data.machine_reason]).sort()).toEqual([
      ['email.clicked', 'bot'],
      ['email.opened', 'head'],
    ]);
  });
});

describe('an email sent with track_opens and track_clicks', () => {
  it('has its links and pixel rewritten to tokens that redirect and count; an instant click is a scanner', async () => {
    // Mailgrid's extras: the resend SDK sends only Resend's own fields, so this one is plain fetch.
    const response = await postEmail(sender.sending.token, {
      from: `hello@${sender.domain}`,
      to: 'Tracked Reader <tracked@example.com>',
      subject: 'tracked for real',
      html: '<p>Read <a href="https://example.com/docs?a=1&amp;b=2">the docs</a>.</p>',
      track_opens: true,
      track_clicks: true,
    });
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: string };
    const { mail } = await delivered(id);
    const html = String(mail.html);
    const clickUrl = html.match(/href="([^"]+\/c\/[^"]+)"/)?.[1];
    const pixelUrl = html.match(/src="([^"]+\/o\/[^"]+)"/)?.[1];
    expect(clickUrl?.startsWith(`${mesh.url}/c/`)).toBe(true);
    expect(pixelUrl?.startsWith(`${mesh.url}/o/`)).toBe(true);
    expect(html).not.toContain('href="https://example.com/docs');

    const pixel = await fetch(pixelUrl as string, { headers: { 'user-agent': BROWSER } });
    expect(pixel.status).toBe(200);
    expect(pixel.headers.get('content-type')).toBe('image/gif');
    const [opened] = await waitForEvents(id, 'email.opened', 1);
    expect(opened).toMatchObject({ recipient: 'tracked@example.com', data: { machine: false } });

    // Seconds after the send: what a mail gateway's link scanner does. Redirected, but marked.
    const instant = await fetch(clickUrl as string, {
      redirect: 'manual',
      headers: { 'user-agent': BROWSER },
    });
    expect(instant.status).toBe(302);
    expect(instant.headers.get('location')).toBe('https://example.com/docs?a=1&b=2');
    const [scanned] = await waitForEvents(id, 'email.clicked', 1);
    expect(scanned?.data).toMatchObject({ machine: true, machine_reason: 'scanner' });

    // Past the scanner window after the send (the token's issued_at), the same click is a person's.
    const token = (clickUrl as string).split('/c/')[1] as string;
    const payload = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8')) as {
      i: number;
    };
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, (payload.i + 11) * 1000 - Date.now())));
    const human = await fetch(clickUrl as string, { redirect: 'manual', headers: { 'user-agent': BROWSER } });
    expect(human.headers.get('location')).toBe('https://example.com/docs?a=1&b=2');
    const clicks = await waitForEvents(id, 'email.clicked', 2);
    expect(clicks.map((event) => event.data.machine)).toEqual([true, false]);
    await waitForEvent(sender.full.token, id, 'clicked');
  }, 45_000);
});

describe('a token that does not verify', () => {
  const cases: [string, () => Promise<string>][] = [
    [
      'tampered',
      async () => {
        const [keyId, , signature] = (await signToken(keys, claims())).split('.');
        const [, evil] = (await signToken(keys, claims({ url: 'https://evil.example/' }))).split('.');
        return `${keyId}.${evil}.${signature}`;
      },
    ],
    ['truncated', async () => (await signToken(keys, claims())).slice(0, -6)],
    [
      're-signed with another key',
      () =>
        signToken(
          {
            secrets: { [keys.current]: 'not-the-dev-key-but-long-enough-0000000000' },
            current: keys.current,
          },
          claims(),
        ),
    ],
    ['expired', () => signToken(keys, claims({ expires_at: nowS() - 60 }))],
  ];

  it.each(cases)('%s: a 404 page, never a Location header, and no event', async (_name, make) => {
    const before = (await eventsOf(emailId)).length;
    const token = await make();
    for (const path of [`/c/${token}`, `/o/${token}`]) {
      const response = await fetch(`${mesh.url}${path}`, {
        redirect: 'manual',
        headers: { 'user-agent': BROWSER },
      });
      expect(response.status, path).toBe(404);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    }
    // Give the queue the time a valid hit takes to show up; nothing may have arrived.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await eventsOf(emailId)).length).toBe(before);
  });
});

describe('a request the tracking host answers without reading its body', () => {
  it('is a 405 or a 404 page, and the next request is served as usual', async () => {
    const token = await signToken(keys, claims());
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    for (const [path, status] of [
      [`/c/${token}`, 405],
      [`/o/${token}`, 405],
      ['/c/not/a/token', 404],
    ] as const) {
      // Larger than a form, smaller than the forward's cap: the worker answers without reading it.
      const response = await fetch(`${mesh.url}${path}`, {
        method: 'POST',
        headers: form,
        body: `a=${'x'.repeat(60_000)}`,
      });
      expect(response.status, path).toBe(status);
      expect(response.headers.get('location')).toBeNull();
      await response.arrayBuffer();
      // Locally the gateway forwards these over a service binding, which an unread body used to break.
      const next = await fetch(`${mesh.url}/c/${token}`, {
        redirect: 'manual',
        headers: { 'user-agent': BROWSER },
      });
      expect(next.status, `after POST ${path}`).toBe(302);
    }
    // No form of ours is that large: refused before the tracking worker sees it.
    const huge = await fetch(`${mesh.url}/u/${token}`, {
      method: 'POST',
      headers: form,
      body: `a=${'x'.repeat(100_000)}`,
    });
    expect(huge.status).toBe(413);
  });
});
