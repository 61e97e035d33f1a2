// SES's feedback loop run locally as in production: the local SES publishes, for every message it
// takes, the events SES would (Send, then Delivery; the mailbox simulator's bounces and complaints),
// signed, through the gateway's SNS intake. Everything downstream is the real chain: the email's
// events and status, the suppression list, stats, and a customer webhook verified as a customer would.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, mesh } from './client';
import { postEmail, waitForEvent } from './mail';

const { loop } = mesh;
const FROM = `Loop <hello@loop.mesh.test>`;
const unique = () => crypto.randomUUID().slice(0, 8);

interface EmailEvent {
  type: string;
  recipient: string | null;
  data: Record<string, unknown>;
}

async function send(to: string, subject = 'loop'): Promise<string> {
  const response = await postEmail(loop.sending.token, { from: FROM, to, subject, text: 'hello' });
  expect(response.status).toBe(200);
  return ((await response.json()) as { id: string }).id;
}

async function eventsOf(id: string): Promise<EmailEvent[]> {
  const response = await api(`/api/emails/${id}/events`, { key: loop.full.token });
  return ((await response.json()) as { data: EmailEvent[] }).data;
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function suppressed(address: string): Promise<{ email: string; reason: string } | undefined> {
  const response = await api('/api/suppressions?limit=100', { key: loop.full.token });
  const { data } = (await response.json()) as { data: { email: string; reason: string }[] };
  return data.find((row) => row.email === address);
}

interface Totals {
  sent: number;
  delivered: number;
  bounced: number;
}

async function totals(): Promise<Totals> {
  const response = await api('/api/stats', { key: loop.full.token });
  return ((await response.json()) as { totals: Totals }).totals;
}

// A customer's webhook receiver on loopback.
const hooks: { body: string; headers: Record<string, string> }[] = [];
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    hooks.push({
      body: Buffer.concat(chunks).toString(),
      headers: Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, String(value)])),
    });
    res.writeHead(204);
    res.end();
  });
});
let secret = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const response = await api('/api/webhooks', {
    method: 'POST',
    key: loop.full.token,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      endpoint: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`,
      events: ['email.sent', 'email.delivered', 'email.bounced', 'email.complained'],
    }),
  });
  expect(response.status).toBe(201);
  secret = ((await response.json()) as { signing_secret: string }).signing_secret;
});
afterAll(() => {
  receiver.close();
});

/** The webhooks received for one email, verified with the `standardwebhooks` library. */
function verifiedHooks(emailId: string): { type: string; data: Record<string, unknown> }[] {
  return hooks
    .map(
      (hook) =>
        new Webhook(secret).verify(hook.body, hook.headers) as { type: string; data: { email_id: string } },
    )
    .filter((payload) => payload.data.email_id === emailId);
}

describe('the local SES publishes what SES would', () => {
  it('an ordinary message: Send, then Delivery, then a signed email.delivered webhook, within seconds', async () => {
    const started = Date.now();
    const before = await totals();
    const id = await send(`reader-${unique()}@example.com`);

    await waitForEvent(loop.full.token, id, 'delivered', 10_000);
    const events = await eventsOf(id);
    expect(events.map((event) => event.type)).toEqual(['email.sent', 'email.delivered']);
    expect(events[1]?.data).toMatchObject({ smtp_response: expect.stringMatching(/^250 /) });
    const hooked = await until('the delivered webhook', async () => {
      const found = verifiedHooks(id);
      return found.some((hook) => hook.type === 'email.delivered') ? found : undefined;
    });
    expect(hooked.map((hook) => hook.type).sort()).toEqual(['email.delivered', 'email.sent']);
    expect(Date.now() - started).toBeLessThan(10_000);
    const after = await until('the stats', async () => {
      const now = await totals();
      return now.delivered > before.delivered ? now : undefined;
    });
    expect(after.sent - before.sent).toBe(1);
    expect(after.delivered - before.delivered).toBe(1);
  });

  it('bounce@ (any +label): a permanent bounce, the address suppressed, email.bounced, counted', async () => {
    const before = await totals();
    const address = `bounce+${unique()}@simulator.amazonses.com`;
    const id = await send(address);

    await waitForEvent(loop.full.token, id, 'bounced', 10_000);
    const bounce = (await eventsOf(id)).find((event) => event.type === 'email.bounced');
    expect(bounce).toMatchObject({
      recipient: address,
      data: { bounce_type: 'Permanent', bounce_subtype: 'General', status: '5.1.1' },
    });
    expect(await until('the suppression', () => suppressed(address))).toMatchObject({
      reason: expect.stringMatching(/^bounce/),
    });
    await until('the bounced webhook', async () =>
      verifiedHooks(id).find((hook) => hook.type === 'email.bounced'),
    );
    const after = await until('the stats', async () => {
      const now = await totals();
      return now.bounced > before.bounced ? now : undefined;
    });
    expect(after.bounced - before.bounced).toBe(1);

    // The next send to it is suppressed at accept, and never reaches SES.
    const again = await send(address, 'again');
    await waitForEvent(loop.full.token, again, 'suppressed');
  });

  it('complaint@: delivered, then a complaint; the address suppressed and email.complained fired', async () => {
    const address = `complaint+${unique()}@simulator.amazonses.com`;
    const id = await send(address);

    await waitForEvent(loop.full.token, id, 'complained', 10_000);
    expect((await eventsOf(id)).map((event) => event.type)).toEqual([
      'email.sent',
      'email.delivered',
      'email.complained',
    ]);
    expect(await until('the suppression', () => suppressed(address))).toMatchObject({
      reason: 'complaint',
    });
    await until('the complained webhook', async () =>
      verifiedHooks(id).find((hook) => hook.type === 'email.complained'),
    );
  });

  it('suppressionlist@: bounced as on the account-level suppression list', async () => {
    const address = `suppressionlist@simulator.amazonses.com`;
    const id = await send(address);
    await waitForEvent(loop.full.token, id, 'bounced', 10_000);
    expect((await eventsOf(id)).find((event) => event.type === 'email.bounced')?.data).toMatchObject({
      bounce_type: 'Permanent',
      bounce_subtype: 'OnAccountSuppressionList',
    });
  });

  it('ooto@: delivered, and the out-of-office reply lands in the local inbox', async () => {
    const subject = `Away test ${unique()}`;
    const id = await send('ooto@simulator.amazonses.com', subject);
    await waitForEvent(loop.full.token, id, 'delivered', 10_000);
    const reply = await until('the auto-reply', async () => {
      const store = (await (await fetch(`${mesh.sesUrl}/store`)).json()) as {
        emails: { subject: string; destination: { to: string[] } }[];
      };
      return store.emails.find((email) => email.subject === `Out of the office: ${subject}`);
    });
    expect(JSON.stringify(reply.destination)).toContain('hello@loop.mesh.test');
  });
});

describe('seeing what was sent', () => {
  it('GET /api/emails/:id/raw and the local inbox show the message with every header', async () => {
    const response = await postEmail(loop.sending.token, {
      from: FROM,
      to: `headers-${unique()}@example.com`,
      subject: 'every header',
      text: 'hello',
      headers: { 'X-Entity-Ref-ID': 'order-42' },
      list_unsubscribe: true,
    });
    const { id } = (await response.json()) as { id: string };
    await waitForEvent(loop.full.token, id, 'sent');

    const raw = await api(`/api/emails/${id}/raw`, { key: loop.full.token });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe('message/rfc822');
    const eml = await raw.text();
    expect(eml).toMatch(/^X-Entity-Ref-ID: order-42\r$/m);
    expect(eml).toMatch(/^List-Unsubscribe:\s+<http/m);
    expect(eml).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    // Only a full-access key reads messages.
    expect((await api(`/api/emails/${id}/raw`, { key: loop.sending.token })).status).toBe(403);

    const inbox = await (await fetch(`${mesh.sesProxyUrl}/inbox`)).text();
    const link = /href="\/inbox\/([^"]+)">every header</.exec(inbox)?.[1];
    expect(link, 'the inbox lists the message').toBeDefined();
    const shown = await (await fetch(`${mesh.sesProxyUrl}/inbox/${link}`)).text();
    expect(shown).toBe(eml);
  });
});

describe('injecting an event (POST /__standin/ses-events)', () => {
  it('any event for any sent message, by Mailgrid id: a delivery delay, then a transient bounce', async () => {
    const address = `slow-${unique()}@example.com`;
    const id = await send(address);
    await waitForEvent(loop.full.token, id, 'delivered', 10_000);

    const inject = (body: Record<string, unknown>) =>
      fetch(`${mesh.sesProxyUrl}/__standin/ses-events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id, ...body }),
      });
    expect((await inject({ event: 'DeliveryDelay' })).status).toBe(202);
    expect(
      (await inject({ event: 'Bounce', bounce_type: 'Transient', bounce_subtype: 'MailboxFull' })).status,
    ).toBe(202);
    const events = await until('the injected events', async () => {
      const found = await eventsOf(id);
      return found.some((event) => event.type === 'email.bounced') &&
        found.some((event) => event.type === 'email.delivery_delayed')
        ? found
        : undefined;
    });
    expect(events.find((event) => event.type === 'email.bounced')?.data).toMatchObject({
      bounce_type: 'Transient',
      bounce_subtype: 'MailboxFull',
    });
    // A soft bounce does not suppress.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await suppressed(address)).toBeUndefined();

    const unknown = await fetch(`${mesh.sesProxyUrl}/__standin/ses-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: crypto.randomUUID(), event: 'Delivery' }),
    });
    expect(unknown.status).toBe(404);
    expect((await inject({ event: 'Teleport' })).status).toBe(422);
  });
});
