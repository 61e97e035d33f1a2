// CSV import of contacts on the local stack: a 100,000-row file uploaded to POST
// /api/contacts/imports and followed to `completed` (upload → done, rows/s), then the same file
// again (every row unchanged), with the admin worker's per-chunk timings from its own log lines.
// Writes results/import.json and .md. Loopback only, one file.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBenchStack } from './bench-stack.ts';

const ROWS = Number(process.env.IMPORT_ROWS ?? 100_000);
const root = new URL('..', import.meta.url).pathname;

const { work, logFile, key, stack } = await startBenchStack('import', (tenant) => [
  {
    sql: "INSERT INTO contact_properties (id, tenant_id, key, type, fallback_value, created_at) VALUES (?, ?, 'plan', 'string', NULL, ?)",
    params: [crypto.randomUUID(), tenant.tenantId, new Date().toISOString()],
  },
]);
try {
  const lines = ['email,first_name,last_name,plan'];
  for (let n = 0; n < ROWS; n++)
    lines.push(`reader${n}@example.com,First ${n},Last ${n},${['free', 'pro'][n % 2]}`);
  const csv = `${lines.join('\n')}\n`;
  const headers = { authorization: `Bearer ${key.token}` };

  async function run() {
    const started = performance.now();
    const response = await fetch(`${stack.url}/api/contacts/imports`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'text/csv' },
      body: csv,
    });
    if (response.status !== 202) throw new Error(`upload: ${response.status} ${await response.text()}`);
    const accepted = performance.now();
    const { id } = (await response.json()) as { id: string };
    for (;;) {
      const progress = (await (
        await fetch(`${stack.url}/api/contacts/imports/${id}`, { headers })
      ).json()) as Record<string, unknown>;
      if (progress.status === 'completed' || progress.status === 'failed') {
        const seconds = (performance.now() - started) / 1000;
        return {
          id,
          status: progress.status,
          upload_ms: Math.round(accepted - started),
          seconds: Number(seconds.toFixed(1)),
          rows_per_second: Math.round(ROWS / seconds),
          created: progress.created,
          updated: progress.updated,
          unchanged: progress.unchanged,
          failed: progress.failed,
        };
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  const first = await run();
  const again = await run();

  const chunkMs = (importId: string) =>
    readFileSync(logFile, 'utf8')
      .split('\n')
      .flatMap((line) => {
        const start = line.indexOf('{"event":"import.chunk"');
        if (start < 0) return [];
        try {
          const entry = JSON.parse(line.slice(start));
          return entry.import_id === importId ? [entry.ms as number] : [];
        } catch {
          return [];
        }
      })
      .sort((a, b) => a - b);
  const summary = (ms: number[]) => ({
    chunks: ms.length,
    p50_ms: ms[Math.floor(ms.length / 2)] ?? null,
    max_ms: ms.at(-1) ?? null,
  });

  const figures = {
    measured_at: new Date().toISOString(),
    machine: `${process.platform} ${process.arch}, node ${process.version}, wrangler dev (local workerd)`,
    rows: ROWS,
    file_bytes: Buffer.byteLength(csv),
    first_import: { ...first, chunk: summary(chunkMs(first.id)) },
    re_import: { ...again, chunk: summary(chunkMs(again.id)) },
  };
  writeFileSync(join(root, 'bench/results/import.json'), `${JSON.stringify(figures, null, 2)}\n`);
  const row = (name: string, f: typeof figures.first_import) =>
    `| ${name} | ${f.upload_ms} ms | ${f.seconds} s | ${f.rows_per_second} | ${f.created} / ${f.updated} / ${f.unchanged} / ${f.failed} | ${f.chunk.chunks} × p50 ${f.chunk.p50_ms} ms, max ${f.chunk.max_ms} ms |`;
  const md = [
    `# CSV import (${figures.measured_at})`,
    '',
    `Machine: ${figures.machine}. Command: \`node bench/import.ts\` (also in \`npm run bench\`).`,
    '',
    `A ${ROWS.toLocaleString('en')}-row file (${(figures.file_bytes / 1024 / 1024).toFixed(1)} MiB), uploaded to \`POST /api/contacts/imports\` and polled until \`completed\`.`,
    '',
    '| run | upload → 202 | upload → completed | rows/s | created / updated / unchanged / failed | chunks (admin, each one D1 batch) |',
    '|---|---|---|---|---|---|',
    row('first import', figures.first_import),
    row('same file again', figures.re_import),
    '',
  ].join('\n');
  writeFileSync(join(root, 'bench/results/import.md'), md);
  console.log(md);
} finally {
  await stack.stop();
  rmSync(work, { recursive: true, force: true });
}
