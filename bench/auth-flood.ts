// A flood of made-up API keys against the gateway on the local stack: what failed authentication
// costs. 5,000 requests with random well-formed keys (`mg_dev_` + 40 base62, every prefix new) from
// a few client addresses (`cf-connecting-ip`, which wrangler dev passes through as Cloudflare would
// set it), while a client with a real key keeps calling from one of the same addresses. Counts the
// D1 reads the gateway made (its `auth.key_lookup` log line per D1 lookup, metered with meteredD1)
// and the answers by status; then 500 malformed keys, which must cost no D1 read at all.
// Writes results/auth-flood.json and .md. Loopback only, bounded counts.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBenchStack } from './bench-stack.ts';

const REQUESTS = Number(process.env.AUTH_FLOOD_REQUESTS) || 5_000;
const MALFORMED = 500;
const CONCURRENCY = 32;
/** Documentation addresses (RFC 5737): the flood's clients. */
const ADDRESSES = ['198.51.100.1', '198.51.100.2', '198.51.100.3'];
/** The real client shares the first flooding address, and calls once every this many requests. */
const GOOD_EVERY = 50;
const root = new URL('..', import.meta.url).pathname;
/** The gateway's AUTH_FAILURE_RULE (workers/gateway/src/rate-limit.ts), for the bound printed below. */
const FAILURE_BURST = 10;
const FAILURE_PER_SECOND = 0.2;

const { work, logFile, key, stack } = await startBenchStack('auth-flood');

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function madeUpKey(): string {
  let random = '';
  for (const byte of crypto.getRandomValues(new Uint8Array(40))) random += ALPHABET[byte % 62];
  return `mg_dev_${random}`;
}

function health(token: string, address: string): Promise<Response> {
  return fetch(`${stack.url}/health`, {
    headers: { authorization: `Bearer ${token}`, 'cf-connecting-ip': address },
  });
}

/** The gateway's D1 lookups so far, from its log lines. */
function lookups(): { lookups: number; found: number; statements: number; rows_read: number } {
  const totals = { lookups: 0, found: 0, statements: 0, rows_read: 0 };
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    const start = line.indexOf('{"event":"auth.key_lookup"');
    if (start < 0) continue;
    try {
      const entry = JSON.parse(line.slice(start));
      totals.lookups++;
      if (entry.found) totals.found++;
      totals.statements += entry.d1.statements;
      totals.rows_read += entry.d1.rows_read;
    } catch {
      // a line cut by the log's chunking
    }
  }
  return totals;
}

interface Burst {
  requests: number;
  seconds: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  statuses: Record<string, number>;
  by_address: Record<string, Record<string, number>>;
  good_client: { requests: number; statuses: Record<string, number> };
}

/** `count` requests, `CONCURRENCY` at a time, tallied by status (and by address). */
async function burst(count: number, token: (n: number) => string, goodEvery = 0): Promise<Burst> {
  const statuses: Record<string, number> = {};
  const byAddress: Record<string, Record<string, number>> = {};
  const good: Record<string, number> = {};
  let goodRequests = 0;
  const latencies: number[] = [];
  const tally = (into: Record<string, number>, status: number) => {
    into[status] = (into[status] ?? 0) + 1;
  };
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const n = next++;
        const address = ADDRESSES[n % ADDRESSES.length] as string;
        if (goodEvery && n % goodEvery === 0) {
          const response = await health(key.token, ADDRESSES[0] as string);
          await response.arrayBuffer();
          goodRequests++;
          tally(good, response.status);
        }
        const t0 = performance.now();
        const response = await health(token(n), address);
        await response.arrayBuffer();
        latencies.push(performance.now() - t0);
        tally(statuses, response.status);
        byAddress[address] ??= {};
        tally(byAddress[address], response.status);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    Number((latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0).toFixed(1));
  return {
    requests: latencies.length,
    seconds: Number(seconds.toFixed(2)),
    rps: Math.round(latencies.length / seconds),
    p50_ms: pct(0.5),
    p99_ms: pct(0.99),
    statuses,
    by_address: byAddress,
    good_client: { requests: goodRequests, statuses: good },
  };
}

