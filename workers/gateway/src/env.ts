import type {
  AdminRpc,
  EventsRpc,
  QueueMessageBase,
  RateLimiterNamespace,
  RpcBinding,
  SendRpc,
  TrackingRpc,
} from '@mailgrid/contracts';

export interface Env {
  ENVIRONMENT: string;
  /** Largest request body accepted, in bytes (40 MiB: SES v2's whole-message limit). */
  MAX_BODY_BYTES: string;
  DB: D1Database;
  /** API-key prefix → key record cache. A cache only: D1 is the truth. */
  API_KEYS: KVNamespace;
  /** Defined here (see rate-limiter.ts); send binds it by script name for SES pacing. */
  RATE_LIMITER: RateLimiterNamespace;
  EVENTS_QUEUE: Queue<QueueMessageBase>;
  SEND: RpcBinding<SendRpc>;
  EVENTS: RpcBinding<EventsRpc>;
  TRACKING: RpcBinding<TrackingRpc>;
  ADMIN: RpcBinding<AdminRpc>;
}
