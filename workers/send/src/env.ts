import type { QueueMessageBase, RateLimiterNamespace } from '@mailgrid/contracts';

export interface Env {
  ENVIRONMENT: string;
  DB: D1Database;
  /** Raw EML of every sent message: exactly the bytes given to SES. */
  ARCHIVE: R2Bucket;
  /** Uploaded attachment files. */
  FILES: R2Bucket;
  SEND_QUEUE: Queue<QueueMessageBase>;
  /** Defined by the gateway; here it paces SES. */
  RATE_LIMITER: RateLimiterNamespace;
}