try {
  // The real client's first call reads its key from D1 once and caches it, as a working client's is.
  const warm = await health(key.token, ADDRESSES[0] as string);
  if (warm.status !== 200) throw new Error(`the real key answered ${warm.status}`);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = lookups();

  const flood = await burst(REQUESTS, madeUpKey, GOOD_EVERY);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const afterFlood = lookups();

  const malformed = await burst(MALFORMED, (n) => `mg_dev_${n}`);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const afterMalformed = lookups();

  const floodReads = afterFlood.statements - before.statements;
  const figures = {
    measured_at: new Date().toISOString(),
    machine: `${process.platform} ${process.arch}, node ${process.version}, wrangler dev (local workerd)`,
    flood: {
      description: `${REQUESTS} requests with random well-formed keys, ${ADDRESSES.length} client addresses round robin, concurrency ${CONCURRENCY}`,
      ...flood,
      d1_reads: floodReads,
      d1_rows_read: afterFlood.rows_read - before.rows_read,
      d1_lookups_that_found_a_key: afterFlood.found - before.found,
    },
    malformed: {
      description: `${MALFORMED} requests with malformed keys (mg_dev_<n>), same addresses`,
      ...malformed,
      d1_reads: afterMalformed.statements - afterFlood.statements,
    },
    limit: `per address: ${FAILURE_BURST} failed authentications, then one every ${1 / FAILURE_PER_SECOND} s (AUTH_FAILURE_RULE)`,
    // What the limit allows: each address's burst, plus one read per refill while the flood lasts
    // (give or take the first concurrent wave, which reaches D1 before any failure is counted).
    d1_reads_allowed: Math.ceil(ADDRESSES.length * (FAILURE_BURST + FAILURE_PER_SECOND * flood.seconds)),
  };
  writeFileSync(join(root, 'bench/results/auth-flood.json'), `${JSON.stringify(figures, null, 2)}\n`);
  const statusList = (statuses: Record<string, number>) =>
    Object.entries(statuses)
      .map(([status, count]) => `${count} × ${status}`)
      .join(', ');
  const md = [
    `# Failed-authentication flood (${figures.measured_at})`,
    '',
    `Machine: ${figures.machine}. Command: \`npm run bench\` (alone: \`node scripts/run.mjs pnpm --filter @mailgrid/bench exec node auth-flood.ts\`).`,
    '',
    `- ${figures.flood.description}: **${floodReads} D1 reads** in ${flood.seconds} s (${flood.rps} req/s, p50 ${flood.p50_ms} ms, p99 ${flood.p99_ms} ms).`,
    `- Answers: ${statusList(flood.statuses)}.`,
    ...Object.entries(flood.by_address).map(
      ([address, statuses]) => `  - from ${address}: ${statusList(statuses)}`,
    ),
    `- A real key called from ${ADDRESSES[0]} during the flood (once every ${GOOD_EVERY} requests): ${statusList(flood.good_client.statuses)} of ${flood.good_client.requests}.`,
    `- ${figures.malformed.description}: ${figures.malformed.d1_reads} D1 reads; answers: ${statusList(malformed.statuses)}.`,
    '',
    `Limit: ${figures.limit}. Each address's failures reach D1 at most ${FAILURE_BURST} times, then once per refill: about ${figures.d1_reads_allowed} reads for this flood's ${flood.seconds} s (${ADDRESSES.length} × (${FAILURE_BURST} + ${FAILURE_PER_SECOND} × s)); the rest are 429 with retry-after, refused before D1 is asked. An unknown prefix is cached as missing in KV for 60 s; a malformed key touches no storage.`,
    '',
  ].join('\n');
  writeFileSync(join(root, 'bench/results/auth-flood.md'), md);
  console.log(md);
} finally {
  await stack.stop();
  rmSync(work, { recursive: true, force: true });
}
