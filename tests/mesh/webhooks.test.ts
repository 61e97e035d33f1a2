// Customer webhooks end to end: the local SES's Delivery event arrives through SNS, and the tenant's endpoint (a real
// receiver on loopback) gets it signed per Standard Webhooks, verified here with the `standardwebhooks`
// library as a customer would; a receiver that fails and then recovers gets it once, later; 410 disables.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, mesh } from './client';
import { delivered, postEmail, waitForEvent } from './mail';
import type { SentEmail } from './sns';

const { sender } = mesh;
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}
const received: Received[] = [];
/** Per path: the statuses to answer, in order; the last one repeats. */
const script = new Map<string, number[]>();
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const statuses = script.get(req.url ?? '') ?? [200];
    const status = statuses.length > 1 ? (statuses.shift() as number) : (statuses[0] as number);
    received.push({
      path: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString(),
      answered: status,
    });
    res.writeHead(status);
    res.end();
  });
});
let base = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
});

async function createWebhook(path: string): Promise<{ id: string; signing_secret: string }> {
  const response = await api('/api/webhooks', {
    method: 'POST',
    key: sender.full.token,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ endpoint: `${base}${path}`, events: ['email.delivered'] }),
  });
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as { id: string; signing_secret: string };
}

async function deliverAnEmail(to: string): Promise<SentEmail> {
  const response = await postEmail(sender.sending.token, {
    from: `hello@${sender.domain}`,
    to,
    subject: 'hook',
    text: 'x',
  });
  const { id } = (await response.json()) as { id: string };
  const { record } = await delivered(id);
  // The local SES publishes the Delivery event itself, as SES does.
  await waitForEvent(sender.full.token, id, 'delivered');
  return { id, tenantId: sender.tenantId, sesMessageId: record.message_id, to };
}

async function until<T>(what: string, check: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('customer webhooks', () => {
  it('delivers email.delivered signed per Standard Webhooks, once, after the receiver recovers', async () => {
    const path = `/hooks/${crypto.randomUUID()}`;
    script.set(path, [500, 200]);
    const hook = await createWebhook(path);
    expect(hook.signing_secret).toMatch(/^whsec_/);
    const email = await deliverAnEmail(`hooked-${crypto.randomUUID().slice(0, 8)}@example.com`);

    const ok = await until('a successful delivery', () =>
      received.find((r) => r.path === path && r.answered === 200),
    );
    const attempts = received.filter((r) => r.path === path);
    expect(attempts.map((r) => r.answered)).toEqual([500, 200]);
    // Both attempts carry the same webhook-id, so a receiver can dedupe.
    expect(new Set(attempts.map((r) => r.headers['webhook-id'])).size).toBe(1);

    const payload = new Webhook(hook.signing_secret).verify(ok.body, {
      'webhook-id': String(ok.headers['webhook-id']),
      'webhook-timestamp': String(ok.headers['webhook-timestamp']),
      'webhook-signature': String(ok.headers['webhook-signature']),
    }) as { type: string; data: { email_id: string } };
    expect(payload).toMatchObject({ type: 'email.delivered', data: { email_id: email.id } });
    expect(() =>
      new Webhook(`whsec_${btoa('not the secret, not at all')}`).verify(ok.body, {
        'webhook-id': String(ok.headers['webhook-id']),
        'webhook-timestamp': String(ok.headers['webhook-timestamp']),
        'webhook-signature': String(ok.headers['webhook-signature']),
      }),
    ).toThrow();

    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(received.filter((r) => r.path === path && r.answered === 200)).toHaveLength(1);
  }, 60_000);

  it('disables an endpoint that answers 410', async () => {
    const path = `/gone/${crypto.randomUUID()}`;
    script.set(path, [410]);
    const hook = await createWebhook(path);
    await deliverAnEmail(`gone-${crypto.randomUUID().slice(0, 8)}@example.com`);
    await until('the 410', () => received.find((r) => r.path === path));
    const deadline = Date.now() + 15_000;
    let current = '';
    while (Date.now() < deadline) {
      const response = await api(`/api/webhooks/${hook.id}`, { key: sender.full.token });
      current = ((await response.json()) as { status: string }).status;
      if (current === 'disabled') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(current).toBe('disabled');
  });
});
