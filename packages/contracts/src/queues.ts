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
