// Queue messages carry a `kind` so a consumer can tell what it is holding. A consumer never drops a
// message it does not understand: it retries it, and the queue moves it to the dead-letter queue.

export interface QueueMessageBase {
  kind: string;
}

/**
 * An SES event notification that SNS delivered to the gateway (`POST /api/webhooks/ses`), enqueued on
 * EVENTS_QUEUE only after its SNS signature, topic and age were checked. The events consumer parses
 * `message`.
 */
export interface SesNotificationMessage extends QueueMessageBase {
  kind: 'ses.notification';
  /** SNS's MessageId. SNS redelivers with the same id, so the consumer can dedupe on it. */
  sns_message_id: string;
  topic_arn: string;
  /** When the gateway accepted the delivery (ISO 8601). */
  received_at: string;
  /** SNS's `Message` field exactly as signed: the SES event JSON, still a string. */
  message: string;
}

/** Why a tracking hit is thought to be a machine's, not a person's (see workers/tracking/src/machine.ts). */
export const MACHINE_REASONS = ['apple_mpp', 'scanner', 'head', 'bot'] as const;
export type MachineReason = (typeof MACHINE_REASONS)[number];

/**
 * An open, click or unsubscribe the tracking worker saw for a verified token, enqueued on
 * EVENTS_QUEUE. The events consumer writes it as email.opened / email.clicked / email.unsubscribed.
 */
export interface TrackingEventMessage extends QueueMessageBase {
  kind: 'tracking.event';
  /** A UUID made when the request arrived: the event's dedupe key, so a redelivery writes nothing. */
  id: string;
  type: 'opened' | 'clicked' | 'unsubscribed';
  tenant_id: string;
  email_id: string;
  recipient: string;
  /** The original link (clicks). */
  url?: string;
  /** The email's topic (unsubscribes from a topic). */
  topic_id?: string;
  /** ISO 8601. */
  occurred_at: string;
  user_agent: string | null;
  /** Coarse place from Cloudflare's request.cf; never the IP address. */
  geo: { country: string | null; region: string | null; city: string | null } | null;
  /** Null for a person; otherwise why it looks like a machine. Machine hits are kept, but marked. */
  machine: MachineReason | null;
}
