// Calls the gateway's fetch handler with the real local D1, KV and RateLimiter DO, and with the
// four peer workers replaced by stubs (they are exercised for real in the mesh tests).

import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { AdminRpc, HealthRpc, WorkerHealth, WorkerName } from '@mailgrid/contracts';
import type { Env } from '../src/env';
import worker from '../src/index';

export const realEnv = env as unknown as Env;

export function healthyPeer(worker: WorkerName): HealthRpc {
  return {
    health: async (): Promise<WorkerHealth> => ({ worker, ok: true, environment: 'test', checks: {} }),
  };
}

export function testEnv(
  overrides: Partial<Record<'SEND' | 'EVENTS' | 'TRACKING' | 'ADMIN', unknown>> = {},
): Env {
  return {
    ...realEnv,
    SEND: healthyPeer('send'),
    EVENTS: healthyPeer('events'),
    TRACKING: healthyPeer('tracking'),
    ADMIN: healthyPeer('admin') as unknown as AdminRpc,
    ...overrides,
  } as unknown as Env;
}

export async function call(
  path: string,
  init: RequestInit & { key?: string } = {},
  targetEnv: Env = testEnv(),
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.key) headers.set('authorization', `Bearer ${init.key}`);
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(`https://api.mailgrid.test${path}`, { ...init, headers }),
    targetEnv,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}
