// What docs/deploy.md has an operator run, short of uploading: `wrangler deploy --dry-run` of each
// worker for staging and production. It bundles the worker and checks its config as Cloudflare's
// deploy would (bindings, Durable Object migrations, queues, crons), with no account needed.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const wrangler = join(root, 'node_modules/.bin/wrangler');
const out = mkdtempSync(join(tmpdir(), 'mailgrid-dry-run-'));
const WORKERS = ['gateway', 'send', 'events', 'tracking', 'admin'];

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

describe('wrangler deploy --dry-run', () => {
  for (const env of ['staging', 'production']) {
    it.each(WORKERS)(`bundles %s for ${env}`, async (worker) => {
      const outdir = join(out, env, worker);
      const { stdout, stderr } = await run(
        wrangler,
        ['deploy', '--dry-run', '--env', env, '--outdir', outdir],
        {
          cwd: join(root, 'workers', worker),
          env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      const output = `${stdout}\n${stderr}`;
      expect(output).toContain('--dry-run: exiting now.');
      expect(readdirSync(outdir)).toContain('index.js');
    });
  }
});
