// Send-side tracking, run through accept and the real queue consumer with SES played on fetch: what
// the delivered EML holds. Click links and the open pixel in the html (and what is left alone),
// tokens that verify with the dev key and name the email, recipient and link, the precedence email >
// stream > domain > off, a domain's own tracking host, and List-Unsubscribe headers.
import type { SendEmailRequest } from '@mailgrid/contracts';
import { parseSigningKeys, type TrackingClaims, verifyToken } from '@mailgrid/tracking-tokens';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TOKEN_LIFETIME_SECONDS } from '../src/tracking/content';
import {
  accept,
  consume,
  decode,
  emailRow,
  messageFor,
  newTenant,
  send,
  sesError,
  sesOk,
  sesStub,
  setRow,
  type Tenant,
  testEnv,
  value,
} from './helpers';

afterEach(() => {
  vi.restoreAllMocks();
});

const keys = () => parseSigningKeys(testEnv.TRACKING_SIGNING_KEYS, testEnv.TRACKING_SIGNING_KEY_ID);
const BASE = 'http://localhost:8787';

/** Accepts the email, runs the consumer on it, and returns the EML SES was given. */
async function sent(tenant: Tenant, overrides: Partial<SendEmailRequest> = {}) {
  const id = await accept(tenant, overrides);
  const ses = sesStub();
  await consume([messageFor(tenant, id)]);
  expect(ses.requests).toHaveLength(1);
  const eml = decode(ses.requests[0]?.raw as Uint8Array);
  return { id, eml, html: partOf(eml, 'html'), text: partOf(eml, 'plain'), headers: headersOf(eml) };
}

/** A text part's content, quoted-printable decoded. */
function partOf(eml: string, subtype: 'html' | 'plain'): string {
  const start = eml.indexOf(`Content-Type: text/${subtype}; charset=utf-8`);
  if (start < 0) return '';
  const bodyStart = eml.indexOf('\r\n\r\n', start) + 4;
  // The part ends at the next boundary line, not at any line starting with "--": a click token is
  // base64url, and one with "--" at the start of a quoted-printable line cut the html short.
  const boundaries = [...eml.matchAll(/boundary="([^"]+)"/g)].map((match) => match[1] as string);
  const ends = boundaries
    .map((boundary) => eml.indexOf(`\r\n--${boundary}`, bodyStart))
    .filter((i) => i >= 0);
  const end = ends.length > 0 ? Math.min(...ends) : -1;
  const qp = eml.slice(bodyStart, end < 0 ? undefined : end).replace(/=\r\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < qp.length; i++) {
    if (qp[i] === '=' && /^[0-9A-F]{2}$/.test(qp.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(qp.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(qp.charCodeAt(i));
  }
  return new TextDecoder().decode(Uint8Array.from(bytes));
}

/** The top-level header fields, unfolded (RFC 5322 §2.2.3), as [name, value] in order. */
function headersOf(eml: string): [string, string][] {
  const block = eml.slice(0, eml.indexOf('\r\n\r\n'));
  return block
    .replace(/\r\n(?=[ \t])/g, '')
    .split('\r\n')
    .map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon), line.slice(colon + 1).trim()] as [string, string];
    });
}

function header(headers: [string, string][], name: string): string[] {
  return headers.filter(([key]) => key.toLowerCase() === name.toLowerCase()).map(([, value]) => value);
}

/** Every href in document order. */
function hrefs(html: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)].map((match) => match[1] as string);
}

async function claimsOf(url: string, prefix: string): Promise<TrackingClaims | null> {
  expect(url.startsWith(prefix)).toBe(true);
  return verifyToken(keys(), url.slice(prefix.length));
}

function pixelSrc(html: string): string | undefined {
  return /<img src="([^"]*\/o\/[^"]*)" width="1" height="1" alt=""/.exec(html)?.[1];
}

