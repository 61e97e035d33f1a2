// The event types Mailgrid emits, in Resend's names: what a webhook may subscribe to. A module of its
// own with no imports, so the dashboard can use the list without bundling valibot.

/** The event types Mailgrid emits, in Resend's names: what a webhook may subscribe to. */
export const WEBHOOK_EVENT_TYPES = [
  'email.sent',
  'email.delivered',
  'email.delivery_delayed',
  'email.bounced',
  'email.complained',
  'email.opened',
  'email.clicked',
  'email.failed',
  // Mailgrid's own (first-party unsubscribe link or one-click List-Unsubscribe).
  'email.unsubscribed',
  // Changes to the tenant's resources, from the API or the dashboard (and, for suppressions, SES's
  // bounces and complaints). CSV imports fire no contact events, as at Resend.
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
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
