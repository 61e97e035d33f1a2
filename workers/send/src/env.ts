import type {
  BroadcastQueueMessage,
  RateLimiterNamespace,
  SendFailedMessage,
  SendQueueMessage,
} from '@mailgrid/contracts';
import { parseConfig, vars } from '@mailgrid/runtime';
import * as v from 'valibot';

/** Send's vars and secrets, as `config(env)` gives them: validated, numbers and JSON converted. */
export const Config = v.object({
  ENVIRONMENT: vars.environment(),
  /** SES v2 endpoint (https://email.<region>.amazonaws.com in production; the local SES in dev). */
  SES_ENDPOINT: vars.url(),
  SES_REGION: vars.text(),
  SES_ACCESS_KEY_ID: vars.text(),
  SES_SECRET_ACCESS_KEY: vars.text(),
  /** The account's maximum send rate per second (SES's quota), for pacing. */
  SES_MAX_SEND_RATE: vars.optional(vars.positiveNumber(), '14'),
  /** Milliseconds before an unanswered SES call is abandoned and retried. */
  SES_TIMEOUT_MS: vars.optional(vars.wholeNumber(), '15000'),
  /** Multiplies the retry backoff curve; the mesh fault test shrinks it. */
  SEND_BACKOFF_SCALE: vars.optional(vars.positiveNumber(), '1'),
  /**
   * Seconds a delivery's claim on an email lasts (renewed before each further copy): longer than one
   * SES call with its timeout. A delivery that dies holding one is taken over once it runs out.
   */
  SEND_CLAIM_SECONDS: vars.optional(vars.wholeNumber(), '60'),
  /**
   * Seconds an email may sit queued, or claimed by a delivery that vanished, before the recovery sweep
   * queues it again (a lost queue message, a crash). Longer than a message normally waits in the queue.
   */
  SEND_STRANDED_AFTER_SECONDS: vars.optional(vars.wholeNumber(), '600'),
  /**
   * Seconds to wait, after an attempt whose outcome is unknown, for SES's `Send` event to say the copy
   * went out; with no such event by then, SES never took it and it is sent again.
   */
  SEND_SETTLE_AFTER_SECONDS: vars.optional(vars.wholeNumber(), '300'),
  /**
   * Share of SES_MAX_SEND_RATE that broadcasts leave to transactional mail at every moment (0–0.5):
   * a transactional email never waits behind a running broadcast, and the broadcast uses the rest.
   */
  BROADCAST_RESERVE: vars.optional(vars.positiveNumber(), '0.1'),
  /** JSON: stream id → SES configuration set name. Streams not listed send without one. */
  SES_CONFIGURATION_SETS: vars.optional(
    vars.json(v.record(v.string(), v.string('must map each stream to a configuration set name'))),
    '{}',
  ),
  /**
   * JSON `{ "<key id>": "<secret>" }`: keys for tracking tokens (a secret outside development), and
   * the id new tokens are signed with. Optional here: @mailgrid/tracking-tokens checks them when an
   * email needs a token, so an untracked email still goes out without them.
   */
  TRACKING_SIGNING_KEYS: vars.optional(vars.text()),
  TRACKING_SIGNING_KEY_ID: vars.optional(vars.text()),
  /** The default tracking host (`https://track.example`): links, pixel and unsubscribe URLs. */
  TRACKING_BASE_URL: vars.url(),
});
export type Config = v.InferOutput<typeof Config>;

/** The bindings, and the vars as they arrive (strings); read the vars through `config(env)`. */
export interface Env extends v.InferInput<typeof Config> {
  DB: D1Database;
  /** Raw EML of every sent message: exactly the bytes given to SES. Also the stored email bodies. */
  ARCHIVE: R2Bucket;
  /** Uploaded attachment files. */
  FILES: R2Bucket;
  SEND_QUEUE: Queue<SendQueueMessage>;
  /** Broadcasts' fan-out steps (`mailgrid-broadcasts`), consumed here too. */
  BROADCAST_QUEUE: Queue<BroadcastQueueMessage>;
  /** The events worker's queue (`mailgrid-events`): `send.failed` for each email the consumer fails. */
  EVENTS_QUEUE: Queue<SendFailedMessage>;
  /** Send's own RateLimiter (@mailgrid/rate-limiter): the SES pacing buckets. */
  RATE_LIMITER: RateLimiterNamespace;
}

/** The vars, parsed once per env object; throws at first use naming each missing or malformed one. */
export function config(env: Env): Config {
  return parseConfig(Config, env);
}
