// The accept path on the local stack, in one run: POST /api/emails throughput and p50/p99 beside
// GET /health, every one of those emails followed to the local SES; then, on the quiet stack, single
// accepts and batches of 100 (POST /api/emails/batch) interleaved one at a time, for their p50/p99
// and the batch ÷ single ratio (issue 18: at most 10×), and batches at the same concurrency as the
// singles for emails/s. D1 per request and per email (statements, round trips, rows read and
// written) come from the send worker's own `emails.accepted` log lines; a round trip is one call
// that waits on D1 (a lone statement or a whole batch()), as packages/db/src/metered.ts counts it.
// Writes results/accept.json and .md. Loopback only, bounded counts.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBenchStack } from './bench-stack.ts';
import { type LoadResult, load } from './load.ts';

const EMAILS = 300;
const HEALTH = 300;
const CONCURRENCY = 8;
/** Single accepts and batches of 100, alternated one request at a time. */
const PAIRS = 30;
const BATCH = 100;
/** Batches at CONCURRENCY, for emails/s. */
const BATCHES = 16;
const root = new URL('..', import.meta.url).pathname;

interface AcceptedLine {
  event: 'emails.accepted';
  emails: number;
  d1: { statements: number; round_trips: number; rows_read: number; rows_written: number };
}

