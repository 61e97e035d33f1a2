// Webhooks as the API returns them (packages/contracts/src/webhooks.ts).

export { WEBHOOK_EVENT_TYPES } from '@mailgrid/contracts/webhook-event-types';

export interface Webhook {
  id: string;
  endpoint: string;
  events: string[];
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  created_at: string;
}

export interface WebhookEvent {
  id: string;
  type: string;
  created_at: string;
  status: 'success' | 'pending' | 'failed' | 'attempting';
  attempts: number;
}

/** A new signing secret, to show once. */
export interface Secret {
  signing_secret: string;
  previous_secret_expires_at?: string;
}
