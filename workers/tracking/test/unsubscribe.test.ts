// /u/<token>: one-click unsubscribe (RFC 8058), the hosted preference page and its forms, against an
// admin stand-in that keeps preferences in memory and records every call. GET never changes anything;
// a bad token never reaches admin.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import type {
  ContactPreferences,
  PreferencesChange,
  RpcResult,
  TrackingEventMessage,
} from '@mailgrid/contracts';
import { parseSigningKeys, signToken } from '@mailgrid/tracking-tokens';
import { beforeEach, describe, expect, it } from 'vitest';
import worker from '../src/index';
import { derivedUuid } from '../src/unsubscribe/route';
import { claims, realEnv, sign } from './helpers';

interface Topic {
  id: string;
  name: string;
  description: string | null;
  visibility: 'public' | 'private';
  default: boolean;
}

const TOPICS: Topic[] = [
  {
    id: 'top_news',
    name: 'Product news',
    description: 'What we ship, monthly.',
    visibility: 'public',
    default: true,
  },
  { id: 'top_tips', name: 'Tips & <tricks>', description: null, visibility: 'public', default: false },
  { id: 'top_billing', name: 'Billing', description: null, visibility: 'private', default: true },
];

/** admin's PreferencesService (PREFERENCES), in memory, mirroring its rules (unknown topic → not_found). */
class FakeAdmin {
  calls: { method: string; args: unknown[] }[] = [];
  unsubscribed = false;
  choices = new Map<string, boolean>();

  async getPreferences(tenantId: string, email: string): Promise<RpcResult<ContactPreferences>> {
    this.calls.push({ method: 'getPreferences', args: [tenantId, email] });
    return { ok: true, value: this.state(email) };
  }

  async updatePreferences(
    tenantId: string,
    email: string,
    change: PreferencesChange,
    emailId: string | null,
  ): Promise<RpcResult<ContactPreferences>> {
    this.calls.push({ method: 'updatePreferences', args: [tenantId, email, change, emailId] });
    const unknown = change.topics?.find((topic) => !TOPICS.some((known) => known.id === topic.id));
    if (unknown)
      return { ok: false, error: { code: 'not_found', message: `Topic ${unknown.id} not found.` } };
    if (change.unsubscribed !== undefined) this.unsubscribed = change.unsubscribed;
    for (const topic of change.topics ?? []) this.choices.set(topic.id, topic.subscribed);
    return { ok: true, value: this.state(email) };
  }

  updates() {
    return this.calls.filter((call) => call.method === 'updatePreferences').map((call) => call.args);
  }

  private state(email: string): ContactPreferences {
    return {
      sender: 'Acme <Labs>',
      email,
      unsubscribed: this.unsubscribed,
      topics: TOPICS.filter((topic) => topic.visibility === 'public').map((topic) => ({
        id: topic.id,
        name: topic.name,
        description: topic.description,
        subscribed: this.choices.get(topic.id) ?? topic.default,
      })),
    };
  }
}

let admin: FakeAdmin;
beforeEach(() => {
  admin = new FakeAdmin();
});

const unsubscribeToken = (topicId?: string) =>
  sign({ action: 'unsubscribe', url: undefined, ...(topicId ? { topic_id: topicId } : {}) });

async function request(path: string, init: RequestInit = {}) {
  const sent: TrackingEventMessage[] = [];
  const events = { send: async (body: TrackingEventMessage) => void sent.push(body) } as unknown as Queue;
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(`https://track.mailgrid.test${path}`, init) as Request<unknown, IncomingRequestCfProperties>,
    { ...realEnv, EVENTS_QUEUE: events, PREFERENCES: admin as unknown as typeof realEnv.PREFERENCES },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { response, sent, text: await response.text() };
}

