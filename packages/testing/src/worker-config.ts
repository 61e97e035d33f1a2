// The vitest config every worker's tests share: the worker's own wrangler.jsonc, the repository's
// migrations applied before the tests, and each peer the config binds (other workers' entrypoints)
// stood in for by a small auxiliary worker, because one worker's tests run without the rest of the
// mesh. The mesh tests run the real peers. Durable Objects are never a peer's: a worker binds only
// classes it exports itself (the RateLimiter of @mailgrid/rate-limiter), so its tests run the real one.
// A worker may pass options: vars that differ in tests, and queue producers to detach from their
// consumer so a test runs the consumer itself (runQueue) instead of racing the local queue.
import { fileURLToPath } from 'node:url';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { readWranglerConfig, type WranglerConfig } from './wrangler-config.ts';

const migrationsDir = fileURLToPath(new URL('../../../migrations', import.meta.url));
const setupFile = fileURLToPath(new URL('./apply-migrations.ts', import.meta.url));

export interface WorkerTestOptions {
  /** Vars that replace the wrangler.jsonc values in tests (e.g. an endpoint nothing listens on). */
  vars?: Record<string, string>;
  /**
   * Queue producer bindings to detach from their consumer: each is rebound to `<its queue>-detached`,
   * a queue nothing consumes. Without this the local queue delivers what a test enqueues to the
   * worker's own consumer a second later, behind the test's back; with it, the test sees what was
   * enqueued (a spy on the binding) and runs the consumer itself on the messages it chooses.
   */
  detachedProducers?: string[];
}

export function workerTestConfig(workerDir: string, options: WorkerTestOptions = {}) {
  const configPath = `${workerDir}/wrangler.jsonc`;
  return defineConfig(async () => {
    const migrations = await readD1Migrations(migrationsDir);
    const config = readWranglerConfig(configPath);
    return {
      plugins: [
        cloudflareTest({
          wrangler: { configPath },
          miniflare: {
            bindings: { ...options.vars, TEST_MIGRATIONS: migrations },
            ...(options.detachedProducers?.length
              ? { queueProducers: detachedProducers(config, options.detachedProducers) }
              : {}),
            workers: peerStubs(config),
          },
        }),
      ],
      test: {
        setupFiles: [setupFile],
        // A test that takes milliseconds alone has been stalled past vitest's 5 s by the rest of a CI
        // run on 2 cores (the mesh beside it): a timeout is for a test that hangs, not a busy machine.
        testTimeout: 20_000,
        // The JSON report feeds the summary line of `npm test` (scripts/test.mjs).
        reporters: ['default', 'json'],
        outputFile: { json: 'test-results.json' },
      },
    };
  });
}

function detachedProducers(config: WranglerConfig, bindings: string[]) {
  const producers = config.queues?.producers ?? [];
  return Object.fromEntries(
    bindings.map((binding) => {
      const producer = producers.find((candidate) => candidate.binding === binding);
      if (!producer)
        throw new Error(`detachedProducers: ${binding} is not a queue producer in wrangler.jsonc`);
      return [binding, { queueName: `${producer.queue}-detached` }];
    }),
  );
}

/** One auxiliary worker per peer script, its entrypoints answering `health()` as healthy. */
function peerStubs(config: WranglerConfig) {
  for (const binding of config.durable_objects?.bindings ?? []) {
    if (binding.script_name) {
      throw new Error(
        `${config.name} binds ${binding.class_name} of ${binding.script_name}: host the class yourself (export it and bind your own namespace), so the worker deploys on its own.`,
      );
    }
  }
  const scripts = new Map<string, Set<string>>();
  for (const service of config.services ?? []) {
    if (!service.entrypoint) continue;
    const entrypoints = scripts.get(service.service) ?? new Set<string>();
    scripts.set(service.service, entrypoints.add(service.entrypoint));
  }
  return [...scripts].map(([name, entrypoints]) => ({
    name,
    modules: true,
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags ?? [],
    script: [
      "import { WorkerEntrypoint } from 'cloudflare:workers';",
      ...[...entrypoints].map(
        (entrypoint) =>
          `export class ${entrypoint} extends WorkerEntrypoint { async health() { return { worker: ${JSON.stringify(name.replace('mailgrid-', ''))}, ok: true, environment: 'stub', checks: {} }; } }`,
      ),
      "export default { fetch() { return new Response('peer stub', { status: 404 }); } };",
    ].join('\n'),
  }));
}
