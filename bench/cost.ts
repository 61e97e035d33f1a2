// What an email costs the platform, measured: full lifecycles on the local stack — accept, send, SES's
// `Send` and `Delivery` events (the local SES stand-in publishes them back through SNS → gateway), one
// open and one click (tracking URLs signed as the tracking worker expects, fetched with a browser's user
// agent), one webhook delivery (a loopback receiver subscribed to email.delivered) — for N single emails,
// batches of 100 and a broadcast. Every worker logs one `{"event":"cost"}` line per unit of work
// (@mailgrid/runtime metered-env); this sums them per phase, per step and per worker, divides per email,
// and prices them at Cloudflare's list prices. Writes results/cost.{json,md} and results/scale.{json,md}.
//   COST_SINGLES (1000), COST_BATCHES (10, of 100), COST_BROADCAST (10000): smaller for a quick run;
//   COST_SES_RATE (50): the send worker's SES_MAX_SEND_RATE; COST_RESULTS: another folder for the files.
// Loopback only; the stack is stopped at the deadline (COST_DEADLINE_MINUTES) however the run ends.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { executeStatements, freePort, query, type Stack, startStack } from '@mailgrid/stack';
import { keyStatement, tenantStatements } from '@mailgrid/testing/fixtures';
import { readWranglerConfig } from '@mailgrid/testing/wrangler-config';
import { parseSigningKeys, signToken } from '@mailgrid/tracking-tokens';
import {
  add,
  type CostLine,
  divide,
  emptyUsage,
  type PhaseResult,
  stepOf,
  type Usage,
  writeResults,
} from './cost-report.ts';

const SINGLES = Number(process.env.COST_SINGLES ?? 1000);
const BATCHES = Number(process.env.COST_BATCHES ?? 10);
const BATCH_SIZE = 100;
const BROADCAST = Number(process.env.COST_BROADCAST ?? 10000);
const SES_RATE = Number(process.env.COST_SES_RATE ?? 50);
const CONCURRENCY = 8;
const root = new URL('..', import.meta.url).pathname;
const OUT = process.env.COST_RESULTS ?? join(root, 'bench/results');
const totalEmails = SINGLES + BATCHES * BATCH_SIZE + BROADCAST;
const DEADLINE_MINUTES = Number(
  process.env.COST_DEADLINE_MINUTES ?? 6 + Math.ceil((2.5 * totalEmails) / SES_RATE / 60),
);
const deadline = Date.now() + DEADLINE_MINUTES * 60_000;
const BROWSER =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number, digits = 3) => Number(value.toFixed(digits));

function checkDeadline(what: string) {
  if (Date.now() > deadline) throw new Error(`deadline (${DEADLINE_MINUTES} min) passed while ${what}`);
}

// ---- the machine: workerd's CPU time, the local state's size ---------------------------------------

const CLOCK_TICKS = 100;
/** CPU ms of every workerd process this run started (descendants of this process). */
function workerdCpuMs(): number {
  const parents = new Map<number, number>();
  const info = new Map<number, { comm: string; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
      info.set(Number(entry), { comm, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended while being read
    }
  }
  const mine = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 20; p = parents.get(p) ?? 0, hops++) {
      if (p === process.pid) return true;
    }
    return false;
  };
  let ticks = 0;
  for (const [pid, { comm, ticks: t }] of info) if (comm.startsWith('workerd') && mine(pid)) ticks += t;
  return (ticks * 1000) / CLOCK_TICKS;
}

/**
 * The local D1 database's size as SQLite counts it (pages in use, the WAL's included): what D1 bills
 * as storage. The file's own size lags (the WAL) and never shrinks, so it is not used.
 */
function d1Bytes(): number {
  let total = 0;
  const dir = join(persistDir, 'v3', 'd1');
  for (const file of sqliteFiles(dir)) {
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      const pragma = (name: string) =>
        Number(Object.values(db.prepare(`PRAGMA ${name}`).get() ?? {})[0] ?? 0);
      total += (pragma('page_count') - pragma('freelist_count')) * pragma('page_size');
    } finally {
      db.close();
    }
  }
  return total;
}

function sqliteFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? sqliteFiles(join(dir, entry.name))
        : entry.name.endsWith('.sqlite')
          ? [join(dir, entry.name)]
          : [],
    );
  } catch {
    return [];
  }
}

function bytesUnder(dir: string): number {
  let total = 0;
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      total += entry.isDirectory() ? bytesUnder(path) : statSync(path).size;
    }
  } catch {
    // not there (yet)
  }
  return total;
}

// ---- the run --------------------------------------------------------------------------------------