const { work, logFile, key, stack } = await startBenchStack('accept');
try {
  const headers = { authorization: `Bearer ${key.token}`, 'content-type': 'application/json' };
  const email = (n: number, extra: Record<string, unknown> = {}) => ({
    from: 'Bench <hello@bench.test>',
    to: [`reader${n}@example.com`],
    subject: `Your receipt #${n}`,
    html: `<h1>Thanks</h1><p>Order <b>#${n}</b> is on its way.</p>`,
    ...extra,
  });
  const postEmail = (body: unknown) =>
    fetch(`${stack.url}/api/emails`, { method: 'POST', headers, body: JSON.stringify(body) });
  const postBatch = (body: unknown[]) =>
    fetch(`${stack.url}/api/emails/batch`, { method: 'POST', headers, body: JSON.stringify(body) });
  // The second part's emails are scheduled a day ahead: accepted exactly as immediate ones (a queue
  // message with a delay instead of none), but the local consumer is not sending thousands of them
  // at 14/s while the latencies are measured.
  const later = { scheduled_at: 'in 1 day' };
  const batchOf = (n: number) => Array.from({ length: BATCH }, (_, i) => email(n * BATCH + i, later));

  // Warm up each path once so the figures are not about first-request compilation.
  await fetch(`${stack.url}/health`, { headers });
  await postEmail(email(-1));
  await postBatch(batchOf(-1));

  const health = await load(HEALTH, CONCURRENCY, () => fetch(`${stack.url}/health`, { headers }), 200);
  const accept = await load(EMAILS, CONCURRENCY, (n) => postEmail(email(n)), 200);

  // Follow every email accepted so far to the local SES (the warm-up's single one included).
  const sendStarted = performance.now();
  const deadline = Date.now() + 180_000;
  let delivered = 0;
  while (Date.now() < deadline) {
    const store = (await (await fetch(`${stack.sesUrl}/store`)).json()) as { emails: unknown[] };
    delivered = store.emails.length;
    if (delivered >= EMAILS + 1) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const sendSeconds = (performance.now() - sendStarted) / 1000;

  // One request at a time, a single then a batch, so both see the same stack.
  const singles: number[] = [];
  const batches: number[] = [];
  for (let n = 0; n < PAIRS; n++) {
    singles.push(await timed(() => postEmail(email(100_000 + n, later))));
    batches.push(await timed(() => postBatch(batchOf(2_000 + n))));
  }
  const batchLoad = await load(BATCHES, CONCURRENCY, (n) => postBatch(batchOf(3_000 + n)), 200);
  // The worker's log reaches the file a moment after the response.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  // Every accept of the run, by its size (a scheduled one costs what an immediate one does).
  const singleLines = acceptedLines().filter((line) => line.emails === 1);
  const batchLines = acceptedLines().filter((line) => line.emails === BATCH);
  const single = summarise(singles);
  const batch = summarise(batches);

  const sends = logLines().filter((line) => line.event === 'send.batch');
  const sent = sends.reduce(
    (total, line) => ({
      statements: total.statements + line.d1.statements,
      rows_read: total.rows_read + line.d1.rows_read,
      rows_written: total.rows_written + line.d1.rows_written,
    }),
    { statements: 0, rows_read: 0, rows_written: 0 },
  );
  // Divided by emails, not by log lines' message counts: a message re-queued for pacing is counted
  // again by the batch that finally sends it, and its cost belongs to the one email.
  const perDelivered = {
    statements: round(sent.statements / delivered),
    rows_read: round(sent.rows_read / delivered),
    rows_written: round(sent.rows_written / delivered),
  };

  const figures = {
    measured_at: new Date().toISOString(),
    machine: `${process.platform} ${process.arch}, node ${process.version}, wrangler dev (local workerd)`,
    latency: {
      'GET /health': health,
      'POST /api/emails': accept,
      [`POST /api/emails/batch (${BATCH} emails)`]: {
        ...batchLoad,
        emails_per_s: batchLoad.rps * BATCH,
      } as LoadResult & { emails_per_s: number },
    },
    single_vs_batch: {
      note: `${PAIRS} pairs, one request at a time (a single accept, then a batch of ${BATCH}), scheduled a day ahead`,
      'POST /api/emails': single,
      [`POST /api/emails/batch (${BATCH} emails)`]: batch,
      batch_over_single: {
        p50: round(batch.p50_ms / single.p50_ms),
        p99: round(batch.p99_ms / single.p99_ms),
      },
      goal: 'batch ≤ 10× single',
    },
    delivery: {
      emails: EMAILS + 1,
      delivered_to_local_ses: delivered,
      seconds_after_last_accept: Number(sendSeconds.toFixed(1)),
      note: 'paced by the RateLimiter DO at SES_MAX_SEND_RATE (14/s by default)',
    },
    d1: {
      'POST /api/emails': perRequest(singleLines.filter((line) => line.emails === 1)),
      [`POST /api/emails/batch (${BATCH} emails)`]: perRequest(batchLines),
      send_per_email: perDelivered,
      counted:
        'round trips: packages/db/src/metered.ts, one per statement run on its own or per whole batch(); rows written include index entries, as D1 bills them',
    },
  };
  writeFileSync(join(root, 'bench/results/accept.json'), `${JSON.stringify(figures, null, 2)}\n`);
  const singleD1 = figures.d1['POST /api/emails'];
  const batchD1 = figures.d1[`POST /api/emails/batch (${BATCH} emails)`];
  const md = [
    `# Accept path (${figures.measured_at})`,
    '',
    `Machine: ${figures.machine}. Command: \`node bench/accept.ts\` (also \`npm run bench\`).`,
    '',
    `| request (concurrency ${CONCURRENCY}) | requests | req/s | emails/s | p50 | p99 |`,
    '|---|---|---|---|---|---|',
    `| GET /health | ${health.requests} | ${health.rps} | | ${health.p50_ms} ms | ${health.p99_ms} ms |`,
    `| POST /api/emails | ${accept.requests} | ${accept.rps} | ${accept.rps} | ${accept.p50_ms} ms | ${accept.p99_ms} ms |`,
    `| POST /api/emails/batch (${BATCH} emails) | ${batchLoad.requests} | ${batchLoad.rps} | ${batchLoad.rps * BATCH} | ${batchLoad.p50_ms} ms | ${batchLoad.p99_ms} ms |`,
    '',
    `Single accept against a batch of ${BATCH}, same run, ${PAIRS} of each alternated one request at a time (scheduled a day ahead, so no sending competes with them):`,
    '',
    '| request (concurrency 1) | p50 | p99 |',
    '|---|---|---|',
    `| POST /api/emails | ${single.p50_ms} ms | ${single.p99_ms} ms |`,
    `| POST /api/emails/batch (${BATCH} emails) | ${batch.p50_ms} ms | ${batch.p99_ms} ms |`,
    `| batch ÷ single (goal ≤ 10) | ${figures.single_vs_batch.batch_over_single.p50}× | ${figures.single_vs_batch.batch_over_single.p99}× |`,
    '',
    `Delivered to the local SES: ${delivered} of ${EMAILS + 1}, the last ${figures.delivery.seconds_after_last_accept} s after the last accept (${figures.delivery.note}).`,
    '',
    '| D1 | round trips / request | statements / request | statements / email | rows read / email | rows written / email |',
    '|---|---|---|---|---|---|',
    `| accept: POST /api/emails | ${singleD1.round_trips_per_request} | ${singleD1.statements_per_request} | ${singleD1.statements_per_email} | ${singleD1.rows_read_per_email} | ${singleD1.rows_written_per_email} |`,
    `| accept: POST /api/emails/batch (${BATCH} emails) | ${batchD1.round_trips_per_request} | ${batchD1.statements_per_request} | ${batchD1.statements_per_email} | ${batchD1.rows_read_per_email} | ${batchD1.rows_written_per_email} |`,
    `| send (queue consumer) | | | ${perDelivered.statements} | ${perDelivered.rows_read} | ${perDelivered.rows_written} |`,
    '',
    'A round trip is one call that waits on D1: a statement run on its own, or a whole `batch()`',
    '(`packages/db/src/metered.ts`). An accept is one read batch (everything it checks, and the',
    'Idempotency-Key claim) and one write batch (the rows in one multi-row insert, the day’s counter,',
    'the key’s completion). Rows written include index entries, as D1 bills them.',
    '',
  ].join('\n');
  writeFileSync(join(root, 'bench/results/accept.md'), md);
  console.log(md);
} finally {
  await stack.stop();
  rmSync(work, { recursive: true, force: true });
}

function logLines() {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .flatMap((line) => {
      const start = line.indexOf('{"event"');
      if (start < 0) return [];
      try {
        return [JSON.parse(line.slice(start))];
      } catch {
        return [];
      }
    });
}

function acceptedLines(): AcceptedLine[] {
  return logLines().filter((line) => line.event === 'emails.accepted');
}

async function timed(call: () => Promise<Response>): Promise<number> {
  const t0 = performance.now();
  const response = await call();
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`answered ${response.status}`);
  return performance.now() - t0;
}

function summarise(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = (p: number) =>
    round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0, 1);
  return { requests: sorted.length, p50_ms: pct(0.5), p99_ms: pct(0.99) };
}

function perRequest(lines: AcceptedLine[]) {
  const total = lines.reduce(
    (sum, line) => ({
      requests: sum.requests + 1,
      emails: sum.emails + line.emails,
      statements: sum.statements + line.d1.statements,
      round_trips: sum.round_trips + line.d1.round_trips,
      rows_read: sum.rows_read + line.d1.rows_read,
      rows_written: sum.rows_written + line.d1.rows_written,
    }),
    { requests: 0, emails: 0, statements: 0, round_trips: 0, rows_read: 0, rows_written: 0 },
  );
  const per = (value: number, count: number) => (count === 0 ? 0 : round(value / count));
  return {
    requests: total.requests,
    round_trips_per_request: per(total.round_trips, total.requests),
    max_round_trips: Math.max(0, ...lines.map((line) => line.d1.round_trips)),
    statements_per_request: per(total.statements, total.requests),
    statements_per_email: per(total.statements, total.emails),
    rows_read_per_email: per(total.rows_read, total.emails),
    rows_written_per_email: per(total.rows_written, total.emails),
  };
}

function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}