const oneClick = (token: string, body: BodyInit = 'List-Unsubscribe=One-Click') =>
  request(`/u/${token}`, {
    method: 'POST',
    body,
    ...(typeof body === 'string' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
  });

const pagePost = (token: string, fields: [string, string][]) =>
  request(`/u/${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

/** The page's checkboxes: topic id → checked. */
function checkboxes(page: string): Record<string, boolean> {
  return Object.fromEntries(
    [...page.matchAll(/<input type="checkbox"[^>]*>/g)].map(([tag]) => [
      /value="([^"]*)"/.exec(tag)?.[1],
      tag.includes(' checked'),
    ]),
  );
}

describe('POST /u/<token> with List-Unsubscribe=One-Click (RFC 8058)', () => {
  it('unsubscribes the contact at once, records email.unsubscribed, and answers 200', async () => {
    const token = await unsubscribeToken();
    const { response, sent, text } = await oneClick(token);
    expect(response.status).toBe(200);
    expect(text).toBe('You are unsubscribed.');
    expect(admin.updates()).toEqual([['tnt_a', 'reader@example.com', { unsubscribed: true }, 'em_1']]);
    expect(sent).toEqual([
      {
        kind: 'tracking.event',
        id: await derivedUuid('unsubscribed\u0000tnt_a\u0000em_1\u0000reader@example.com\u0000'),
        type: 'unsubscribed',
        tenant_id: 'tnt_a',
        email_id: 'em_1',
        recipient: 'reader@example.com',
        occurred_at: expect.any(String),
        user_agent: null,
        geo: null,
        machine: null,
      },
    ]);
  });

  it('accepts the body as multipart/form-data too', async () => {
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    const { response, sent } = await oneClick(await unsubscribeToken(), form);
    expect(response.status).toBe(200);
    expect(admin.unsubscribed).toBe(true);
    expect(sent).toHaveLength(1);
  });

  it("opts out of the email's topic only, when the email had one", async () => {
    const { response, sent } = await oneClick(await unsubscribeToken('top_news'));
    expect(response.status).toBe(200);
    expect(admin.updates()).toEqual([
      ['tnt_a', 'reader@example.com', { topics: [{ id: 'top_news', subscribed: false }] }, 'em_1'],
    ]);
    expect(admin.unsubscribed).toBe(false);
    expect(sent).toMatchObject([{ type: 'unsubscribed', topic_id: 'top_news' }]);
  });

  it('is idempotent: a second POST answers 200 and writes and records nothing more', async () => {
    const token = await unsubscribeToken();
    expect((await oneClick(token)).response.status).toBe(200);
    const again = await oneClick(token);
    expect(again.response.status).toBe(200);
    expect(admin.updates()).toHaveLength(1);
    expect(again.sent).toEqual([]);

    const topicToken = await unsubscribeToken('top_tips');
    admin.unsubscribed = false;
    await oneClick(topicToken);
    const topicAgain = await oneClick(topicToken);
    expect(topicAgain.response.status).toBe(200);
    expect(topicAgain.sent).toEqual([]);
  });

  it('gives a repeat on a private topic (whose state it cannot see) the same event id, to dedupe', async () => {
    const token = await unsubscribeToken('top_billing');
    const first = await oneClick(token);
    const second = await oneClick(token);
    expect(first.response.status).toBe(200);
    expect(second.response.status).toBe(200);
    expect(first.sent).toHaveLength(1);
    expect(second.sent).toHaveLength(1);
    expect(second.sent[0]?.id).toBe(first.sent[0]?.id);
  });

  it('answers 200 and changes nothing for a topic deleted since the email was sent', async () => {
    const { response, sent } = await oneClick(await unsubscribeToken('top_deleted'));
    expect(response.status).toBe(200);
    expect(sent).toEqual([]);
    expect(admin.unsubscribed).toBe(false);
  });

  it('refuses a body that is not a form, or a form that asks for nothing, and changes nothing', async () => {
    const token = await unsubscribeToken();
    const json = await request(`/u/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"List-Unsubscribe":"One-Click"}',
    });
    expect(json.response.status).toBe(415);
    const empty = await oneClick(token, 'List-Unsubscribe=Maybe');
    expect(empty.response.status).toBe(400);
    expect(admin.updates()).toEqual([]);
    expect([...json.sent, ...empty.sent]).toEqual([]);
  });
});

