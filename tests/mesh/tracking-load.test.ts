// Opens and clicks under load, end to end: 200 emails accepted in two batches, and while their SES
// `Send`/`Delivery` notifications are still on the events queue, a person's open and click of every
// one (400 hits, 16 at a time). Each must end as exactly one stored event: none lost on the way
// (tracking's enqueue after the response, the shared events queue, the consumer's batch) and none
// stored twice. A cost benchmark once found 193 of 4,000 missing; this is its bounded, loopback form.
// Tokens are signed with the dev key from wrangler.jsonc, as the send worker signs them.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readWranglerConfig } from '@mailgrid/testing/wrangler-config';
import { parseSigningKeys, signToken } from '@mailgrid/tracking-tokens';
import { describe, expect, it } from 'vitest';
import { api, mesh } from './client';

const EMAILS = 200;
const BATCH = 100;
const CONCURRENCY = 16;
/** How long the consumer may take to store the last hit (locally a few seconds; bounded well below the test's). */
const STORE_WAIT_MS = 40_000;
const BROWSER =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const { roomy } = mesh;
const { vars } = readWranglerConfig(
  fileURLToPath(new URL('../../workers/tracking/wrangler.jsonc', import.meta.url)),
);
const keys = parseSigningKeys(vars?.TRACKING_SIGNING_KEYS, vars?.TRACKING_SIGNING_KEY_ID);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Sent {
  id: string;
  to: string;
  link: string;
}

interface Tally {
  opens: number;
  clicks: number;
}

/** Runs `task` over `items`, `CONCURRENCY` at a time. */
async function pool<T>(items: readonly T[], task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

/** A person's opens and clicks of the email (machine hits, and SES's own events, are not counted). */
async function tallyOf(email: Sent): Promise<Tally> {
  const response = await api(`/api/emails/${email.id}/events`, { key: roomy.full.token });
  expect(response.status, `GET /api/emails/${email.id}/events`).toBe(200);
  const { data } = (await response.json()) as {
    data: { type: string; recipient: string | null; data: Record<string, unknown> }[];
  };
  const person = data.filter((event) => event.data.machine === false && event.recipient === email.to);
  return {
    opens: person.filter((event) => event.type === 'email.opened').length,
    clicks: person.filter((event) => event.type === 'email.clicked' && event.data.link === email.link).length,
  };
}

/**
 * What the stack's log says happened to tracking events since `from` (a byte offset): the consumer's
 * per-batch counts, the tracking worker's failed queue sends, and wrangler dev reloads (each one a
 * new workerd, whose local queues start empty). Only read to explain a failure.
 */
function logSince(from: number): string {
  const text = readFileSync(mesh.logFile).subarray(from).toString('utf8');
  const sums = { batches: 0, messages: 0, stored: 0, unknown_email: 0, malformed: 0 };
  for (const line of text.split('\n')) {
    const start = line.indexOf('{"event":"events.tracking_batch"');
    if (start < 0) continue;
    try {
      const batch = JSON.parse(line.slice(start)) as Record<string, number>;
      sums.batches++;
      for (const key of ['messages', 'stored', 'unknown_email', 'malformed'] as const)
        sums[key] += batch[key] ?? 0;
    } catch {
      // a line wrangler split: not counted
    }
  }
  const count = (pattern: RegExp) => text.split('\n').filter((line) => pattern.test(line)).length;
  return [
    `consumer since the hits: ${JSON.stringify(sums)}`,
    `queue sends failed: ${count(/events queue send failed/)}`,
    `d1 failures (retried): ${count(/d1 (batch|read) failed/)}`,
    `wrangler dev reloads: ${count(/Reloading local server|Detected changes, restarted/)}`,
    `log: ${mesh.logFile}`,
  ].join('; ');
}

describe('opens and clicks while SES events are still arriving', () => {
  it('stores every hit of 200 emails exactly once', async () => {
    const from = 'Load <hello@roomy.mesh.test>';
    const run = Date.now().toString(36);
    const emails: Sent[] = [];
    for (let b = 0; b < EMAILS / BATCH; b++) {
      const tos = Array.from({ length: BATCH }, (_, i) => `load${b * BATCH + i}-${run}@example.com`);
      const response = await api('/api/emails/batch', {
        method: 'POST',
        key: roomy.full.token,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(tos.map((to, i) => ({ from, to, subject: `load ${i}`, text: 'hi' }))),
      });
      expect(response.status, await response.clone().text()).toBe(200);
      const { data } = (await response.json()) as { data: { id: string }[] };
      expect(data).toHaveLength(BATCH);
      data.forEach(({ id }, i) => {
        emails.push({ id, to: tos[i] as string, link: `https://example.com/read/${id}` });
      });
    }

    // Straight after the accept: the send worker paces SES at 50/s, so Send and Delivery notifications
    // share the events queue (and its batches) with these hits.
    const logFrom = statSync(mesh.logFile).size;
    const now = Math.floor(Date.now() / 1000);
    const hits: { path: string; status: number }[] = [];
    for (const email of emails) {
      // Issued an hour ago: a person's click, past the link-scanner window.
      const claims = {
        tenant_id: roomy.tenantId,
        email_id: email.id,
        recipient: email.to,
        expires_at: now + 86_400,
        issued_at: now - 3600,
      };
      hits.push({ path: `/o/${await signToken(keys, { ...claims, action: 'open' })}`, status: 200 });
      hits.push({
        path: `/c/${await signToken(keys, { ...claims, action: 'click', url: email.link })}`,
        status: 302,
      });
    }
    const wrong: string[] = [];
    await pool(hits, async ({ path, status }) => {
      const response = await fetch(`${mesh.url}${path}`, {
        redirect: 'manual',
        headers: { 'user-agent': BROWSER },
      });
      await response.arrayBuffer();
      if (response.status !== status) wrong.push(`${path.slice(0, 3)} ${response.status}`);
    });
    expect(wrong, 'tracking hits answered wrongly').toEqual([]);

    // Poll only the emails still short of an open or a click, until none is or the wait runs out.
    const tallies = new Map<string, Tally>();
    let waiting = emails;
    const deadline = Date.now() + STORE_WAIT_MS;
    while (waiting.length > 0 && Date.now() < deadline) {
      await pool(waiting, async (email) => {
        tallies.set(email.id, await tallyOf(email));
      });
      waiting = waiting.filter((email) => {
        const tally = tallies.get(email.id);
        return !tally || tally.opens < 1 || tally.clicks < 1;
      });
      if (waiting.length > 0) await sleep(500);
    }
    // One more full read after the consumer's batch window (2 s): a late redelivery would show as a double.
    await sleep(2500);
    await pool(emails, async (email) => {
      tallies.set(email.id, await tallyOf(email));
    });

    const all = [...tallies.values()];
    const outcome = {
      missing_opens: all.filter((tally) => tally.opens === 0).length,
      missing_clicks: all.filter((tally) => tally.clicks === 0).length,
      doubled_opens: all.filter((tally) => tally.opens > 1).length,
      doubled_clicks: all.filter((tally) => tally.clicks > 1).length,
    };
    const missing = outcome.missing_opens + outcome.missing_clicks;
    expect(
      outcome,
      `${missing} of ${hits.length} opens/clicks missing after ${STORE_WAIT_MS / 1000} s; ${logSince(logFrom)}`,
    ).toEqual({ missing_opens: 0, missing_clicks: 0, doubled_opens: 0, doubled_clicks: 0 });
  }, 90_000);
});
