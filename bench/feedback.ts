// Delivery feedback at volume: a burst of signed SNS notifications (SES Delivery events for emails
// that exist) posted to the gateway on the local stack, then followed until the events worker has
// processed them all. Reports intake req/s and p50/p99, events per second end to end, the consumer's
// own rate (events over the time its batches took), which of the two limits, and D1 round trips,
// statements and rows written per event (from the events worker's own per-batch log lines).
// Writes results/feedback.json and .md. Loopback only, bounded counts.
import { createSign, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeStatements, freePort, startStack } from '@mailgrid/stack';
import { type SqlStatement, tenantStatements } from '@mailgrid/testing/fixtures';
import { load } from './load.ts';

const NOTIFICATIONS = Number(process.env.BENCH_NOTIFICATIONS) || 10_000;
const CONCURRENCY = 16;
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:mailgrid-ses-events';
const root = new URL('..', import.meta.url).pathname;
const fixtures = join(root, 'workers/gateway/test/fixtures');
const keyPem = readFileSync(join(fixtures, 'sns-test-key.pem'), 'utf8');
const certPem = readFileSync(join(fixtures, 'sns-test-cert.pem'));

// The signing certificate, served on loopback (the dev stack trusts http loopback certificate URLs).
const certServer = createServer((_req, res) => res.end(certPem));
await new Promise<void>((resolve) => certServer.listen(0, '127.0.0.1', resolve));
const certUrl = `http://127.0.0.1:${(certServer.address() as AddressInfo).port}/cert.pem`;

const work = mkdtempSync(join(tmpdir(), 'mailgrid-bench-feedback-'));
const logFile = process.env.BENCH_LOG ?? join(work, 'stack.log');
const { tenant, statements } = tenantStatements({ slug: 'bench', domain: 'bench.test' });
const emails = Array.from({ length: NOTIFICATIONS }, (_, n) => ({
  id: randomUUID(),
  ses: `bench-ses-${n}`,
  to: `reader${n}@example.com`,
}));
const now = new Date().toISOString();
const emailRows: SqlStatement[] = emails.map((email) => ({
  sql: "INSERT INTO emails (id, tenant_id, domain_id, from_address, to_addresses, subject, body_key, status, last_event, ses_message_id, created_at, sent_at) VALUES (?, ?, ?, 'hello@bench.test', ?, 'bench', 'none', 'sent', 'sent', ?, ?, ?)",
  params: [email.id, tenant.tenantId, tenant.domainId, JSON.stringify([email.to]), email.ses, now, now],
}));

const stack = await startStack({
  persistDir: join(work, 'state'),
  port: await freePort(),
  sesPort: await freePort(),
  output: logFile,
  seed: (dir) => executeStatements(dir, [...statements, ...emailRows]),
  vars: { SNS_ALLOW_INSECURE_CERT_URL: 'true' },
});

function notification(email: (typeof emails)[number]): string {
  const at = new Date().toISOString();
  const message = JSON.stringify({
    eventType: 'Delivery',
    mail: {
      timestamp: at,
      messageId: email.ses,
      source: 'hello@bench.test',
      destination: [email.to],
      tags: { mailgrid_email_id: [email.id], mailgrid_tenant_id: [tenant.tenantId] },
    },
    delivery: { timestamp: at, recipients: [email.to], processingTimeMillis: 100, smtpResponse: '250 ok' },
  });
  const fields: Record<string, string> = {
    Type: 'Notification',
    MessageId: randomUUID(),
    TopicArn: TOPIC,
    Message: message,
    Timestamp: at,
    SignatureVersion: '2',
    SigningCertURL: certUrl,
  };
  const canonical = ['Message', 'MessageId', 'Timestamp', 'TopicArn', 'Type']
    .map((k) => `${k}\n${fields[k]}\n`)
    .join('');
  fields.Signature = createSign('RSA-SHA256').update(canonical).sign(keyPem, 'base64');
  return JSON.stringify(fields);
}

interface Totals {
  batches: number;
  messages: number;
  events: number;
  stored: number;
  statements: number;
  round_trips: number;
  rows_written: number;
  /** Σ of each batch's wall time inside the SES consumer (its `ms`). */
  busy_ms: number;
  /** Σ of each events-queue invocation's time as wrangler reports it (`QUEUE mailgrid-events n/n (Xms)`). */
  invocation_ms: number;
}

function processed(): Totals {
  const totals: Totals = {
    batches: 0,
    messages: 0,
    events: 0,
    stored: 0,
    statements: 0,
    round_trips: 0,
    rows_written: 0,
    busy_ms: 0,
    invocation_ms: 0,
  };
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    const invocation = /QUEUE mailgrid-events \d+\/\d+ \((\d+)ms\)/.exec(line);
    if (invocation) totals.invocation_ms += Number(invocation[1]);
    const start = line.indexOf('{"event":"events.ses_batch"');
    if (start < 0) continue;
    try {
      const entry = JSON.parse(line.slice(start));
      totals.batches++;
      totals.messages += entry.messages;
      totals.events += entry.events ?? 0;
      totals.stored += entry.stored ?? 0;
      totals.statements += entry.d1.statements;
      totals.round_trips += entry.d1.round_trips ?? 0;
      totals.rows_written += entry.d1.rows_written;
      totals.busy_ms += entry.ms ?? 0;
    } catch {
      // a line cut by the log's chunking; the totals are read again below
    }
  }
  return totals;
}

