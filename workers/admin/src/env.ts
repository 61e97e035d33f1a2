import { KEY_ENVIRONMENTS } from '@mailgrid/api-keys';
import type {
  ContactImportChunkMessage,
  RpcBinding,
  SendRpc,
  WebhookDeliverMessage,
} from '@mailgrid/contracts';
import { parseConfig, vars } from '@mailgrid/runtime';
import * as v from 'valibot';

/** Admin's vars and secrets, as `config(env)` gives them: validated. */
export const Config = v.object({
  /** Outside "development", customer webhook endpoints must be https on a public host. */
  ENVIRONMENT: vars.environment(),
  /**
   * Seals webhook signing secrets at rest (AES-256-GCM, runtime's secret-box): the same value in admin,
   * which seals and shows them, and events, which signs with them. A secret (wrangler secret put).
   */
  WEBHOOK_SECRET_KEY: vars.text(),
  /** The `<env>` part of new keys: `dev` locally, `test` on staging, `live` in production. */
  API_KEY_ENV: vars.oneOf(KEY_ENVIRONMENTS),
  // SES v2 identity APIs (domains), signed with SigV4 like the send worker's SendEmail.
  SES_ENDPOINT: vars.url(),
  SES_REGION: vars.text(),
  SES_ACCESS_KEY_ID: vars.text(),
  SES_SECRET_ACCESS_KEY: vars.text(),
  /**
   * The SNS topic SES publishes events to: the configuration set a TLS-enforced domain gets is given
   * the same event destination as every other set (docs/deploy.md). Unset (local): none is added.
   */
  SES_EVENTS_TOPIC_ARN: vars.optional(vars.text()),
  /** A DNS-over-HTTPS resolver's JSON API, for checking a domain's records. */
  DOH_URL: vars.optional(vars.url(), 'https://cloudflare-dns.com/dns-query'),
  /**
   * The tracking worker's public host: a domain's custom tracking hostname must be a CNAME to it
   * (shown as the domain's `Tracking` record). Unset: no such record is shown.
   */
  TRACKING_CNAME_TARGET: vars.optional(vars.text()),
  /** The tenant that sends Mailgrid's own emails (invitations); it needs a verified domain for INVITE_FROM. */
  PLATFORM_TENANT_ID: vars.text(),
  /** The From of invitation emails, e.g. `Mailgrid <no-reply@example.com>`. */
  INVITE_FROM: vars.text(),
  /**
   * Seconds an import in progress may go without a chunk completing before the sweeper (cron)
   * re-queues its missing chunks: well above the consumer's whole retry schedule (about a minute),
   * so a chunk that is only retrying is not sent twice for nothing.
   */
  IMPORT_STALLED_AFTER_SECONDS: vars.optional(vars.wholeNumber(), '600'),
});
export type Config = v.InferOutput<typeof Config>;

/** The bindings, and the vars as they arrive (strings); read the vars through `config(env)`. */
export interface Env extends v.InferInput<typeof Config> {
  DB: D1Database;
  /** The gateway's key cache: admin deletes a revoked key's entry. */
  API_KEYS: KVNamespace;
  FILES: R2Bucket;
  /** Replays of webhook deliveries, consumed by the events worker. */
  WEBHOOKS_QUEUE: Queue<WebhookDeliverMessage>;
  /** CSV imports' chunks, produced and consumed by admin (imports/). */
  IMPORTS_QUEUE: Queue<ContactImportChunkMessage>;
  /** Invitation emails go out through Mailgrid itself: the send worker's accept, as the platform tenant. */
  SEND: RpcBinding<SendRpc>;
}

/** The vars, parsed once per env object; throws at first use naming each missing or malformed one. */
export function config(env: Env): Config {
  return parseConfig(Config, env);
}
