// The accept path on the local stack: POST /api/emails throughput and p50/p99 beside GET /health in
// the same run, then every accepted email followed to the local SES, and what each email cost in D1
// (statements, rows read, rows written), from the send worker's own per-accept and per-batch log
// lines. Writes results/accept.json and .md. Loopback only, bounded counts.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBenchStack } from './bench-stack.ts';
import { load } from './load.ts';

const EMAILS = 300;
const HEALTH = 300;
const CONCURRENCY = 8;
const root = new URL('..', import.meta.url).pathname;

const { work, logFile, key, stack } = await startBenchStack('accept');
try {
  const headers = { authorization: `Bearer ${key.token}`, 'content-type': 'application/json' };
  const email = (n: number) =>
    JSON.stringify({
      from: 'Bench <hello@bench.test>',
      to: [`reader${n}@example.com`],
      subject: `Your receipt #${n}`,
      html: `<h1>Thanks</h1><p>Order <b>#${n}</b> is on its way.</p>`,
    });
  // Warm up each path once so the figures are not about first-request compilation.
  await fetch(`${stack.url}/health`, { headers });
  await fetch(`${stack.url}/api/emails`, { method: 'POST', headers, body: email(-1) });

  const health = await load(HEALTH, CONCURRENCY, () => fetch(`${stack.url}/health`, { headers }), 200);
  const accept = await load(
    EMAILS,
    CONCURRENCY,
    (n) => fetch(`${stack.url}/api/emails`, { method: 'POST', headers, body: email(n) }),
    200,
  );

  // Follow every accepted email to the local SES.
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

  const lines = readFileSync(logFile, 'utf8')
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
  const sum = (event: string) =>
    lines
      .filter((line) => line.event === event)
      .reduce(
        (total, line) => ({
          count: total.count + (line.emails ?? line.messages ?? 0),
          statements: total.statements + line.d1.statements,
          rows_read: total.rows_read + line.d1.rows_read,
          rows_written: total.rows_written + line.d1.rows_written,
        }),
        { count: 0, statements: 0, rows_read: 0, rows_written: 0 },
      );
  // Divided by emails, not by log lines' message counts: a message re-queued for pacing is counted
  // again by the batch that finally sends it, and its cost belongs to the one email.
  const perEmail = (total: ReturnType<typeof sum>, emails: number) => ({
    statements: Number((total.statements / emails).toFixed(2)),
    rows_read: Number((total.rows_read / emails).toFixed(2)),
    rows_written: Number((total.rows_written / emails).toFixed(2)),
  });
  const accepted = sum('emails.accepted');
  const sent = sum('send.batch');

  const figures = {
    measured_at: new Date().toISOString(),
    machine: `${process.platform} ${process.arch}, node ${process.version}, wrangler dev (local workerd)`,
    latency: { 'GET /health': health, 'POST /api/emails': accept },
    delivery: {
      emails: EMAILS + 1,
      delivered_to_local_ses: delivered,
      seconds_after_last_accept: Number(sendSeconds.toFixed(1)),
      note: 'paced by the RateLimiter DO at SES_MAX_SEND_RATE (14/s by default)',
    },
    d1_per_email: { accept: perEmail(accepted, accepted.count), send: perEmail(sent, delivered) },
  };
  writeFileSync(join(root, 'bench/results/accept.json'), `${JSON.stringify(figures, null, 2)}\n`);
  const md = [
    `# Accept path (${figures.measured_at})`,
    '',
    `Machine: ${figures.machine}. Command: \`npm run bench\`.`,
    '',
    `| request (concurrency ${CONCURRENCY}) | requests | req/s | p50 | p99 |`,
    '|---|---|---|---|---|',
    ...Object.entries(figures.latency).map(
      ([name, f]) => `| ${name} | ${f.requests} | ${f.rps} | ${f.p50_ms} ms | ${f.p99_ms} ms |`,
    ),
    '',
    `Delivered to the local SES: ${delivered} of ${EMAILS + 1}, the last ${figures.delivery.seconds_after_last_accept} s after the last accept (${figures.delivery.note}).`,
    '',
    '| D1 per email | statements | rows read | rows written |',
    '|---|---|---|---|',
    `| accept (POST /api/emails) | ${figures.d1_per_email.accept.statements} | ${figures.d1_per_email.accept.rows_read} | ${figures.d1_per_email.accept.rows_written} |`,
    `| send (queue consumer) | ${figures.d1_per_email.send.statements} | ${figures.d1_per_email.send.rows_read} | ${figures.d1_per_email.send.rows_written} |`,
    '',
    'Rows written include index entries, as D1 bills them.',
    '',
  ].join('\n');
  writeFileSync(join(root, 'bench/results/accept.md'), md);
  console.log(md);
} finally {
  await stack.stop();
  rmSync(work, { recursive: true, force: true });
}
