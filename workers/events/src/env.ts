import type { WebhookDeliverMessage } from '@mailgrid/contracts';

export interface Env {
  ENVIRONMENT: string;
  DB: D1Database;
  WEBHOOKS_QUEUE: Queue<WebhookDeliverMessage>;
}
