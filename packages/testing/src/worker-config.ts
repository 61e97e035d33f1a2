// The vitest config every worker's tests share: the worker's own wrangler.jsonc, the repository's
// migrations applied before the tests, and each peer the config binds (other workers' entrypoints,
// the RateLimiter DO of another script) stood in for by a small auxiliary worker, because one
// worker's tests run without the rest of the mesh. The mesh tests run the real peers.
import { fileURLToPath } from 'node:url';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { readWranglerConfig, type WranglerConfig } from './wrangler-config.ts';

const migrationsDir = fileURLToPath(new URL('../../../migrations', import.meta.url));
const setupFile = fileURLToPath(new URL('./apply-migrations.ts', import.meta.url));

export function workerTestConfig(workerDir: string) {
  const configPath = `${workerDir}/wrangler.jsonc`;
  return defineConfig(async () => {
    const migrations = await readD1Migrations(migrationsDir);
    return {
      plugins: [
        cloudflareTest({
          wrangler: { configPath },
          miniflare: {
            bindings: { TEST_MIGRATIONS: migrations },
            workers: peerStubs(readWranglerConfig(configPath)),
          },
        }),
      ],
      test: {
        setupFiles: [setupFile],
        // The JSON report feeds the summary line of `npm test` (scripts/test.mjs).
        reporters: ['default', 'json'],
        outputFile: { json: 'test-results.json' },
      },
    };
  });
}

/** One auxiliary worker per peer script: healthy entrypoints, and a rate limiter that always allows. */
function peerStubs(config: WranglerConfig) {
  const scripts = new Map<string, { entrypoints: Set<string>; durableObjects: Set<string> }>();
  const script = (name: string) => {
    if (!scripts.has(name)) scripts.set(name, { entrypoints: new Set(), durableObjects: new Set() });
    return scripts.get(name) as { entrypoints: Set<string>; durableObjects: Set<string> };
  };
  for (const service of config.services ?? []) {
    if (service.entrypoint) script(service.service).entrypoints.add(service.entrypoint);
  }
  for (const binding of config.durable_objects?.bindings ?? []) {
    if (binding.script_name) script(binding.script_name).durableObjects.add(binding.class_name);
  }
  return [...scripts].map(([name, { entrypoints, durableObjects }]) => ({
    name,
    modules: true,
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags ?? [],
    durableObjects: Object.fromEntries(
      [...durableObjects].map((className) => [className, { className, useSQLite: true }]),
    ),
    script: [
      "import { DurableObject, WorkerEntrypoint } from 'cloudflare:workers';",
      ...[...entrypoints].map(
        (entrypoint) =>
          `export class ${entrypoint} extends WorkerEntrypoint { async health() { return { worker: ${JSON.stringify(name.replace('mailgrid-', ''))}, ok: true, environment: 'stub', checks: {} }; } }`,
      ),
      ...[...durableObjects].map(
        (className) =>
          `export class ${className} extends DurableObject { async take(rule) { return { allowed: true, limit: rule.burst, remaining: rule.burst, reset_seconds: 0, retry_after_seconds: 0 }; } async takeUpTo(rule, max) { return { granted: max, retry_after_seconds: 0 }; } }`,
      ),
      "export default { fetch() { return new Response('peer stub', { status: 404 }); } };",
    ].join('\n'),
  }));
}
