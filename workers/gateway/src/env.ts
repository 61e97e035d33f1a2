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
import { parseConfig, vars } from '@mailgrid/runtime';
import * as v from 'valibot';

/** AWS's SNS endpoints, commercial and China partitions. */
export const DEFAULT_SNS_HOST_PATTERN = '^sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?$';

/** A regular expression, compiled once. */
const pattern = () =>
  v.pipe(
    v.string(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      try {
        return new RegExp(dataset.value.trim());
      } catch {
        addIssue({ message: `must be a regular expression (got ${JSON.stringify(dataset.value)})` });
        return NEVER;
      }
    }),
  );

/**
 * The gateway's vars and secrets, as `config(env)` gives them: validated, numbers, flags, lists and
 * patterns converted. (The raw strings are typed in `Env` below.)
 */
export const Config = v.object({
  ENVIRONMENT: vars.environment(),
  /** Largest request body accepted, in bytes (40 MiB: SES v2's whole-message limit). */
  MAX_BODY_BYTES: vars.wholeNumber(),
  /** Largest CSV import body, in bytes; MAX_BODY_BYTES when unset (and never past RPC's 32 MiB). */
  MAX_IMPORT_BYTES: vars.optional(vars.wholeNumber()),
  /** SNS intake: the TopicArns whose messages are accepted (comma-separated; none: all refused). */
  SNS_TOPIC_ARNS: vars.optional(vars.list(), ''),
  /** The host a SigningCertURL / SubscribeURL must have (default: AWS's SNS hosts). */
  SNS_CERT_HOST_PATTERN: vars.optional(pattern(), DEFAULT_SNS_HOST_PATTERN),
  /** Also trust http loopback URLs (a local fake SNS, tests); ignored in production. */
  SNS_ALLOW_INSECURE_CERT_URL: vars.optional(vars.flag(), 'false'),
  /** The platform operator's secret for /api/operator/*; unset, those routes refuse every request. */
  OPERATOR_SECRET: vars.optional(vars.text()),
  // Human sign-in with a JWT: a shared HS256 secret and/or a JWKS URL; issuer and audience checked when set.
  AUTH_JWT_SECRET: vars.optional(vars.text()),
  AUTH_JWKS_URL: vars.optional(vars.url()),
  AUTH_JWT_ISSUER: vars.optional(vars.text()),
  AUTH_JWT_AUDIENCE: vars.optional(vars.text()),
  /**
   * Signs the dashboard's session cookies (HS256; see session.ts). Unset, the dashboard cannot sign
   * anyone in (API keys and bearer JWTs work as ever).
   */
  SESSION_SECRET: vars.optional(vars.text()),
});
export type Config = v.InferOutput<typeof Config>;

/** The bindings, and the vars as they arrive (strings); read the vars through `config(env)`. */
export interface Env extends v.InferInput<typeof Config> {
  DB: D1Database;
  /** API-key prefix → key record cache. A cache only: D1 is the truth. */
  API_KEYS: KVNamespace;
  /** The gateway's own RateLimiter (@mailgrid/rate-limiter): the per-tenant API buckets. */
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
  /** The dashboard's built files (wrangler.jsonc `assets`); absent where they are not configured. */
  ASSETS?: Fetcher;
}

/** The vars, parsed once per env object; throws at first use naming each missing or malformed one. */
export function config(env: Env): Config {
  return parseConfig(Config, env);
}