const LINKS = `<html><head><title>Hi</title></head><body>
<p><a href="https://shop.example/item?x=1&amp;y=2">Buy</a> and again <a href="https://shop.example/item?x=1&amp;y=2">Buy</a></p>
<p><a href=" http://plain.example/b ">plain http</a></p>
<p><a href="mailto:help@acme.test">mail</a> <a href="tel:+15550100">call</a> <a href="sms:+15550100">text</a></p>
<p><a href="#top">top</a> <a href="/relative/path">relative</a> <a href="ftp://files.example/x">ftp</a></p>
<p><a href="${BASE}/c/already-ours">ours</a></p>
<p><a href="https://keep.example/" data-mailgrid-track="false">keep</a>
<a href="https://keep2.example/" clicktracking="off">keep2</a>
<a href="https://marked.example/" data-mailgrid-track="true">marked but tracked</a></p>
</body></html>`;

describe('tracking off', () => {
  it('is the default: the html goes out as written, with no pixel and no List-Unsubscribe', async () => {
    const tenant = await newTenant();
    const { html, headers } = await sent(tenant, { html: LINKS });
    expect(html.replace(/\r\n/g, '\n')).toBe(LINKS);
    expect(pixelSrc(html)).toBeUndefined();
    expect(header(headers, 'List-Unsubscribe')).toEqual([]);
    expect(header(headers, 'List-Unsubscribe-Post')).toEqual([]);
  });
});

describe('click and open tracking', () => {
  let acme: Tenant;
  beforeAll(async () => {
    acme = await newTenant();
  });

  it('rewrites trackable links to signed click links and leaves every other kind alone', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { id, html, text } = await sent(acme, {
      to: ['Ada <Ada@Customer.test>'],
      html: LINKS,
      text: 'Buy at https://shop.example/item',
      track_clicks: true,
    });
    const links = hrefs(html);
    expect(links).toHaveLength(13);
    const [buy, buyAgain, plain, ...rest] = links as [string, string, string, ...string[]];
    const click = await claimsOf(buy, `${BASE}/c/`);
    expect(click).toEqual({
      action: 'click',
      tenant_id: acme.tenantId,
      email_id: id,
      // The reader, bare and lower-cased.
      recipient: 'ada@customer.test',
      // Entities decoded: the redirect goes where the reader's client would have gone.
      url: 'https://shop.example/item?x=1&y=2',
      issued_at: expect.any(Number),
      expires_at: expect.any(Number),
    });
    expect(click?.issued_at).toBeGreaterThanOrEqual(before);
    expect(click?.expires_at).toBe((click?.issued_at as number) + TOKEN_LIFETIME_SECONDS);
    expect(buyAgain).toBe(buy);
    expect((await claimsOf(plain, `${BASE}/c/`))?.url).toBe('http://plain.example/b');
    expect(rest.slice(0, 9)).toEqual([
      'mailto:help@acme.test',
      'tel:+15550100',
      'sms:+15550100',
      '#top',
      '/relative/path',
      'ftp://files.example/x',
      `${BASE}/c/already-ours`,
      'https://keep.example/',
      'https://keep2.example/',
    ]);
    expect((await claimsOf(rest[9] as string, `${BASE}/c/`))?.url).toBe('https://marked.example/');
    // The opt-out markers mean nothing to a mail reader: gone, from tracked and untracked links.
    expect(html).not.toContain('data-mailgrid-track');
    expect(html).not.toContain('clicktracking');
    // Clicks alone add no pixel, and the text part is sent as written.
    expect(pixelSrc(html)).toBeUndefined();
    expect(text).toBe('Buy at https://shop.example/item');
  });

  it('adds one hidden 1x1 pixel just before </body>, whose token names the email and recipient', async () => {
    const { id, html } = await sent(acme, { html: LINKS, track_opens: true });
    const src = pixelSrc(html) as string;
    expect(await claimsOf(src, `${BASE}/o/`)).toMatchObject({
      action: 'open',
      tenant_id: acme.tenantId,
      email_id: id,
      recipient: 'ada@customer.test',
    });
    expect(html.match(/\/o\//g)).toHaveLength(1);
    expect(html).toMatch(/style="display:none[^"]*" \/>\s*<\/body><\/html>$/);
    // Opens alone leave the links as they were.
    expect(hrefs(html)[0]).toBe('https://shop.example/item?x=1&amp;y=2');
  });

  it('appends the pixel to html without a <body>', async () => {
    const { html } = await sent(acme, {
      html: '<p>Hi <a href="https://x.example/">x</a></p>',
      track_opens: true,
      track_clicks: true,
    });
    expect(html).toMatch(
      /^<p>Hi <a href="http:\/\/localhost:8787\/c\/[^"]+">x<\/a><\/p><img src="http:\/\/localhost:8787\/o\//,
    );
  });

  it('rebuilds the raw download identical to what SES was given, links and pixel included', async () => {
    const id = await accept(acme, { html: LINKS, track_clicks: true, track_opens: true });
    const ses = sesStub();
    await consume([messageFor(acme, id)]);
    expect(value(await send.getRawEmail(acme.caller, id)).eml).toBe(
      decode(ses.requests[0]?.raw as Uint8Array),
    );
  });
});

