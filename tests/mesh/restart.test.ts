// A crash of the whole mesh mid-send loses nothing and sends nothing twice. A stack of its own (the
// shared one must keep running): a broadcast to 200 contacts started and 300 emails accepted, the
// workers killed (SIGKILL) while both are still going out, started again on the same state with the
// local SES kept alive, and crashed once more 20 s into the recovery (wrangler alone, restarted by
// the stack as `npm start` does). SES's answers are held back 1.5 s (a proxy in front of it), so at
// the kill some messages are in SES while the worker that sent them has not heard so: the worst
// moment for a crash. Nothing pokes the recovery: the gateway's cron, fired by the stack each
// minute, finds what the lost queue held and what a dead delivery held a claim on; SES's Send
// events, which the local SES goes on publishing until the gateway answers again, settle the
// copies SES took before the crash. The broadcast's lost chain is restarted by the same cron.
// Every recipient must be in the SES inbox exactly once, every email `sent` (or further) and the
// broadcast `sent`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeStatements, freePort, query, type Stack, startStack } from '@mailgrid/stack';
import { keyStatement, type SeededKey, tenantStatements } from '@mailgrid/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';

const EMAILS = 300;
const CONTACTS = 200;
const run = crypto.randomUUID().slice(0, 8);
const broadcastId = crypto.randomUUID();
const dir = mkdtempSync(join(tmpdir(), 'mailgrid-restart-'));
const persistDir = join(dir, 'state');
let stack: Stack;
let key: SeededKey;
let slowSes: Server;

/** Forwards every call to the stand-ins, and holds SendEmail's answer back after SES has the message. */
async function startSlowSes(target: string): Promise<string> {
  slowSes = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).flatMap(([name, value]) =>
          typeof value === 'string' && name !== 'host' && name !== 'content-length' ? [[name, value]] : [],
        ),
      );
      try {
        const upstream = await fetch(`${target}${req.url}`, {
          method: req.method,
          headers,
          body: req.method === 'GET' ? undefined : Buffer.concat(chunks),
        });
        const body = Buffer.from(await upstream.arrayBuffer());
        if (req.url === '/v2/email/outbound-emails')
          await new Promise((resolve) => setTimeout(resolve, 1500));
        res.writeHead(upstream.status, {
          'content-type': upstream.headers.get('content-type') ?? 'application/json',
        });
        res.end(body);
      } catch {
        res.destroy();
      }
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => slowSes.listen(port, '127.0.0.1', resolve));
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  const seeded = tenantStatements({
    slug: 'restart',
    domain: 'restart.mesh.test',
    rateLimit: { per_second: 1000, burst: 1000 },
  });
  const full = await keyStatement(seeded.tenant, { name: 'restart', permission: 'full_access' });
  key = full.key;
  const standinsPort = await freePort();
  const sesEndpoint = await startSlowSes(`http://127.0.0.1:${standinsPort}`);
  stack = await startStack({
    standinsPort,
    persistDir,
    port: await freePort(),
    sesPort: await freePort(),
    output: join(dir, 'stack.log'),
    seed: (path) =>
      executeStatements(path, [...seeded.statements, full.statement, ...audience(seeded.tenant.tenantId)]),
    sesEventDelayMs: 250,
    // wrangler dev has died on its own under the restarted workers on a loaded CI machine (an empty
    // "✘ [ERROR]"): one more crash mid-recovery, which the stack restarts from like any other.
    restartOnExit: true,
    vars: {
      SES_ENDPOINT: sesEndpoint,
      // Slow enough that the kill lands mid-send (300 emails take ~15 s).
      SES_MAX_SEND_RATE: '20',
      // Recovery's thresholds shortened from minutes to seconds, so the test ends in about two.
      // (SEND_SETTLE_AFTER_SECONDS stays the stack's 30: longer than the SES stand-in's 20 s between
      // retries of a notification the gateway was down for, as SNS's delivery policy must be.)
      SEND_STRANDED_AFTER_SECONDS: '10',
      // A claim outlives one SES call (answered in 1.5 s here, abandoned after 5): a dead delivery's
      // claims have run out by the first recovery after the restart.
      SEND_CLAIM_SECONDS: '10',
      SES_TIMEOUT_MS: '5000',
      COST_LOG: 'off',
    },
  });
}, 120_000);