describe('GET /u/<token>: the preference page', () => {
  it('shows the current state and never changes anything', async () => {
    admin.choices.set('top_tips', true);
    const { response, sent, text } = await request(`/u/${await unsubscribeToken()}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(text).toContain('<html lang="en">');
    expect(text).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(text).toContain('<h1>Email preferences</h1>');
    expect(text).toContain('reader@example.com');
    // Public topics only, as checkboxes with their current state, inside a labelled fieldset.
    expect(checkboxes(text)).toEqual({ top_news: true, top_tips: true });
    expect(text).not.toContain('Billing');
    expect(text).toMatch(/<fieldset>\s*<legend>Topics<\/legend>/);
    expect(text).toMatch(/<label for="topic-0">Product news<span class="description">What we ship/);
    // Forms post back to this same URL (no action attribute), without script.
    expect(text).toContain('<input type="hidden" name="action" value="unsubscribe">');
    expect(text).toContain('<input type="hidden" name="action" value="preferences">');
    expect(text).not.toContain('<script');
    expect(text).not.toContain(' action=');
    expect(admin.updates()).toEqual([]);
    expect(sent).toEqual([]);
  });

  it('escapes everything it interpolates', async () => {
    const token = await sign({ action: 'unsubscribe', url: undefined, recipient: '"x"<b>@example.com' });
    const { text } = await request(`/u/${token}`);
    expect(text).toContain('Tips &amp; &lt;tricks&gt;');
    expect(text).toContain('&quot;x&quot;&lt;b&gt;@example.com');
    // The sender's name is the tenant's, which its owner chose.
    expect(text).toContain('Emails from <strong>Acme &lt;Labs&gt;</strong>');
    expect(text).not.toContain('<tricks>');
    expect(text).not.toContain('<b>');
  });

  it('names the topic the email was about, and offers to resubscribe once out', async () => {
    const token = await unsubscribeToken('top_news');
    expect((await request(`/u/${token}`)).text).toContain(
      'Stop receiving emails about <strong>Product news</strong>.',
    );
    admin.choices.set('top_news', false);
    const { text } = await request(`/u/${token}`);
    expect(text).toContain('You no longer receive emails about Product news.');
    expect(text).toContain('<input type="hidden" name="action" value="resubscribe">');
  });

  it('answers HEAD without asking admin', async () => {
    const { response } = await request(`/u/${await unsubscribeToken()}`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(admin.calls).toEqual([]);
  });
});

describe("the page's forms (POST to the same URL)", () => {
  it('action=unsubscribe unsubscribes, records the event and confirms with the new state', async () => {
    const { response, sent, text } = await pagePost(await unsubscribeToken(), [['action', 'unsubscribe']]);
    expect(response.status).toBe(200);
    expect(text).toContain('<h1>You are unsubscribed</h1>');
    expect(text).toContain('role="status"');
    expect(text).toContain('<input type="hidden" name="action" value="resubscribe">');
    expect(admin.unsubscribed).toBe(true);
    expect(sent).toMatchObject([{ type: 'unsubscribed', email_id: 'em_1' }]);
  });

  it('action=preferences writes only the topics that changed, and only public ones', async () => {
    // News is on by default, tips off: the form unticks news, ticks tips, and smuggles a private id.
    const { response, sent, text } = await pagePost(await unsubscribeToken(), [
      ['action', 'preferences'],
      ['topic', 'top_tips'],
      ['topic', 'top_billing'],
    ]);
    expect(response.status).toBe(200);
    expect(admin.updates()).toEqual([
      [
        'tnt_a',
        'reader@example.com',
        {
          topics: [
            { id: 'top_news', subscribed: false },
            { id: 'top_tips', subscribed: true },
          ],
        },
        'em_1',
      ],
    ]);
    expect(text).toContain('<h1>Your preferences are saved</h1>');
    expect(checkboxes(text)).toEqual({ top_news: false, top_tips: true });
    expect(sent).toEqual([]);
  });

  it('action=preferences with nothing changed writes nothing', async () => {
    await pagePost(await unsubscribeToken(), [
      ['action', 'preferences'],
      ['topic', 'top_news'],
    ]);
    expect(admin.updates()).toEqual([]);
  });

  it('action=resubscribe undoes an unsubscribe from everything', async () => {
    admin.unsubscribed = true;
    const { text } = await pagePost(await unsubscribeToken(), [['action', 'resubscribe']]);
    expect(admin.updates()).toEqual([['tnt_a', 'reader@example.com', { unsubscribed: false }, 'em_1']]);
    expect(text).toContain('<h1>You are subscribed again</h1>');
  });
});

describe('bad tokens', () => {
  const otherKeys = parseSigningKeys(JSON.stringify({ dev1: 'x'.repeat(40) }), 'dev1');
  const unknownKey = parseSigningKeys(JSON.stringify({ zz9: 'y'.repeat(40) }), 'zz9');
  const cases: [string, () => Promise<string>][] = [
    [
      // This email's payload under another token's valid signature: every byte of it counts.
      'tampered',
      async () => {
        const [keyId, payload] = (await unsubscribeToken()).split('.');
        const [, , signature] = (await unsubscribeToken('top_billing')).split('.');
        return `${keyId}.${payload}.${signature}`;
      },
    ],
    [
      'signed with another secret',
      () => signToken(otherKeys, claims({ action: 'unsubscribe', url: undefined })),
    ],
    [
      'signed with an unknown key',
      () => signToken(unknownKey, claims({ action: 'unsubscribe', url: undefined })),
    ],
    ['expired', () => sign({ action: 'unsubscribe', url: undefined, expires_at: 1_000 })],
    ['for another action', () => sign({ action: 'open', url: undefined })],
    ['not a token', async () => 'nonsense'],
  ];
  it.each(cases)(
    'a %s token answers the 404 page to GET and POST, and never reaches admin',
    async (_name, make) => {
      const token = await make();
      const get = await request(`/u/${token}`);
      const post = await oneClick(token);
      expect(get.response.status).toBe(404);
      expect(post.response.status).toBe(404);
      expect(get.text).toContain('This link is not valid');
      expect(admin.calls).toEqual([]);
      expect([...get.sent, ...post.sent]).toEqual([]);
    },
  );

  it('answers another method with 405', async () => {
    const { response } = await request(`/u/${await unsubscribeToken()}`, { method: 'PUT' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
  });
});
