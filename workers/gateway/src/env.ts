import type {
  AccountRpc,
  AudienceRpc,
  DomainsRpc,
  EventsRpc,
  MessagingRpc,
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
  /** Largest CSV import body, in bytes; MAX_BODY_BYTES when unset (and never past RPC's 32 MiB). */
  MAX_IMPORT_BYTES?: string;
  /** SNS intake (`POST /api/webhooks/ses`): comma-separated TopicArns whose messages are accepted. */
  SNS_TOPIC_ARNS?: string;
  /** Regex a SigningCertURL / SubscribeURL host must match (default: AWS's SNS hosts). */
  SNS_CERT_HOST_PATTERN?: string;
  /** "true" outside production: also trust http loopback URLs (a local fake SNS, tests). */
  SNS_ALLOW_INSECURE_CERT_URL?: string;
  /**
   * The platform operator's secret for /api/operator/* (a wrangler secret in production). Unset: the
   * operator routes refuse every request. Never logged.
   */
  OPERATOR_SECRET?: string;
  // Human sign-in with a JWT (Supabase Auth compatible): a shared HS256 secret and/or a JWKS URL;
  // the issuer and audience are checked when set (Supabase's audience is `authenticated`).
  AUTH_JWT_SECRET?: string;
  AUTH_JWKS_URL?: string;
  AUTH_JWT_ISSUER?: string;
  AUTH_JWT_AUDIENCE?: string;
  DB: D1Database;
  /** API-key prefix → key record cache. A cache only: D1 is the truth. */
  API_KEYS: KVNamespace;
  /** Defined here (see rate-limiter.ts); send binds it by script name for SES pacing. */
  RATE_LIMITER: RateLimiterNamespace;
  EVENTS_QUEUE: Queue<QueueMessageBase>;
  SEND: RpcBinding<SendRpc>;
  EVENTS: RpcBinding<EventsRpc>;
  TRACKING: RpcBinding<TrackingRpc>;
  // admin, one binding per entrypoint (see AccountRpc and its siblings in @mailgrid/contracts).
  ACCOUNT: RpcBinding<AccountRpc>;
  DOMAINS: RpcBinding<DomainsRpc>;
  MESSAGING: RpcBinding<MessagingRpc>;
  AUDIENCE: RpcBinding<AudienceRpc>;
}
