// Calls the gateway's fetch handler with the real local D1, KV and RateLimiter DO, and with the
// four peer workers replaced by stubs (they are exercised for real in the mesh tests).

import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type {
  AccountRpc,
  ApiKeySummary,
  AudienceRpc,
  CreateApiKeyResponse,
  DomainsRpc,
  HealthRpc,
  MessagingRpc,
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

/** Every method of admin's four entrypoints the gateway binds: what an `ADMIN` stub of testEnv may answer. */
export type AdminEntrypoints = AccountRpc & DomainsRpc & MessagingRpc & AudienceRpc;

export function healthyPeer(worker: WorkerName): HealthRpc {
  return { health: async (): Promise<WorkerHealth> => healthyReport(worker) };
}

/**
 * An ADMIN stand-in (see testEnv) that records its calls and answers like admin's entrypoints:
 * expected failures as `{ ok: false, error }` results. Change an answer with `mockResolvedValueOnce`.
 */
export function recordingAdmin() {
  return {
    health: vi.fn<AccountRpc['health']>(async () => healthyReport('admin')),
    createApiKey: vi.fn<AccountRpc['createApiKey']>(
      async (): Promise<RpcResult<CreateApiKeyResponse>> => ({
        ok: true,
        value: { id: '5d6f3c1e-0000-4000-8000-000000000001', token: `mg_dev_${'k'.repeat(40)}` },
      }),
    ),
    listApiKeys: vi.fn<AccountRpc['listApiKeys']>(
      async (): Promise<RpcResult<ApiKeySummary[]>> => ({ ok: true, value: [] }),
    ),
    deleteApiKey: vi.fn<AccountRpc['deleteApiKey']>(
      async (_caller, id): Promise<RpcResult<{ id: string }>> => ({ ok: true, value: { id } }),
    ),
  };
}

type Peer = 'SEND' | 'EVENTS' | 'TRACKING' | 'ACCOUNT' | 'DOMAINS' | 'MESSAGING' | 'AUDIENCE';

/**
 * Every peer binding and the events queue, recording each RPC (and each message sent) and answering
 * an empty list (enough for any route): `calls` stays empty for a request refused at the gateway.
 */
export function recordingPeers(overrides: Partial<Env> = {}) {
  const calls: { method: string; args: unknown[] }[] = [];
  const record = (prefix: string) => (_target: object, method: string | symbol) =>
    // Not a thenable: awaiting a binding must not look like a call.
    method === 'then' || typeof method === 'symbol'
      ? undefined
      : async (...args: unknown[]) => {
          calls.push({ method: `${prefix}${method}`, args });
          return { ok: true, value: { object: 'list', has_more: false, data: [] } };
        };
  const peer = new Proxy({}, { get: record('') });
  const queue = new Proxy({}, { get: record('EVENTS_QUEUE.') });
  const bindings = {
    SEND: peer,
    EVENTS: peer,
    TRACKING: peer,
    ACCOUNT: peer,
    DOMAINS: peer,
    MESSAGING: peer,
    AUDIENCE: peer,
  };
  const env = { ...testEnv(bindings), EVENTS_QUEUE: queue, ...overrides } as Env;
  return { calls, env };
}

/**
 * The real env with every peer a healthy stub. `ADMIN` stands in for all four of admin's bindings
 * (ACCOUNT, DOMAINS, MESSAGING, AUDIENCE) at once; one of them given by name wins over it.
 */
export function testEnv(overrides: Partial<Record<Peer | 'ADMIN', unknown>> = {}): Env {
  const { ADMIN: admin = healthyPeer('admin'), ...peers } = overrides;
  return {
    ...realEnv,
    SEND: healthyPeer('send'),
    EVENTS: healthyPeer('events'),
    TRACKING: healthyPeer('tracking'),
    ACCOUNT: admin,
    DOMAINS: admin,
    MESSAGING: admin,
    AUDIENCE: admin,
    ...peers,
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