describe('an email with several recipients and tokens', () => {
  let acme: Tenant;
  beforeAll(async () => {
    acme = await newTenant();
  });

  it('goes out as one copy per recipient, each with tokens naming its reader and an envelope of one', async () => {
    const id = await accept(acme, {
      to: ['Ada <Ada@Customer.test>', 'bob@customer.test'],
      cc: ['carol@customer.test'],
      bcc: ['dave@customer.test'],
      html: '<p><a href="https://shop.example/item">Buy</a></p>',
      track_clicks: true,
      track_opens: true,
    });
    const ses = sesStub();
    await consume([messageFor(acme, id)]);
    const readers = ['ada@customer.test', 'bob@customer.test', 'carol@customer.test', 'dave@customer.test'];
    expect(ses.requests.map((request) => request.body.Destination)).toEqual(
      readers.map((reader) => ({ ToAddresses: [reader], CcAddresses: [], BccAddresses: [] })),
    );
    for (const [index, request] of ses.requests.entries()) {
      const eml = decode(request.raw);
      const html = partOf(eml, 'html');
      expect((await claimsOf(hrefs(html)[0] as string, `${BASE}/c/`))?.recipient).toBe(readers[index]);
      expect((await claimsOf(pixelSrc(html) as string, `${BASE}/o/`))?.recipient).toBe(readers[index]);
      // Every copy shows the same To and Cc (and no Bcc), as one message to all would.
      const headers = headersOf(eml);
      expect(header(headers, 'To')).toEqual(['Ada <Ada@customer.test>, bob@customer.test']);
      expect(header(headers, 'Cc')).toEqual(['carol@customer.test']);
      expect(header(headers, 'Bcc')).toEqual([]);
      // Each copy's raw download is exactly what SES was given.
      expect(value(await send.getRawEmail(acme.caller, id, readers[index])).eml).toBe(eml);
    }
    expect(await emailRow(id)).toMatchObject({
      status: 'sent',
      ses_message_id: expect.stringMatching(/-1$/),
    });
  });

  it('sends only the copies still missing when an attempt fails half-way', async () => {
    const id = await accept(acme, {
      to: ['ada@customer.test', 'bob@customer.test', 'carol@customer.test'],
      html: '<p>Hi</p>',
      track_opens: true,
    });
    const first = sesStub(sesOk, sesError(429, 'Maximum sending rate exceeded.'));
    const result = await consume([{ id: 'half-way', body: messageFor(acme, id) }]);
    expect(result.retryMessages.map((message) => message.msgId)).toEqual(['half-way']);
    expect(first.requests.map((request) => request.body.Destination.ToAddresses)).toEqual([
      ['ada@customer.test'],
      ['bob@customer.test'],
    ]);
    expect(await emailRow(id)).toMatchObject({ status: 'queued', attempts: 1 });
    vi.restoreAllMocks();

    const second = sesStub();
    await consume([{ id: 'half-way', body: messageFor(acme, id), attempts: 2 }]);
    expect(second.requests.map((request) => request.body.Destination.ToAddresses)).toEqual([
      ['bob@customer.test'],
      ['carol@customer.test'],
    ]);
    expect(await emailRow(id)).toMatchObject({ status: 'sent' });
  });

  it('stops sending copies once another delivery has taken the email over', async () => {
    const id = await accept(acme, {
      to: ['ada@customer.test', 'bob@customer.test'],
      html: '<p>Hi</p>',
      track_opens: true,
    });
    // While the first copy is with SES, the lease runs out and another delivery claims the email.
    const ses = sesStub(async (request, call) => {
      await setRow(id, { claim_token: 'another-delivery', claimed_until: '2999-01-01T00:00:00.000Z' });
      return sesOk(request, call);
    });
    const result = await consume([{ id: 'overtaken', body: messageFor(acme, id) }]);
    expect(ses.requests.map((request) => request.body.Destination.ToAddresses)).toEqual([
      ['ada@customer.test'],
    ]);
    expect(result.retryMessages.map((message) => message.msgId)).toEqual(['overtaken']);
    // The other delivery's claim stands; the copy that went out has its receipt for whoever sends the rest.
    const row = await emailRow(id);
    expect(row).toMatchObject({ status: 'sending', claim_token: 'another-delivery' });
    expect(JSON.parse(row?.ses_receipts as string)).toEqual([expect.stringMatching(/-1$/)]);
  });

  it('sends no copy again after one message to all went out, though tracking was switched on since', async () => {
    const id = await accept(acme, { to: ['ada@customer.test', 'bob@customer.test'], html: '<p>Hi</p>' });
    const ses = sesStub();
    await consume([messageFor(acme, id)]);
    // As if D1 had lost the send's record, and opens were switched on before the retry.
    await setRow(id, { status: 'queued', ses_message_id: null, sent_at: null, track_opens: 1 });

    await consume([{ body: messageFor(acme, id), attempts: 2 }]);

    expect(ses.requests).toHaveLength(1);
    expect(await emailRow(id)).toMatchObject({ status: 'sent', ses_message_id: expect.any(String) });
  });

  it('goes out as one message to all when nothing names a reader', async () => {
    const id = await accept(acme, { to: ['ada@customer.test', 'bob@customer.test'], html: '<p>Hi</p>' });
    const ses = sesStub();
    await consume([messageFor(acme, id)]);
    expect(ses.requests.map((request) => request.body.Destination.ToAddresses)).toEqual([
      ['ada@customer.test', 'bob@customer.test'],
    ]);
  });
});

