import type { RateLimiterNamespace, SendQueueMessage } from '@mailgrid/contracts';

export interface Env {
  ENVIRONMENT: string;
  DB: D1Database;
  /** Raw EML of every sent message: exactly the bytes given to SES. Also the stored email bodies. */
  ARCHIVE: R2Bucket;
  /** Uploaded attachment files. */
  FILES: R2Bucket;
  SEND_QUEUE: Queue<SendQueueMessage>;
  /** Defined by the gateway; here it paces SES. */
  RATE_LIMITER: RateLimiterNamespace;
  /** SES v2 endpoint (https://email.<region>.amazonaws.com in production; the local SES in dev). */
  SES_ENDPOINT: string;
  SES_REGION: string;
  SES_ACCESS_KEY_ID: string;
  SES_SECRET_ACCESS_KEY: string;
  /** The account's maximum send rate per second (SES's quota), for pacing. */
  SES_MAX_SEND_RATE: string;
  /** Milliseconds before an unanswered SES call is abandoned and retried (default 15000). */
  SES_TIMEOUT_MS?: string;
  /** Multiplies the retry backoff curve (default 1); the mesh fault test shrinks it. */
  SEND_BACKOFF_SCALE?: string;
  /** JSON: stream id → SES configuration set name. Streams not listed send without one. */
  SES_CONFIGURATION_SETS: string;
  /** JSON `{ "<key id>": "<secret>" }`: keys for tracking tokens (a secret outside development). */
  TRACKING_SIGNING_KEYS: string;
  /** The key id new tracking tokens are signed with. */
  TRACKING_SIGNING_KEY_ID: string;
  /** The default tracking host (`https://track.example`): links, pixel and unsubscribe URLs. */
  TRACKING_BASE_URL: string;
}
