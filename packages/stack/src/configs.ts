// `wrangler dev` applies --var to the first worker of a multi-worker session only. To give every
// worker the same overrides (a test's own SES endpoint, say), the stack writes copies of the real
// configs with the overrides merged in and every path made absolute, and runs those.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readWranglerConfig } from '@mailgrid/testing/wrangler-config';
import { WORKERS, wranglerConfig } from './paths.ts';

export function configsWithVars(outDir: string, vars: Record<string, string>): string[] {
  mkdirSync(outDir, { recursive: true });
  return WORKERS.map((worker) => {
    const source = wranglerConfig(worker);
    const config = readWranglerConfig(source);
    const base = dirname(source);
    const copy: Record<string, unknown> = {
      ...config,
      main: resolve(base, config.main),
      vars: { ...config.vars, ...vars },
      // The gateway's dashboard assets, found from the copy's folder.
      ...(config.assets?.directory
        ? { assets: { ...config.assets, directory: resolve(base, config.assets.directory) } }
        : {}),
      d1_databases: config.d1_databases?.map((db) => ({
        ...db,
        ...(db.migrations_dir ? { migrations_dir: resolve(base, db.migrations_dir) } : {}),
      })),
    };
    delete copy.$schema;
    const path = join(outDir, `${worker}.jsonc`);
    writeFileSync(path, JSON.stringify(copy, null, 2));
    return path;
  });
}
