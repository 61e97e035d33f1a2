// What each worker's health() answers over RPC, and what the gateway's GET /health aggregates.
import * as v from 'valibot';

export const WORKER_NAMES = ['gateway', 'send', 'events', 'tracking', 'admin'] as const;
export type WorkerName = (typeof WORKER_NAMES)[number];

export const DependencyCheck = v.pipe(
  v.object({
    ok: v.boolean(),
    /** How long the probe took, in milliseconds. */
    latency_ms: v.number(),
    error: v.optional(v.string()),
  }),
  v.description('One probe of a binding: whether it answered, and how fast.'),
);
export type DependencyCheck = v.InferOutput<typeof DependencyCheck>;

export const WorkerHealth = v.pipe(
  v.object({
    worker: v.picklist(WORKER_NAMES),
    ok: v.boolean(),
    /** The deployment's environment: "development", "staging" or "production". */
    environment: v.string(),
    /** One entry per binding the worker probed (d1, kv, r2, ...). */
    checks: v.record(v.string(), DependencyCheck),
  }),
  v.title('WorkerHealth'),
  v.description("One worker's health: a check per binding it probed."),
);
export type WorkerHealth = v.InferOutput<typeof WorkerHealth>;

export const MeshHealth = v.pipe(
  v.object({
    ok: v.boolean(),
    // One required key per worker (as Record<WorkerName, WorkerHealth>), not an open record.
    workers: v.object({
      gateway: WorkerHealth,
      send: WorkerHealth,
      events: WorkerHealth,
      tracking: WorkerHealth,
      admin: WorkerHealth,
    } satisfies Record<WorkerName, typeof WorkerHealth>),
  }),
  v.title('MeshHealth'),
  v.description('The health of the gateway and every worker behind it; `ok` only when all are.'),
);
export type MeshHealth = v.InferOutput<typeof MeshHealth>;
