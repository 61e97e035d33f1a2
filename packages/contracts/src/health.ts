// What each worker's health() answers over RPC, and what the gateway's GET /health aggregates.

export const WORKER_NAMES = ['gateway', 'send', 'events', 'tracking', 'admin'] as const;
export type WorkerName = (typeof WORKER_NAMES)[number];

export interface DependencyCheck {
  ok: boolean;
  /** How long the probe took, in milliseconds. */
  latency_ms: number;
  error?: string;
}

export interface WorkerHealth {
  worker: WorkerName;
  ok: boolean;
  /** The deployment's environment: "development", "staging" or "production". */
  environment: string;
  /** One entry per binding the worker probed (d1, kv, r2, ...). */
  checks: Record<string, DependencyCheck>;
}

export interface MeshHealth {
  ok: boolean;
  workers: Record<WorkerName, WorkerHealth>;
}