const work = mkdtempSync(join(tmpdir(), 'mailgrid-bench-cost-'));
const logFile = join(work, 'stack.log');
const persistDir = join(work, 'state');
const runId = Date.now().toString(36);
const { tenant, statements } = tenantStatements({
  slug: 'bench',
  domain: 'bench.test',
  rateLimit: { per_second: 100000, burst: 100000 },
});
const { key, statement } = await keyStatement(tenant, { name: 'bench', permission: 'full_access' });
const { vars: trackingVars } = readWranglerConfig(join(root, 'workers/tracking/wrangler.jsonc'));
const signingKeys = parseSigningKeys(
  trackingVars?.TRACKING_SIGNING_KEYS,
  trackingVars?.TRACKING_SIGNING_KEY_ID,
);

// The customer's webhook endpoint: every email.delivered it is sent, by email id.
const delivered = new Set<string>();
let webhookPosts = 0;
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => {
    body += chunk;
  });
  req.on('end', () => {
    webhookPosts++;
    try {
      const event = JSON.parse(body) as { type: string; data: { email_id: string } };
      if (event.type === 'email.delivered') delivered.add(event.data.email_id);
    } catch {
      // not ours
    }
    res.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

let stack: Stack | undefined;
let succeeded = false;
let cleaning: Promise<void> | undefined;
const cleanUp = () => {
  cleaning ??= (async () => {
    await stack?.stop().catch(() => {});
    receiver.close();
    receiver.closeAllConnections();
    if (succeeded) rmSync(work, { recursive: true, force: true });
    else console.error(`cost bench: the stack's log is kept at ${logFile}`);
  })();
  return cleaning;
};
const watchdog = setTimeout(
  () => {
    console.error('cost bench: hard deadline passed; stopping the stack');
    void cleanUp().finally(() => process.exit(1));
  },
  DEADLINE_MINUTES * 60_000 + 120_000,
);
watchdog.unref();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}

/** Every cost line in the log between two byte offsets (and how many lines could not be read). */
function costLines(from: number, to: number): { lines: CostLine[]; unreadable: number } {
  const text = readFileSync(logFile).subarray(from, to).toString('utf8');
  const lines: CostLine[] = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    const start = line.indexOf('{"event":"cost"');
    if (start < 0) continue;
    try {
      lines.push(JSON.parse(line.slice(start)) as CostLine);
    } catch {
      unreadable++;
    }
  }
  return { lines, unreadable };
}
const logSize = () => statSync(logFile).size;

/** Waits until `done()`, or gives up (returning false) after `maxMs`. */
async function until(what: string, done: () => boolean, maxMs: number): Promise<boolean> {
  const giveUp = Date.now() + maxMs;
  while (!done()) {
    checkDeadline(what);
    if (Date.now() > giveUp) {
      console.error(`cost bench: gave up waiting for ${what}`);
      return false;
    }
    await sleep(500);
  }
  return true;
}

/** Waits until `count()` reaches `target`, or gives up (false) when it has not moved for a minute. */
async function untilProgress(what: string, count: () => number, target: number): Promise<boolean> {
  let last = count();
  let movedAt = Date.now();
  while (count() < target) {
    checkDeadline(what);
    if (count() !== last) {
      last = count();
      movedAt = Date.now();
    } else if (Date.now() - movedAt > 60_000) {
      console.error(`cost bench: gave up waiting for ${what} (${last} of ${target})`);
      return false;
    }
    await sleep(500);
  }
  return true;
}

/** Until the log has been still for `stillMs` (the units' waitUntil work and their lines are out). */
async function quiet(stillMs = 3000, maxMs = 30_000) {
  const giveUp = Date.now() + maxMs;
  let size = logSize();
  let stillSince = Date.now();
  while (Date.now() - stillSince < stillMs && Date.now() < giveUp) {
    await sleep(500);
    const now = logSize();
    if (now !== size) {
      size = now;
      stillSince = Date.now();
    }
  }
}

/** Acked messages of the events queue in the log since `from` (SES notifications, opens, clicks). */
const eventsAcked = (from: number) =>
  costLines(from, logSize())
    .lines.filter((line) => line.worker === 'events' && line.queue?.startsWith('mailgrid-events'))
    .reduce((sum, line) => sum + line.queues.acked, 0);