/** A segment of CONTACTS contacts and a draft broadcast to it, as the API would have stored them. */
function audience(tenantId: string) {
  const now = new Date().toISOString();
  const segment = crypto.randomUUID();
  const contacts = Array.from({ length: CONTACTS }, (_, i) => ({
    id: crypto.randomUUID(),
    email: `c${i}-${run}@example.com`,
  }));
  return [
    {
      sql: "INSERT INTO segments (id, tenant_id, name, created_at) VALUES (?, ?, 'crowd', ?)",
      params: [segment, tenantId, now],
    },
    ...contacts.flatMap((contact) => [
      {
        sql: 'INSERT INTO contacts (id, tenant_id, email, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
        params: [contact.id, tenantId, contact.email, now, now],
      },
      {
        sql: 'INSERT INTO segment_contacts (tenant_id, segment_id, contact_id, created_at) VALUES (?, ?, ?, ?)',
        params: [tenantId, segment, contact.id, now],
      },
    ]),
    {
      sql: `INSERT INTO broadcasts (id, tenant_id, name, segment_id, from_address, subject, text, created_at, updated_at)
            VALUES (?, ?, 'crash', ?, 'news@restart.mesh.test', ?, 'exactly once', ?, ?)`,
      params: [broadcastId, tenantId, segment, `broadcast ${run}`, now, now],
    },
  ];
}

