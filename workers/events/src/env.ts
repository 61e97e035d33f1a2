import type { WebhookDeliverMessage } from '@mailgrid/contracts';
import { parseConfig, vars } from '@mailgrid/runtime';
import * as v from 'valibot';

/** Events' vars, as `config(env)` gives them: validated. */
export const Config = v.object({
  /** Outside "development", customer webhook endpoints must be https on a public host. */
  ENVIRONMENT: vars.environment(),
  /**
   * Seals webhook signing secrets at rest (AES-256-GCM, runtime's secret-box): the same value in admin,
   * which seals and shows them, and events, which signs with them. A secret (wrangler secret put).
   */
  WEBHOOK_SECRET_KEY: vars.text(),
  /**
   * Seconds a pending webhook delivery may sit past its next_attempt_at before the recovery sweep
   * (each minute) queues it again: its queue message was lost. Longer than a message normally waits
   * in the queue; a shorter one (the local stack's, a test's) only queues a few needless copies, which
   * the deliverer's claim turns away.
   */
  WEBHOOK_STRANDED_AFTER_SECONDS: vars.optional(vars.wholeNumber(), '600'),
});
export type Config = v.InferOutput<typeof Config>;

/** The bindings, and the vars as they arrive (strings); read the vars through `config(env)`. */
export interface Env extends v.InferInput<typeof Config> {
  DB: D1Database;
  WEBHOOKS_QUEUE: Queue<WebhookDeliverMessage>;
}

/** The vars, parsed once per env object; throws at first use naming each missing or malformed one. */
export function config(env: Env): Config {
  return parseConfig(Config, env);
}
