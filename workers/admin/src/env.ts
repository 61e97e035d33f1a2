import type { KeyEnvironment } from '@mailgrid/api-keys';
import type { WebhookDeliverMessage } from '@mailgrid/contracts';

export interface Env {
  ENVIRONMENT: string;
  /** The `<env>` part of new keys: `dev` locally, `test` on staging, `live` in production. */
  API_KEY_ENV: KeyEnvironment;
  DB: D1Database;
  /** The gateway's key cache: admin deletes a revoked key's entry. */
  API_KEYS: KVNamespace;
  FILES: R2Bucket;
  /** Replays of webhook deliveries, consumed by the events worker. */
  WEBHOOKS_QUEUE: Queue<WebhookDeliverMessage>;
}