let failed = false;
afterAll(async () => {
  await stack?.stop();
  // The stack's own log goes with its directory: what it said of errors is kept in the test's output.
  if (failed) {
    const log = readFileSync(join(dir, 'stack.log'), 'utf8').split('\n');
    console.log(
      log
        .filter((line) => /error|exited|lost/i.test(line))
        .slice(-80)
        .join('\n'),
    );
  }
  slowSes?.closeAllConnections();
  slowSes?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Our messages in the SES inbox (aws-ses-v2-local keeps every one it was given). */
async function inbox(): Promise<string[]> {
  const store = (await (await fetch(`${stack.sesUrl}/store`)).json()) as {
    emails: { subject: string; destination: { to: string[] } }[];
  };
  return store.emails
    .filter((email) => email.subject === `restart ${run}` || email.subject === `broadcast ${run}`)
    .flatMap((email) => email.destination.to);
}

/**
 * Emails per status, read from D1 by `wrangler d1 execute` with the workers stopped (a second
 * process on a database workerd is writing makes both busy). The status is internal: the API shows
 * last_event, which SES's events move on before a stranded claim is settled.
 */
async function statuses(): Promise<Record<string, number>> {
  const rows = await query<{ status: string; n: number }>(persistDir, {
    sql: "SELECT status, count(*) AS n FROM emails GROUP BY status UNION ALL SELECT 'broadcast ' || status, 1 FROM broadcasts",
    params: [],
  });
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

/**
 * A GET of the gateway's JSON while the workers may be restarting; null when it did not come back.
 * wrangler dev's proxy in front of restarted workers has answered with its own plain-text "Error:
 * Network connection lost.", and has died (the stack starts it again): that poll is logged, and the
 * next one, a second later, counts.
 */
async function poll<T>(path: string): Promise<T | null> {
  try {
    const response = await fetch(`${stack.url}${path}`, {
      headers: { authorization: `Bearer ${key.token}` },
    });
    if (response.headers.get('content-type')?.startsWith('application/json'))
      return (await response.json()) as T;
    console.log(
      JSON.stringify({ restart_poll_failed: response.status, body: (await response.text()).slice(0, 200) }),
    );
  } catch (err) {
    console.log(JSON.stringify({ restart_poll_failed: String(err) }));
  }
  return null;
}

/** How many of the tenant's emails SES has taken, by their last_event, through the API; null when a page did not come back. */
async function sentSoFar(): Promise<number | null> {
  let count = 0;
  let after: string | undefined;
  for (;;) {
    const page = await poll<{ has_more: boolean; data: { id: string; last_event: string }[] }>(
      `/api/emails?limit=100${after ? `&after=${after}` : ''}`,
    );
    if (!page) return null;
    count += page.data.filter((email) => !['queued', 'scheduled'].includes(email.last_event)).length;
    if (!page.has_more) return count;
    after = page.data.at(-1)?.id;
  }
}

describe('a restart of the whole mesh mid-send', () => {
  // Not retried: a second run would start from the first one's used-up broadcast and inbox.
  it('mails every recipient exactly once and leaves nothing queued', {
    retry: 0,
    timeout: 450_000,
  }, async () => {
    onTestFailed(() => {
      failed = true;
    });
    const started = await fetch(`${stack.url}/api/broadcasts/${broadcastId}/send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.token}` },
    });
    expect(started.status).toBe(200);
    const recipients = Array.from({ length: EMAILS }, (_, i) => `r${i}-${run}@example.com`);
    for (let i = 0; i < EMAILS; i += 100) {
      const response = await fetch(`${stack.url}/api/emails/batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(
          recipients.slice(i, i + 100).map((to) => ({
            from: 'hello@restart.mesh.test',
            to,
            subject: `restart ${run}`,
            text: 'exactly once',
          })),
        ),
      });
      expect(response.status).toBe(200);
    }

    // Kill once some, but far from all, have reached SES.
    const deadline = Date.now() + 60_000;
    while ((await inbox()).length < 40 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await stack.killWorkers();
    const atKill = (await inbox()).length;
    // What the crash left: `sending` rows are claims a dead delivery held (SES may have them).
    const statusesAtKill = await statuses();
    expect(atKill).toBeGreaterThanOrEqual(40);
    expect(atKill).toBeLessThan(EMAILS + CONTACTS);

    const restarted = Date.now();
    await stack.startWorkers();
    // Progress through the API (D1 is workerd's while it runs): until SES has every email.
    let sent: number | null = 0;
    let crashedAgain = false;
    // Two or three of the once-a-minute recoveries (stranded, then settled): 110–160 s measured.
    while (Date.now() - restarted < 300_000) {
      sent = await sentSoFar();
      if (sent === EMAILS + CONTACTS) break;
      // A second crash mid-recovery, of wrangler alone (as when workerd dies under a request): the
      // stack starts the workers again by itself, and recovery goes on from wherever it was.
      if (!crashedAgain && Date.now() - restarted > 20_000) {
        crashedAgain = true;
        await stack.crashWorkers();
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const recoveredInMs = Date.now() - restarted;
    console.log(
      JSON.stringify({
        restart: {
          emails: EMAILS,
          broadcast_recipients: CONTACTS,
          in_ses_at_kill: atKill,
          crashed_again: crashedAgain,
          at_kill: statusesAtKill,
          recovered_in_ms: recoveredInMs,
        },
      }),
    );
    expect(crashedAgain).toBe(true);
    expect(sent).toBe(EMAILS + CONTACTS);

    // SES's events move last_event as soon as they arrive, while a claim the crash left is still
    // settling (the stack's SEND_SETTLE_AFTER_SECONDS, 30 s, from the recovery that found it): give that
    // time to end, and a duplicate, were there one, time to show.
    await new Promise((resolve) => setTimeout(resolve, 45_000));
    const mailed = await inbox();
    const counts = new Map<string, number>();
    for (const to of mailed) counts.set(to, (counts.get(to) ?? 0) + 1);
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
    expect(counts.size).toBe(EMAILS + CONTACTS);
    expect(mailed).toHaveLength(EMAILS + CONTACTS);
    // The broadcast is `sent` once its last settling recipient is settled: counted, not assumed.
    const settled = Date.now() + 60_000;
    let status = '';
    while (status !== 'sent' && Date.now() < settled) {
      status = (await poll<{ status: string }>(`/api/broadcasts/${broadcastId}`))?.status ?? '';
      if (status !== 'sent') await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(status).toBe('sent');
    // And in D1, read with the workers stopped: every email sent, none queued or still claimed (a
    // claim the crash left was settled from SES's Send event in the same recovery).
    await stack.killWorkers();
    expect(await statuses()).toEqual({ sent: EMAILS + CONTACTS, 'broadcast sent': 1 });
  });
});
