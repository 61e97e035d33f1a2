// Webhooks as the API returns them (packages/contracts/src/webhooks.ts).

/** The event types an endpoint can subscribe to, grouped as the form shows them. */
export const WEBHOOK_EVENT_TYPES = [
  'email.sent',
  'email.delivered',
  'email.delivery_delayed',
  'email.bounced',
  'email.complained',
  'email.opened',
  'email.clicked',
  'email.failed',
  'email.unsubscribed',
  'contact.created',
  'contact.updated',
  'contact.deleted',
  'contact.topics.updated',
  'domain.created',
  'domain.updated',
  'domain.deleted',
  'suppression.added',
  'suppression.removed',
  'topic.created',
  'topic.updated',
  'topic.deleted',
] as const;

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
