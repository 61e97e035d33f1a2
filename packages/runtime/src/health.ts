// Each worker's health(): probe the bindings it depends on, time each probe, never throw.
import type { DependencyCheck, WorkerHealth, WorkerName } from '@mailgrid/contracts';
import { withTimeout } from './timeout';

export type Probe = () => Promise<unknown>;

/** Bounded so one stuck binding makes the report say so instead of hanging the caller. */
const PROBE_TIMEOUT_MS = 2000;

export async function checkHealth(
  worker: WorkerName,
  environment: string,
  probes: Record<string, Probe>,
): Promise<WorkerHealth> {
  const names = Object.keys(probes);
  const results = await Promise.all(names.map((name) => runProbe(probes[name] as Probe)));
  const checks: Record<string, DependencyCheck> = {};
  names.forEach((name, i) => {
    checks[name] = results[i] as DependencyCheck;
  });
  return { worker, ok: results.every((check) => check.ok), environment, checks };
}

async function runProbe(probe: Probe): Promise<DependencyCheck> {
  const started = Date.now();
  try {
    await withTimeout(probe(), PROBE_TIMEOUT_MS);
    return { ok: true, latency_ms: Date.now() - started };
  } catch (err) {
    return {
      ok: false,
      latency_ms: Date.now() - started,
      error: err instanceof Error ? err.message : String(err),
    };
  }
}

/** Probes for the shared bindings, so every worker checks them the same way. */
export const probes = {
  d1:
    (db: D1Database): Probe =>
    () =>
      db.prepare('SELECT 1').first(),
  kv:
    (kv: KVNamespace): Probe =>
    () =>
      kv.get('health-probe'),
  r2:
    (bucket: R2Bucket): Probe =>
    () =>
      bucket.head('health-probe'),
};
