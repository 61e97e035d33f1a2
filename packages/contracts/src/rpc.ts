// The RPC interfaces of the workers, and the binding types a caller's Env uses for them.
// A caller types its binding from these and never imports the callee's source. Methods that can
// fail for the caller's reasons return an RpcResult (see rpc-result.ts).
import type { ApiKeySummary, CreateApiKeyRequest, CreateApiKeyResponse } from './api-keys';
import type { Caller } from './caller';
import type { WorkerHealth } from './health';
import type { RateLimiterRpc } from './rate-limit';
import type { RpcResult } from './rpc-result';

/** Every worker answers health() so the gateway can report the whole mesh. */
export interface HealthRpc {
  health(): Promise<WorkerHealth>;
}

export interface SendRpc extends HealthRpc {}

export interface EventsRpc extends HealthRpc {}

export interface TrackingRpc extends HealthRpc {}

export interface AdminRpc extends HealthRpc {
  createApiKey(caller: Caller, input: CreateApiKeyRequest): Promise<RpcResult<CreateApiKeyResponse>>;
  listApiKeys(caller: Caller): Promise<RpcResult<ApiKeySummary[]>>;
  /** Revokes the key and drops it from the gateway's cache: it is refused from the next request on. */
  deleteApiKey(caller: Caller, id: string): Promise<RpcResult<{ id: string }>>;
}

/** A service binding to a named WorkerEntrypoint that implements T. */
export type RpcBinding<T> = Service<T & Rpc.WorkerEntrypointBranded>;

/** The RateLimiter Durable Object namespace, bound across scripts. */
export type RateLimiterNamespace = DurableObjectNamespace<RateLimiterRpc & Rpc.DurableObjectBranded>;