describe('which setting wins', () => {
  let tenant: Tenant;
  beforeAll(async () => {
    tenant = await newTenant();
    await testEnv.DB.prepare('UPDATE domains SET open_tracking = 1, click_tracking = 1 WHERE id = ?')
      .bind(tenant.domainId)
      .run();
  });

  const tracked = async (overrides: Partial<SendEmailRequest>) => {
    const { html } = await sent(tenant, {
      html: '<body><a href="https://x.example/">x</a></body>',
      ...overrides,
    });
    return {
      clicks: (hrefs(html)[0] as string).startsWith(`${BASE}/c/`),
      opens: pixelSrc(html) !== undefined,
    };
  };

  it('is the email, then the stream, then the domain', async () => {
    // The domain turns both on for a stream that sets nothing.
    expect(await tracked({ stream: 'broadcast' })).toEqual({ clicks: true, opens: true });
    await testEnv.DB.prepare(
      `INSERT INTO streams (tenant_id, id, name, type, track_opens, track_clicks, list_unsubscribe, created_at, updated_at)
       VALUES (?, 'quiet', 'Quiet', 'transactional', NULL, 0, 0, ?, ?)`,
    )
      .bind(tenant.tenantId, new Date().toISOString(), new Date().toISOString())
      .run();
    // The stream's off beats the domain's on; what the stream leaves unset, the domain decides.
    expect(await tracked({ stream: 'quiet' })).toEqual({ clicks: false, opens: true });
    // The email's own switches beat both.
    expect(await tracked({ stream: 'quiet', track_clicks: true, track_opens: false })).toEqual({
      clicks: true,
      opens: false,
    });
  });
});

describe("a domain's own tracking host", () => {
  it('is where links and the pixel point, and its links are already tracking links', async () => {
    const tenant = await newTenant();
    await testEnv.DB.prepare("UPDATE domains SET tracking_hostname = 'links.acme.test' WHERE id = ?")
      .bind(tenant.domainId)
      .run();
    const { html } = await sent(tenant, {
      html: '<body><a href="https://x.example/">x</a> <a href="https://links.acme.test/c/old">old</a></body>',
      track_clicks: true,
      track_opens: true,
    });
    const [link, old] = hrefs(html) as [string, string];
    expect((await claimsOf(link, 'https://links.acme.test/c/'))?.url).toBe('https://x.example/');
    expect(old).toBe('https://links.acme.test/c/old');
    expect(pixelSrc(html)?.startsWith('https://links.acme.test/o/')).toBe(true);
  });
});