try {
  stack = await startStack({
    persistDir,
    port: await freePort(),
    sesPort: await freePort(),
    output: logFile,
    vars: { SES_MAX_SEND_RATE: String(SES_RATE), MAX_IMPORT_BYTES: String(28 * 1024 * 1024) },
    seed: (dir) => executeStatements(dir, [...statements, statement]),
  });
  const api = stack.url;
  const headers = { authorization: `Bearer ${key.token}`, 'content-type': 'application/json' };
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${api}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  };
  await call('POST', '/api/webhooks', { endpoint, events: ['email.delivered'] });
  // Warm each path once (first-request compilation is not what an email costs).
  const warm = await call<{ id: string }>('POST', '/api/emails', message('warm@example.com', -1));
  await until('the warm-up email', () => delivered.has(warm.id), 60_000);
  await quiet();

  function message(to: string, n: number) {
    return {
      from: 'Bench <hello@bench.test>',
      to: [to],
      subject: `Your receipt #${n}`,
      html: `<h1>Thanks</h1><p>Order <b>#${n}</b> is on its way. <a href="https://example.com/orders/${n}">Track it</a></p>`,
      track_opens: true,
      track_clicks: true,
    };
  }

  /** One open and one click per email, as a person's browser makes them: the pixel 200, the link 302. */
  async function openAndClick(emails: { id: string; to: string }[]): Promise<number> {
    const now = Math.floor(Date.now() / 1000);
    const paths: string[] = [];
    for (const email of emails) {
      const claims = {
        tenant_id: tenant.tenantId,
        email_id: email.id,
        recipient: email.to,
        expires_at: now + 86_400,
        // Sent an hour ago: a person's open and click, not a scanner's.
        issued_at: now - 3600,
      };
      paths.push(`/o/${await signToken(signingKeys, { ...claims, action: 'open' })}`);
      const url = `https://example.com/orders/${email.id}`;
      paths.push(`/c/${await signToken(signingKeys, { ...claims, action: 'click', url })}`);
    }
    let next = 0;
    let failed = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < paths.length) {
          const path = paths[next++] as string;
          const response = await fetch(`${api}${path}`, {
            redirect: 'manual',
            headers: { 'user-agent': BROWSER },
          });
          await response.arrayBuffer();
          if (response.status !== (path.startsWith('/o/') ? 200 : 302)) failed++;
        }
      }),
    );
    if (failed > 0) throw new Error(`${failed} of ${paths.length} tracking hits answered wrongly`);
    return paths.length;
  }

  async function phase(
    name: string,
    drive: () => Promise<{ id: string; to: string }[] | (() => Promise<{ id: string; to: string }[]>)>,
    expected: number,
  ): Promise<PhaseResult> {
    const givenUp: string[] = [];
    const from = logSize();
    const cpuFrom = workerdCpuMs();
    const d1From = d1Bytes();
    const r2From = bytesUnder(join(persistDir, 'v3', 'r2'));
    const started = performance.now();
    const deliveredBefore = delivered.size;
    const driven = await drive();
    // Every email delivered and its webhook received: its SES events came back through the gateway.
    if (
      !(await untilProgress(
        `${name}: ${expected} webhooks`,
        () => delivered.size - deliveredBefore,
        expected,
      ))
    )
      givenUp.push('webhooks');
    const emails = typeof driven === 'function' ? await driven() : driven;
    // Send and Delivery: two notifications per email through the events queue.
    if (!(await until(`${name}: SES events`, () => eventsAcked(from) >= 2 * emails.length, 120_000)))
      givenUp.push('SES events');
    await quiet();
    const trackingFrom = logSize();
    const hits = await openAndClick(emails);
    if (
      !(await until(
        `${name}: opens and clicks`,
        () => eventsAcked(trackingFrom) >= 2 * emails.length,
        120_000,
      ))
    )
      givenUp.push('opens and clicks');
    await quiet();
    const to = logSize();
    const seconds = (performance.now() - started) / 1000;
    const before = costLines(from, trackingFrom);
    const after = costLines(trackingFrom, to);
    const usage = emptyUsage();
    const background = emptyUsage();
    const byStep: Record<string, Usage> = {};
    const byWorker: Record<string, Usage> = {};
    let sesEvents = 0;
    for (const [lines, tracking] of [
      [before.lines, false],
      [after.lines, true],
    ] as const) {
      for (const line of lines) {
        const step = stepOf(line, tracking);
        if (step.startsWith('background')) {
          add(background, line);
          continue;
        }
        if (step === 'SES events' && line.route?.includes('/api/webhooks/ses')) sesEvents++;
        add(usage, line);
        byStep[step] ??= emptyUsage();
        add(byStep[step] as Usage, line);
        byWorker[line.worker] ??= emptyUsage();
        add(byWorker[line.worker] as Usage, line);
      }
    }
    const n = emails.length;
    console.log(`cost bench: ${name}: ${n} emails, ${hits} tracking hits, ${round(seconds, 1)} s`);
    return {
      name,
      emails: n,
      seconds: round(seconds, 1),
      usage,
      per_email: divide(usage, n),
      by_step: Object.fromEntries(Object.entries(byStep).map(([step, u]) => [step, divide(u, n)])),
      by_worker: Object.fromEntries(Object.entries(byWorker).map(([worker, u]) => [worker, divide(u, n)])),
      background,
      workerd_cpu_ms_per_email: round((workerdCpuMs() - cpuFrom) / Math.max(1, n), 2),
      // Never below 0: a file rewritten smaller (R2's metadata) is noise, not storage given back.
      state_bytes_per_email: {
        d1: Math.max(0, Math.round((d1Bytes() - d1From) / Math.max(1, n))),
        r2: Math.max(0, Math.round((bytesUnder(join(persistDir, 'v3', 'r2')) - r2From) / Math.max(1, n))),
      },
      ses_events: sesEvents,
      unreadable_lines: before.unreadable + after.unreadable,
      waits_given_up: givenUp,
    };
  }

  const phases: PhaseResult[] = [];

  if (SINGLES > 0) {
    phases.push(
      await phase(
        'single',
        async () => {
          const emails: { id: string; to: string }[] = [];
          let next = 0;
          await Promise.all(
            Array.from({ length: CONCURRENCY }, async () => {
              while (next < SINGLES) {
                const n = next++;
                const to = `single${n}-${runId}@example.com`;
                const { id } = await call<{ id: string }>('POST', '/api/emails', message(to, n));
                emails.push({ id, to });
              }
            }),
          );
          return emails;
        },
        SINGLES,
      ),
    );
  }

  if (BATCHES > 0) {
    phases.push(
      await phase(
        'batch of 100',
        async () => {
          const emails: { id: string; to: string }[] = [];
          for (let b = 0; b < BATCHES; b++) {
            const tos = Array.from({ length: BATCH_SIZE }, (_, i) => `batch${b}-${i}-${runId}@example.com`);
            const { data } = await call<{ data: { id: string }[] }>(
              'POST',
              '/api/emails/batch',
              tos.map((to, i) => message(to, b * BATCH_SIZE + i)),
            );
            data.forEach(({ id }, i) => {
              emails.push({ id, to: tos[i] as string });
            });
          }
          return emails;
        },
        BATCHES * BATCH_SIZE,
      ),
    );
  }

  if (BROADCAST > 0) {
    // The audience is imported before the phase: a contact import is audience upkeep, not a send.
    const segment = await call<{ id: string }>('POST', '/api/segments', { name: `cost ${runId}` });
    const csv = ['email,first_name'];
    for (let n = 0; n < BROADCAST; n++) csv.push(`reader${n}-${runId}@example.com,Reader ${n}`);
    const imported = await fetch(`${api}/api/contacts/imports?segment_id=${segment.id}`, {
      method: 'POST',
      headers: { authorization: headers.authorization, 'content-type': 'text/csv' },
      body: `${csv.join('\n')}\n`,
    });
    if (imported.status !== 202) throw new Error(`import: ${imported.status} ${await imported.text()}`);
    const { id: importId } = (await imported.json()) as { id: string };
    for (;;) {
      checkDeadline('importing the audience');
      const progress = await call<{ status: string; created: number }>(
        'GET',
        `/api/contacts/imports/${importId}`,
      );
      if (progress.status === 'failed') throw new Error(`import ${importId} failed`);
      if (progress.status === 'completed') break;
      await sleep(500);
    }
    await quiet();
    phases.push(
      await phase(
        'broadcast',
        async () => {
          const { id } = await call<{ id: string }>('POST', '/api/broadcasts', {
            name: `cost ${runId}`,
            segment_id: segment.id,
            from: 'Bench News <news@bench.test>',
            subject: 'News for {{{contact.first_name|there}}}',
            html: '<h1>Hello {{{contact.first_name|there}}}</h1><p>The news. <a href="https://example.com/read">Read more</a></p>',
          });
          await call('POST', `/api/broadcasts/${id}/send`);
          // The recipients' email ids are known once sent; read from D1 after the deliveries.
          return async () => {
            const rows = await query<{ id: string; to_addresses: string }>(persistDir, {
              sql: 'SELECT id, to_addresses FROM emails WHERE broadcast_id = ?',
              params: [id],
            });
            return rows.map((row) => ({
              id: row.id,
              to: (JSON.parse(row.to_addresses) as string[])[0] as string,
            }));
          };
        },
        BROADCAST,
      ),
    );
  }

  writeResults(phases, {
    singles: SINGLES,
    batches: BATCHES,
    batch_size: BATCH_SIZE,
    broadcast: BROADCAST,
    ses_max_send_rate: SES_RATE,
    out: OUT,
    webhook_posts: webhookPosts,
  });
  // A wait that gave up means something was never stored: keep the stack's log to find out why.
  succeeded = phases.every((phase) => phase.waits_given_up.length === 0);
} finally {
  clearTimeout(watchdog);
  await cleanUp();
}
