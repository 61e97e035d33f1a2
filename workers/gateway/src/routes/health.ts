// GET /health: the gateway's own bindings plus health() of the four other workers over RPC.
// 200 when every worker is healthy, 503 (with the same report) when any is not.
import type { HealthRpc, MeshHealth, WorkerHealth, WorkerName } from '@mailgrid/contracts';
import { checkHealth, probes, withTimeout } from '@mailgrid/runtime';
import { config, type Env } from '../env';
import { json } from '../http/responses';

const RPC_TIMEOUT_MS = 3000;

export async function health(env: Env): Promise<Response> {
  const peers: [WorkerName, HealthRpc][] = [
    ['send', env.SEND],
    ['events', env.EVENTS],
    ['tracking', env.TRACKING],
    ['admin', env.ACCOUNT],
  ];
  const [own, ...others] = await Promise.all([
    checkHealth('gateway', config(env).ENVIRONMENT, {
      d1: probes.d1(env.DB),
      kv: probes.kv(env.API_KEYS),
      rate_limiter: () =>
        env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName('health')).take({ per_second: 1, burst: 1 }, 0),
    }),
    ...peers.map(([name, binding]) => askPeer(name, binding)),
  ]);
  const workers = Object.fromEntries(
    [own, ...others].map((report) => [report?.worker, report]),
  ) as MeshHealth['workers'];
  const body: MeshHealth = { ok: Object.values(workers).every((report) => report.ok), workers };
  return json(body, body.ok ? 200 : 503, { 'cache-control': 'no-store' });
}

async function askPeer(worker: WorkerName, binding: HealthRpc): Promise<WorkerHealth> {
  const started = Date.now();
  try {
    return await withTimeout(binding.health(), RPC_TIMEOUT_MS);
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return {
      worker,
      ok: false,
      environment: 'unknown',
      checks: { rpc: { ok: false, latency_ms: Date.now() - started, error } },
    };
  }
}
