// Calls the gateway's fetch handler with the real local D1, KV and RateLimiter DO, and with the
// four peer workers replaced by stubs (they are exercised for real in the mesh tests).

import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type {
  AdminRpc,
  ApiKeySummary,
  CreateApiKeyResponse,
  HealthRpc,
  RpcResult,
  WorkerHealth,
  WorkerName,
} from '@mailgrid/contracts';
import { vi } from 'vitest';
import type { Env } from '../src/env';
import worker from '../src/index';

export const realEnv = env as unknown as Env;

export function healthyReport(worker: WorkerName): WorkerHealth {
  return { worker, ok: true, environment: 'test', checks: {} };
}

export function healthyPeer(worker: WorkerName): HealthRpc {
  return { health: async (): Promise<WorkerHealth> => healthyReport(worker) };
}

/**
 * An ADMIN stand-in that records its calls and answers like the real AdminService: expected
 * failures as `{ ok: false, error }` results. Change an answer with `mockResolvedValueOnce`.
 */
export function recordingAdmin() {
  return {
    health: vi.fn<AdminRpc['health']>(async () => healthyReport('admin')),
    createApiKey: vi.fn<AdminRpc['createApiKey']>(
      async (): Promise<RpcResult<CreateApiKeyResponse>> => ({
        ok: true,
        value: { id: '5d6f3c1e-0000-4000-8000-000000000001', token: `mg_dev_${'k'.repeat(40)}` },
      }),
    ),
    listApiKeys: vi.fn<AdminRpc['listApiKeys']>(
      async (): Promise<RpcResult<ApiKeySummary[]>> => ({ ok: true, value: [] }),
    ),
    deleteApiKey: vi.fn<AdminRpc['deleteApiKey']>(
      async (_caller, id): Promise<RpcResult<{ id: string }>> => ({ ok: true, value: { id } }),
    ),
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
  // Typed as an incoming request: that is what the handler receives in production.
  const request = new Request(`https://api.mailgrid.test${path}`, { ...init, headers }) as Request<
    unknown,
    IncomingRequestCfProperties
  >;
  const response = await worker.fetch(request, targetEnv, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** A POST with a JSON body (or the raw body given) and a key. */
export function postJson(
  path: string,
  key: string,
  body: unknown,
  targetEnv?: Env,
  headers: Record<string, string> = {},
): Promise<Response> {
  return call(
    path,
    {
      method: 'POST',
      key,
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    },
    targetEnv,
  );
}

/** A fresh slug per seeded tenant: storage is shared by the tests of a file. */
export function uniqueSlug(label: string): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}`;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
