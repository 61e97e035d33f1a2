// The tracking hot path on the local stack: the click redirect (GET /c/<token>: verify the HMAC
// token, 302, enqueue the event after the response) and the open pixel, beside GET /health in the
// same run; then how long the events consumer takes to store every click. Writes
// results/tracking.json and .md. Loopback only, bounded counts. In dev the gateway forwards /c/ and
// /o/ to the tracking worker over its service binding, so the figures include that hop.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readWranglerConfig } from '@mailgrid/testing/wrangler-config';
import { parseSigningKeys, signToken } from '@mailgrid/tracking-tokens';
import { startBenchStack } from './bench-stack.ts';
import { load } from './load.ts';

const CLICKS = 400;
const OPENS = 400;
const HEALTH = 400;
const CONCURRENCY = 8;
const root = new URL('..', import.meta.url).pathname;
const BROWSER =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

const { vars } = readWranglerConfig(join(root, 'workers/tracking/wrangler.jsonc'));
const keys = parseSigningKeys(vars?.TRACKING_SIGNING_KEYS, vars?.TRACKING_SIGNING_KEY_ID);

const { work, logFile, tenant, key, stack } = await startBenchStack('tracking');
try {
  const headers = { authorization: `Bearer ${key.token}`, 'content-type': 'application/json' };
  // One real email, so every click becomes a stored event of it.
  const sent = await fetch(`${stack.url}/api/emails`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      from: 'hello@bench.test',
      to: 'reader@example.com',
      subject: 'b',
      html: '<p>x</p>',
    }),
  });
  const { id } = (await sent.json()) as { id: string };
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    tenant_id: tenant.tenantId,
    email_id: id,
    recipient: 'reader@example.com',
    expires_at: now + 86_400,
    // Sent an hour ago: the clicks count as a person's, not a scanner's.
    issued_at: now - 3600,
  };
  const click = await signToken(keys, {
    ...claims,
    action: 'click',
    url: 'https://example.com/landing?utm=bench',
  });
  const open = await signToken(keys, { ...claims, action: 'open' });
  const hit = (path: string) => () =>
    fetch(`${stack.url}${path}`, { redirect: 'manual', headers: { 'user-agent': BROWSER } });

  // Warm up each path once so the figures are not about first-request compilation.
  await fetch(`${stack.url}/health`, { headers });
  await (await hit(`/c/${click}`)()).arrayBuffer();
  await (await hit(`/o/${open}`)()).arrayBuffer();

  const health = await load(HEALTH, CONCURRENCY, () => fetch(`${stack.url}/health`, { headers }), 200);
  const clicks = await load(CLICKS, CONCURRENCY, hit(`/c/${click}`), 302);
  const opens = await load(OPENS, CONCURRENCY, hit(`/o/${open}`), 200);

  // Every hit (plus the warm-ups) should end as a stored event: how long the consumer takes.
  const expected = CLICKS + OPENS + 2;
  const drainStarted = performance.now();
  const deadline = Date.now() + 120_000;
  let stored = 0;
  while (Date.now() < deadline) {
    const response = await fetch(`${stack.url}/api/emails/${id}/events`, { headers });
    const events = ((await response.json()) as { data: { type: string }[] }).data;
    stored = events.filter((event) => event.type === 'email.opened' || event.type === 'email.clicked').length;
    if (stored >= expected) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const drainMs = Math.round(performance.now() - drainStarted);
  const batches = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"events.tracking_batch"')).length;

  const figures = {
    measured_at: new Date().toISOString(),
    machine: `${process.platform} ${process.arch}, node ${process.version}`,
    latency: {
      'GET /health': health,
      'GET /c/<token> (302)': clicks,
      'GET /o/<token> (pixel)': opens,
    },
    events: { expected, stored, consumer_batches: batches, drain_ms_after_last_hit: drainMs },
  };
  writeFileSync(join(root, 'bench/results/tracking.json'), `${JSON.stringify(figures, null, 2)}\n`);
  const md = [
    `# Tracking figures (${figures.measured_at})`,
    '',
    `Machine: ${figures.machine}. Command: \`cd bench && node tracking.ts\` (also part of \`npm run bench\` there).`,
    '',
    `| request (each count, concurrency ${CONCURRENCY}) | count | req/s | p50 | p99 |`,
    '|---|---|---|---|---|',
    ...Object.entries(figures.latency).map(
      ([name, f]) => `| ${name} | ${f.requests} | ${f.rps} | ${f.p50_ms} ms | ${f.p99_ms} ms |`,
    ),
    '',
    'Locally the gateway forwards /c/ and /o/ to the tracking worker over a service binding (one extra hop);',
    'the tracking worker verifies the HMAC token, answers, and enqueues the event after the response.',
    '',
    `Events: ${stored} of ${expected} opens/clicks stored by the events consumer (${batches} queue batches),`,
    `${drainMs} ms after the last hit.`,
    '',
  ].join('\n');
  writeFileSync(join(root, 'bench/results/tracking.md'), md);
  console.log(md);
  rmSync(work, { recursive: true, force: true });
} catch (err) {
  console.error(`tracking bench failed; the stack's log is kept: ${logFile}`);
  throw err;
} finally {
  await stack.stop();
}
