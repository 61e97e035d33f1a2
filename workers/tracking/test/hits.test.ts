// The pixel and the click redirect as a mail client, a person and a scanner meet them, and every
// kind of bad token: never a redirect, never an event.
import type { TrackingEventMessage } from '@mailgrid/contracts';
import { signToken } from '@mailgrid/tracking-tokens';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { claims, hit, keys, sign } from './helpers';

const BROWSER =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const GIF_43 = 'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==';

afterEach(() => {
  vi.restoreAllMocks();
});

function base64(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)));
}

describe('GET /o/<token>: the open pixel', () => {
  it('serves a 1x1 transparent GIF nobody may cache and enqueues one human open', async () => {
    const token = await sign({ action: 'open', url: undefined });
    const { response, sent } = await hit(`/o/${token}`, {
      headers: { 'user-agent': BROWSER },
      cf: { country: 'DE', region: 'Berlin', city: 'Berlin', asn: 3320 },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/gif');
    expect(response.headers.get('cache-control')).toBe('no-store, no-cache, must-revalidate, private');
    expect(response.headers.get('pragma')).toBe('no-cache');
    expect(response.headers.get('expires')).toBe('0');
    expect(base64(await response.arrayBuffer())).toBe(GIF_43);
    expect(sent).toEqual([
      {
        kind: 'tracking.event',
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        type: 'opened',
        tenant_id: 'tnt_a',
        email_id: 'em_1',
        recipient: 'reader@example.com',
        occurred_at: expect.any(String),
        user_agent: BROWSER,
        geo: { country: 'DE', region: 'Berlin', city: 'Berlin' },
        machine: null,
      },
    ]);
  });

  it('accepts the token with a .gif file name', async () => {
    const token = await sign({ action: 'open', url: undefined });
    const { response, sent } = await hit(`/o/${token}.gif`, { headers: { 'user-agent': BROWSER } });
    expect(response.status).toBe(200);
    expect(sent).toHaveLength(1);
  });

  it('marks an Apple Mail Privacy Protection prefetch as a machine open, and still counts it', async () => {
    const token = await sign({ action: 'open', url: undefined });
    const { response, sent } = await hit(`/o/${token}`, {
      headers: { 'user-agent': 'Mozilla/5.0' },
      cf: { asn: 714, country: 'US' },
    });
    expect(response.status).toBe(200);
    expect(sent.map((event) => event.machine)).toEqual(['apple_mpp']);
  });

  it('answers HEAD with the headers and no body, marked as a machine', async () => {
    const token = await sign({ action: 'open', url: undefined });
    const { response, sent } = await hit(`/o/${token}`, {
      method: 'HEAD',
      headers: { 'user-agent': BROWSER },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/gif');
    expect(await response.text()).toBe('');
    expect(sent.map((event) => event.machine)).toEqual(['head']);
  });

  it('a click token is not an open token', async () => {
    const { response, sent } = await hit(`/o/${await sign()}`, { headers: { 'user-agent': BROWSER } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(sent).toEqual([]);
  });
});

describe('GET /c/<token>: the click redirect', () => {
  it('redirects to the signed URL, without a referrer, and enqueues a human click with the link', async () => {
    const { response, sent } = await hit(`/c/${await sign()}`, {
      redirect: 'manual',
      headers: { 'user-agent': BROWSER },
      cf: { country: 'FR', city: 'Lyon' },
    });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('https://example.com/pricing?ref=mail');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      type: 'clicked',
      url: 'https://example.com/pricing?ref=mail',
      geo: { country: 'FR', region: null, city: 'Lyon' },
      machine: null,
    });
  });

  it('marks a click seconds after the send as a link scanner, and still redirects', async () => {
    const token = await sign({ issued_at: Math.floor(Date.now() / 1000) - 2 });
    const { response, sent } = await hit(`/c/${token}`, { headers: { 'user-agent': BROWSER } });
    expect(response.status).toBe(302);
    expect(sent.map((event) => event.machine)).toEqual(['scanner']);
  });

  it.each([
    ['Barracuda', 'Mozilla/5.0 (compatible; Barracuda Sentinel)'],
    ['Microsoft Safe Links', 'Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 BingPreview/1.0b'],
    ['python-requests', 'python-requests/2.32.3'],
    [
      'headless Chrome',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/126.0 Safari/537.36',
    ],
  ])('marks a %s click as a bot', async (_name, agent) => {
    const { response, sent } = await hit(`/c/${await sign()}`, { headers: { 'user-agent': agent } });
    expect(response.status).toBe(302);
    expect(sent.map((event) => event.machine)).toEqual(['bot']);
  });

  it('still redirects when the events queue fails, and logs it after three tries', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    let tries = 0;
    const { response } = await hit(
      `/c/${await sign()}`,
      { headers: { 'user-agent': BROWSER } },
      {
        send: async () => {
          tries++;
          throw new Error('queue down');
        },
      },
    );
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('https://example.com/pricing?ref=mail');
    expect(tries).toBe(3);
    expect(String(logged.mock.calls[0]?.[0])).toContain('queue down');
  });

  it('sends the event once the queue answers again after a brief failure', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const sent: TrackingEventMessage[] = [];
    let tries = 0;
    const { response } = await hit(`/c/${await sign()}`, { headers: { 'user-agent': BROWSER } }, {
      send: async (body: unknown) => {
        if (++tries === 1) throw new Error('queue busy');
        sent.push(body as TrackingEventMessage);
      },
    } as unknown as Partial<Queue>);
    expect(response.status).toBe(302);
    expect(sent.map((event) => event.type)).toEqual(['clicked']);
    expect(logged).not.toHaveBeenCalled();
  });

  it('refuses other methods with 405 and no redirect', async () => {
    const { response, sent } = await hit(`/c/${await sign()}`, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('location')).toBeNull();
    expect(sent).toEqual([]);
  });
});

describe('a token that does not verify: a 404 page, never a redirect, never an event', () => {
  type Action = 'open' | 'click';
  // Each bad token is made from a token that would be valid on the path under test.
  const valid = (action: Action, extra = {}) =>
    claims(action === 'open' ? { action, url: undefined, ...extra } : { action, ...extra });
  const cases: [string, (action: Action) => Promise<string>][] = [
    [
      'tampered (another payload, the original signature)',
      async (action) => {
        const [keyId, , signature] = (await signToken(keys, valid(action))).split('.');
        const [, other] = (await signToken(keys, valid(action, { recipient: 'x@evil.example' }))).split('.');
        return `${keyId}.${other}.${signature}`;
      },
    ],
    ['truncated', async (action) => (await signToken(keys, valid(action))).slice(0, -5)],
    [
      'missing its signature',
      async (action) => (await signToken(keys, valid(action))).split('.').slice(0, 2).join('.'),
    ],
    [
      'signed by an unknown key',
      (action) =>
        signToken(
          { secrets: { rogue: 'a-rogue-key-of-the-required-length-000000' }, current: 'rogue' },
          valid(action),
        ),
    ],
    [
      're-signed with another secret under the known key id',
      (action) =>
        signToken(
          { secrets: { [keys.current]: 'a-different-secret-of-the-same-length-00' }, current: keys.current },
          valid(action),
        ),
    ],
    [
      'expired',
      (action) => signToken(keys, valid(action, { expires_at: Math.floor(Date.now() / 1000) - 1 })),
    ],
    ['of another action', (action) => signToken(keys, valid(action === 'open' ? 'click' : 'open'))],
    [
      'of the unsubscribe action',
      (action) => signToken(keys, valid(action, { action: 'unsubscribe', url: undefined })),
    ],
    ['not a token at all', async () => 'hello'],
  ];

  it.each(cases)('/c/ with a token %s', async (_name, make) => {
    const { response, sent } = await hit(`/c/${await make('click')}`, { redirect: 'manual' });
    expect(response.status).toBe(404);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toContain('This link is not valid');
    expect(sent).toEqual([]);
  });

  it.each(cases)('/o/ with a token %s', async (_name, make) => {
    const { response, sent } = await hit(`/o/${await make('open')}`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(sent).toEqual([]);
  });

  it('a valid token of each kind does pass, so the cases above fail for their own reason', async () => {
    expect((await hit(`/c/${await signToken(keys, valid('click'))}`)).response.status).toBe(302);
    expect((await hit(`/o/${await signToken(keys, valid('open'))}`)).response.status).toBe(200);
  });

  it.each(['/', '/c/', '/o/', '/elsewhere/x', '/c/a/b'])('%s is a 404 page', async (path) => {
    const { response } = await hit(path);
    expect(response.status).toBe(404);
    expect(response.headers.get('location')).toBeNull();
  });
});
