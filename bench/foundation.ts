// Foundation figures: how long the local stack takes to come up (cold: empty state folder; warm:
// the same folder again), how fast the gateway answers GET /health (which fans out to the four other
// workers over RPC), and each worker's production deploy bundle (minified). Writes results/foundation.json and .md.
// Traffic goes to loopback only, bounded in count.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { executeStatements, freePort, startStack } from '@mailgrid/stack';
import { keyStatement, tenantStatements } from '@mailgrid/testing/fixtures';
import { load } from './load.ts';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const WORKERS = ['gateway', 'send', 'events', 'tracking', 'admin'];
const HEALTH_REQUESTS = 400;
const CONCURRENCY = 8;

async function stackStart(persistDir: string, seed: boolean) {
  const { tenant, statements } = tenantStatements({
    slug: 'bench',
    domain: 'bench.test',
    rateLimit: { per_second: 100000, burst: 100000 },
  });
  const { key, statement } = await keyStatement(tenant, { name: 'bench', permission: 'full_access' });
  const started = performance.now();
  const stack = await startStack({
    persistDir,
    port: await freePort(),
    sesPort: await freePort(),
    output: join(persistDir, '..', 'stack.log'),
    seed: seed ? (dir) => executeStatements(dir, [...statements, statement]) : undefined,
  });
  // Ready means every worker answered health() through the gateway.
  const response = await fetch(`${stack.url}/health`, { headers: { authorization: `Bearer ${key.token}` } });
  if (!seed && response.status !== 401 && response.status !== 200)
    throw new Error(`health ${response.status}`);
  return { stack, ms: performance.now() - started, token: key.token };
}

async function latency(url: string, path: string, token: string | null, expected: number) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return load(HEALTH_REQUESTS, CONCURRENCY, () => fetch(`${url}${path}`, { headers }), expected);
}

async function bundleSizes() {
  const sizes: Record<string, { bytes: number; gzip_bytes: number }> = {};
  for (const worker of WORKERS) {
    const outdir = mkdtempSync(join(tmpdir(), `mailgrid-bundle-${worker}-`));
    await run(
      join(root, 'node_modules/.bin/wrangler'),
      [
        'deploy',
        '--dry-run',
        '--env',
        'production',
        '--outdir',
        outdir,
        '-c',
        join(root, `workers/${worker}/wrangler.jsonc`),
      ],
      {
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const files = readdirSync(outdir).filter((name) => name.endsWith('.js'));
    const bytes = files.reduce((sum, name) => sum + statSync(join(outdir, name)).size, 0);
    const gzip = files.reduce((sum, name) => sum + gzipSync(readFileSync(join(outdir, name))).length, 0);
    sizes[worker] = { bytes, gzip_bytes: gzip };
    rmSync(outdir, { recursive: true, force: true });
  }
  return sizes;
}

const work = mkdtempSync(join(tmpdir(), 'mailgrid-bench-'));
const persistDir = join(work, 'state');
try {
  const cold = await stackStart(persistDir, true);
  const health = await latency(cold.stack.url, '/health', cold.token, 200);
  // A typical authenticated API call: KV-cached auth, a rate-limit token from the DO, RPC to admin, a D1 read.
  const listKeys = await latency(cold.stack.url, '/api/api-keys', cold.token, 200);
  // The gateway alone: no auth, no bindings.
  const notFound = await latency(cold.stack.url, '/no-such-route', null, 404);
  await cold.stack.stop();
  const warm = await stackStart(persistDir, false);
  await warm.stack.stop();
  const bundles = await bundleSizes();

  const figures = {
    measured_at: new Date().toISOString(),
    machine: `${process.platform} ${process.arch}, node ${process.version}`,
    stack_start_ms: { cold: Math.round(cold.ms), warm: Math.round(warm.ms) },
    latency: { 'GET /health': health, 'GET /api/api-keys': listKeys, 'GET /no-such-route (404)': notFound },
    bundles,
  };
  const resultsDir = join(root, 'bench/results');
  writeFileSync(join(resultsDir, 'foundation.json'), `${JSON.stringify(figures, null, 2)}\n`);
  const md = [
    `# Foundation figures (${figures.measured_at})`,
    '',
    `Machine: ${figures.machine}. Command: \`npm run bench\`.`,
    '',
    `- Local stack start, cold (empty state: migrations, seed, SES, five workers, first /health): ${figures.stack_start_ms.cold} ms`,
    `- Local stack start, warm (same state folder again): ${figures.stack_start_ms.warm} ms`,
    '',
    `| request (${HEALTH_REQUESTS} each, concurrency ${CONCURRENCY}) | req/s | p50 | p99 |`,
    '|---|---|---|---|',
    ...Object.entries(figures.latency).map(
      ([name, f]) => `| ${name} | ${f.rps} | ${f.p50_ms} ms | ${f.p99_ms} ms |`,
    ),
    '',
    'GET /health fans out: the gateway probes D1, KV and the DO, then calls health() on four workers over RPC, which probe D1, R2, KV and the DO in turn.',
    '',
    '| worker (production bundle, minified) | size | gzip |',
    '|---|---|---|',
    ...Object.entries(bundles).map(
      ([name, size]) =>
        `| ${name} | ${(size.bytes / 1024).toFixed(1)} KiB | ${(size.gzip_bytes / 1024).toFixed(1)} KiB |`,
    ),
    '',
  ].join('\n');
  writeFileSync(join(resultsDir, 'foundation.md'), md);
  console.log(md);
} finally {
  rmSync(work, { recursive: true, force: true });
}
