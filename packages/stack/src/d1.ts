// The local D1 database, through wrangler's own commands (so local dev applies migrations exactly
// as `wrangler d1 migrations apply --remote` does in production).
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inlineSql, type SqlStatement } from '@mailgrid/testing/fixtures';
import { wranglerBin, wranglerConfig } from './paths.ts';

const exec = promisify(execFile);

/**
 * wrangler's local D1 is one SQLite file the running workers also write: a read from outside
 * can meet their write lock (SQLITE_BUSY). The lock lasts milliseconds, so try again a few times.
 */
async function run(
  file: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; maxBuffer: number },
): Promise<{ stdout: string; stderr: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await exec(file, args, options);
    } catch (error) {
      const busy = /SQLITE_BUSY|database is locked/.test(String((error as Error).message));
      if (!busy || attempt >= 8) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/** Non-interactive, no telemetry, no network look-ups wrangler can skip. */
export const wranglerEnv = {
  ...process.env,
  CI: 'true',
  WRANGLER_SEND_METRICS: 'false',
  NO_D1_WARNING: 'true',
};

function baseArgs(persistDir: string): string[] {
  return ['--local', '--persist-to', persistDir, '--config', wranglerConfig('admin')];
}

export async function applyMigrations(persistDir: string): Promise<void> {
  await run(wranglerBin, ['d1', 'migrations', 'apply', 'DB', ...baseArgs(persistDir)], {
    env: wranglerEnv,
    maxBuffer: 16 * 1024 * 1024,
  });
}

export async function executeStatements(persistDir: string, statements: SqlStatement[]): Promise<void> {
  if (statements.length === 0) return;
  const file = join(persistDir, `seed-${process.pid}-${Date.now()}.sql`);
  await writeFile(file, statements.map((statement) => `${inlineSql(statement)};`).join('\n'));
  await run(wranglerBin, ['d1', 'execute', 'DB', ...baseArgs(persistDir), '--file', file, '--yes'], {
    env: wranglerEnv,
    maxBuffer: 16 * 1024 * 1024,
  });
}

export async function query<T>(persistDir: string, statement: SqlStatement): Promise<T[]> {
  const { stdout } = await run(
    wranglerBin,
    ['d1', 'execute', 'DB', ...baseArgs(persistDir), '--json', '--command', inlineSql(statement)],
    { env: wranglerEnv, maxBuffer: 16 * 1024 * 1024 },
  );
  const [result] = JSON.parse(stdout) as { results: T[] }[];
  return result?.results ?? [];
}
