// List-Unsubscribe on a broadcast email delivered through the whole mesh (gateway → send → queue →
// local SES): both RFC 8058 headers as a mail reader parses them, the one-click URL on the tracking
// host (the gateway in dev) with a token the dev key verifies, its one-click POST taking the reader
// off the next broadcast, and none on a transactional email.
import { fileURLToPath } from 'node:url';
import { readWranglerConfig } from '@mailgrid/testing/wrangler-config';
import { parseSigningKeys, verifyToken } from '@mailgrid/tracking-tokens';
import { describe, expect, it } from 'vitest';
import { api, mesh } from './client';
import { delivered, postEmail } from './mail';

const { sender } = mesh;
const { vars } = readWranglerConfig(
  fileURLToPath(new URL('../../workers/send/wrangler.jsonc', import.meta.url)),
);
const keys = parseSigningKeys(vars?.TRACKING_SIGNING_KEYS, vars?.TRACKING_SIGNING_KEY_ID);

async function sendOn(
  stream: string,
  to = ['Reader <Reader@example.com>', 'second@example.com'],
): Promise<string> {
  const response = await postEmail(sender.sending.token, {
    from: `News <news@${sender.domain}>`,
    to,
    subject: `List-Unsubscribe on ${stream}`,
    html: '<p>Our news</p>',
    stream,
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { id: string }).id;
}

describe('List-Unsubscribe through the mesh', () => {
  it('is on a delivered broadcast email, one-click, with a token naming the email and first recipient', async () => {
    const id = await sendOn('broadcast');
    const { mail } = await delivered(id);

    // mailparser reads the List-* headers into its `list` field: both URIs, and the one-click flag.
    const list = mail.headers.get('list') as {
      unsubscribe?: { url?: string; mail?: string };
      'unsubscribe-post'?: { name?: string };
    };
    expect(list['unsubscribe-post']?.name).toBe('List-Unsubscribe=One-Click');
    const url = list.unsubscribe?.url as string;
    expect(url.startsWith(`${mesh.url}/u/`)).toBe(true);
    expect(list.unsubscribe?.mail).toMatch(
      new RegExp(`^unsubscribe@${sender.domain.replaceAll('.', '\\.')}\\?subject=unsubscribe-`),
    );
    const token = url.slice(`${mesh.url}/u/`.length);
    expect(await verifyToken(keys, token)).toMatchObject({
      action: 'unsubscribe',
      tenant_id: sender.tenantId,
      email_id: id,
      recipient: 'reader@example.com',
    });
    // The raw field: plain ASCII, folded between the two URIs.
    const raw = (key: string) => mail.headerLines.filter((line) => line.key === key).map((line) => line.line);
    expect(raw('list-unsubscribe')).toEqual([
      expect.stringMatching(/^List-Unsubscribe:\r\n <http[^>]+\/u\/[^>]+>,\r\n <mailto:[^>]+>$/),
    ]);
    expect(raw('list-unsubscribe-post')).toEqual(['List-Unsubscribe-Post: List-Unsubscribe=One-Click']);
  });

  it("one-click (as a mailbox provider POSTs it) leaves the recipient out of the tenant's next broadcast", async () => {
    const reader = `one-click-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const first = await sendOn('broadcast', [reader, 'stays@example.com']);
    const { mail } = await delivered(first);
    const url = (mail.headers.get('list') as { unsubscribe: { url: string } }).unsubscribe.url;
    const click = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(click.status).toBe(200);

    const next = await sendOn('broadcast', [reader, 'stays@example.com']);
    const email = (await (await api(`/api/emails/${next}`, { key: sender.full.token })).json()) as {
      to: string[];
      suppressed: string[];
    };
    expect(email.to).toEqual(['stays@example.com']);
    expect(email.suppressed).toEqual([reader]);
  });

  it('is not on a delivered transactional email', async () => {
    const id = await sendOn('transactional');
    const { mail } = await delivered(id);
    expect(mail.headers.has('list')).toBe(false);
    expect(mail.headerLines.filter((line) => line.key.startsWith('list-'))).toEqual([]);
  });
});