try {
  const bodies = emails.map(notification);
  // The harness's own ceiling, in the same run: the gateway's cheapest answer (GET /health without a
  // key: 401 before any binding is touched) through the same `wrangler dev`, at the same concurrency.
  const ceiling = await load(
    Math.min(NOTIFICATIONS, 3000),
    CONCURRENCY,
    () => fetch(`${stack.url}/health`),
    401,
  );
  const started = performance.now();
  const intake = await load(
    NOTIFICATIONS,
    CONCURRENCY,
    (n) =>
      fetch(`${stack.url}/api/webhooks/ses`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=UTF-8' },
        body: bodies[n],
      }),
    200,
  );
  const intakeDone = performance.now();
  const atIntakeEnd = processed().messages;
  const deadline = Date.now() + 600_000;
  let totals = processed();
  while (totals.messages < NOTIFICATIONS && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    totals = processed();
  }
  const finished = performance.now();
  const seconds = (finished - started) / 1000;
  const perEvent = (n: number, digits: number) => Number((n / Math.max(1, totals.events)).toFixed(digits));
  const figures = {
    measured_at: new Date().toISOString(),
    machine: `${process.platform} ${process.arch}, node ${process.version}, wrangler dev (local workerd)`,
    notifications: NOTIFICATIONS,
    intake,
    harness_ceiling: ceiling,
    processed_messages: totals.messages,
    events_written: totals.stored,
    queue_batches: totals.batches,
    end_to_end_seconds: Number(seconds.toFixed(1)),
    events_per_second: Math.round(totals.messages / seconds),
    consumer: {
      // What the consumer itself sustains: events over the time its batches took (D1 included), i.e.
      // the rate of a consumer that always finds a full queue.
      events_per_busy_second: Math.round(totals.events / Math.max(0.001, totals.busy_ms / 1000)),
      ms_per_batch: Number((totals.busy_ms / Math.max(1, totals.batches)).toFixed(1)),
      // The same over the whole queue invocation (message delivery, acks, the cost meter's wrapper).
      events_per_invocation_second: Math.round(totals.events / Math.max(0.001, totals.invocation_ms / 1000)),
      ms_per_invocation: Number((totals.invocation_ms / Math.max(1, totals.batches)).toFixed(1)),
      backlog_at_intake_end: NOTIFICATIONS - atIntakeEnd,
      drain_seconds: Number(((finished - intakeDone) / 1000).toFixed(1)),
    },
    // The 1-minute load average when the run ended: other work on the machine shares its cores.
    load_average: Number(loadavg()[0]?.toFixed(2)),
    limited_by: intake.rps < totals.events / Math.max(0.001, totals.busy_ms / 1000) ? 'intake' : 'consumer',
    d1_per_event: {
      round_trips: perEvent(totals.round_trips, 3),
      statements: perEvent(totals.statements, 3),
      rows_written: perEvent(totals.rows_written, 2),
    },
  };
  writeFileSync(join(root, 'bench/results/feedback.json'), `${JSON.stringify(figures, null, 2)}\n`);
  const md = [
    `# Delivery feedback burst (${figures.measured_at})`,
    '',
    `Machine: ${figures.machine}. Command: \`flock /tmp/mesh.lock node scripts/run.mjs node bench/feedback.ts\` (BENCH_NOTIFICATIONS=${NOTIFICATIONS}).`,
    '',
    `- ${NOTIFICATIONS} signed SNS notifications (SES Delivery events), concurrency ${CONCURRENCY}: intake ${intake.rps} req/s, p50 ${intake.p50_ms} ms, p99 ${intake.p99_ms} ms`,
    `- The same \`wrangler dev\` answers its cheapest request (\`GET /health\` without a key, 401) at ${ceiling.rps} req/s (p50 ${ceiling.p50_ms} ms) at the same concurrency, just before: the SNS intake is ${Math.round((100 * intake.rps) / Math.max(1, ceiling.rps))} % of what the harness itself passes`,
    `- Processed by the events worker: ${totals.messages} notifications in ${totals.batches} queue batches, ${totals.stored} events written, all within ${figures.end_to_end_seconds} s of the first post: ${figures.events_per_second} events/s end to end`,
    `- The consumer's own rate: ${figures.consumer.events_per_busy_second} events/s of consumer time (${figures.consumer.ms_per_batch} ms per batch of up to 100, D1 included), ${figures.consumer.events_per_invocation_second} events/s over whole queue invocations (${figures.consumer.ms_per_invocation} ms each, as wrangler reports them): what a consumer that always finds a full queue sustains. ${figures.consumer.backlog_at_intake_end} notifications were still queued when the intake ended, all stored ${figures.consumer.drain_seconds} s later`,
    figures.limited_by === 'intake'
      ? `- Limit: the HTTP intake, and there \`wrangler dev\` itself: it passes its cheapest request at ${ceiling.rps} req/s and the signed SNS POSTs (parse, signature check, one queue send, a log line) at ${intake.rps}, on ${cpus().length} cores shared with everything else running (load average ${figures.load_average} at the end). The consumer stores events ${Math.round(figures.consumer.events_per_busy_second / Math.max(1, intake.rps))}× faster than that, so the queue stays near empty and end to end follows the intake. In production each POST is its own Worker invocation.`
      : '- Limit: the events consumer (the queue backs up behind it).',
    `- D1 per event: ${figures.d1_per_event.round_trips} round trips, ${figures.d1_per_event.statements} statements, ${figures.d1_per_event.rows_written} rows written (one read and one write batch per queue batch of up to 100, plus the reputation guardrail's write when a stream's state moves)`,
    '',
  ].join('\n');
  writeFileSync(join(root, 'bench/results/feedback.md'), md);
  console.log(md);
} finally {
  await stack.stop();
  certServer.close();
  rmSync(work, { recursive: true, force: true });
}
