// Delivery events as the API shows them: GET /api/emails/:id/events.

export interface EmailEvent {
  /** Resend's names: email.sent, email.delivered, email.bounced, email.opened… */
  type: string;
  /** Null when the event is about the whole message (a send to several recipients). */
  recipient: string | null;
  occurred_at: string;
  /** What the source said: bounce type and diagnostic, complaint feedback type, link, user agent… */
  data: Record<string, unknown>;
}

export interface EmailEventList {
  object: 'list';
  data: EmailEvent[];
}
