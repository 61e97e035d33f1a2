// The vitest config every worker's tests share: the worker's own wrangler.jsonc, the repository's
// migrations applied before the tests, and each peer the config binds (other workers' entrypoints,
// the RateLimiter DO of another script) stood in for by a small auxiliary worker, because one
// worker's tests run without the rest of the mesh. The mesh tests run the real peers.
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

/**
 * One auxiliary worker per peer script: healthy entrypoints, and a rate limiter that allows
 * everything unless a test limits it. `takeUpTo` grants everything by default; a test may cap what
 * one object grants with `limitGrants(max, retryAfterSeconds)` (`limitGrants(null)` lifts the cap)
 * and read the calls it answered with `takeUpToCalls()`. Real bucket arithmetic is the gateway's
 * own tests' business; these stubs let a caller's tests drive its answers.
 */
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
        (className) => `export class ${className} extends DurableObject { ${RATE_LIMITER_STUB} }`,
      ),
      "export default { fetch() { return new Response('peer stub', { status: 404 }); } };",
    ].join('\n'),
  }));
}

const RATE_LIMITER_STUB = `
  async take(rule) { return { allowed: true, limit: rule.burst, remaining: rule.burst, reset_seconds: 0, retry_after_seconds: 0 }; }
  async takeUpTo(rule, max) {
    const calls = (await this.ctx.storage.get('calls')) ?? [];
    await this.ctx.storage.put('calls', [...calls, { rule, max }]);
    const cap = await this.ctx.storage.get('cap');
    if (!cap || max <= cap.max) return { granted: max, retry_after_seconds: 0 };
    return { granted: cap.max, retry_after_seconds: cap.retryAfterSeconds };
  }
  async limitGrants(max, retryAfterSeconds = 1) {
    if (max === null) await this.ctx.storage.delete('cap');
    else await this.ctx.storage.put('cap', { max, retryAfterSeconds });
  }
  async takeUpToCalls() { return (await this.ctx.storage.get('calls')) ?? []; }
`;