describe('List-Unsubscribe', () => {
  let acme: Tenant;
  beforeAll(async () => {
    acme = await newTenant();
  });

  async function unsubscribeHeaders(overrides: Partial<SendEmailRequest>) {
    const { id, eml, headers } = await sent(acme, overrides);
    return {
      id,
      eml,
      list: header(headers, 'List-Unsubscribe'),
      post: header(headers, 'List-Unsubscribe-Post'),
    };
  }

  it('is on broadcast emails: one-click https and mailto, the token naming the email and recipient', async () => {
    const { id, eml, list, post } = await unsubscribeHeaders({
      stream: 'broadcast',
      to: 'Ada <ADA@customer.test>',
    });
    expect(post).toEqual(['List-Unsubscribe=One-Click']);
    expect(list).toHaveLength(1);
    const match =
      /^<(http:\/\/localhost:8787\/u\/([^>]+))>, <mailto:unsubscribe@([^?]+)\?subject=unsubscribe-([^>]+)>$/.exec(
        list[0] as string,
      );
    expect(match).not.toBeNull();
    const [, , token, mailDomain, mailToken] = match as unknown as string[];
    expect(mailDomain).toBe(acme.domain);
    expect(mailToken).toBe(token);
    const claims = await verifyToken(keys(), token as string);
    expect(claims).toMatchObject({
      action: 'unsubscribe',
      tenant_id: acme.tenantId,
      email_id: id,
      recipient: 'ada@customer.test',
    });
    expect(claims?.topic_id).toBeUndefined();
    // DKIM-signable as written: 7-bit, folded, no line over 998 octets.
    const headerBlock = eml.slice(0, eml.indexOf('\r\n\r\n'));
    expect(headerBlock).toMatch(
      /^List-Unsubscribe:\r\n <http:\/\/localhost:8787\/u\/[^>]+>,\r\n <mailto:[^>]+>\r\n/m,
    );
    for (const line of headerBlock.split('\r\n')) {
      expect(line.length).toBeLessThanOrEqual(998);
      expect(line).toMatch(/^[\x20-\x7e\t]*$/);
    }
  });

  it("carries the email's topic in the token", async () => {
    const topicId = crypto.randomUUID();
    await testEnv.DB.prepare(
      `INSERT INTO topics (id, tenant_id, name, default_subscription, created_at, updated_at)
       VALUES (?, ?, 'News', 'opt_in', ?, ?)`,
    )
      .bind(topicId, acme.tenantId, new Date().toISOString(), new Date().toISOString())
      .run();
    const { list } = await unsubscribeHeaders({ stream: 'broadcast', topic_id: topicId });
    const token = /\/u\/([^>]+)>/.exec(list[0] as string)?.[1] as string;
    expect((await verifyToken(keys(), token))?.topic_id).toBe(topicId);
  });

  it('is off on transactional emails unless the email asks for it', async () => {
    expect(await unsubscribeHeaders({})).toMatchObject({ list: [], post: [] });
    const asked = await unsubscribeHeaders({ list_unsubscribe: true });
    expect(asked.list).toHaveLength(1);
    expect(asked.post).toEqual(['List-Unsubscribe=One-Click']);
    // And a broadcast email may say no.
    expect(await unsubscribeHeaders({ stream: 'broadcast', list_unsubscribe: false })).toMatchObject({
      list: [],
      post: [],
    });
  });

  it("leaves a customer's own List-Unsubscribe header as the only one", async () => {
    const { list, post } = await unsubscribeHeaders({
      stream: 'broadcast',
      headers: { 'list-unsubscribe': '<https://acme.test/unsub?u=42>' },
    });
    expect(list).toEqual(['<https://acme.test/unsub?u=42>']);
    expect(post).toEqual([]);
  });
});
