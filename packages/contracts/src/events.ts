// Delivery events as the API shows them: GET /api/emails/:id/events.
import * as v from 'valibot';

export const EmailEvent = v.pipe(
  v.object({
    /** Resend's names: email.sent, email.delivered, email.bounced, email.opened… */
    type: v.string(),
    /** Null when the event is about the whole message (a send to several recipients). */
    recipient: v.nullable(v.string()),
    occurred_at: v.string(),
    /** What the source said: bounce type and diagnostic, complaint feedback type, link, user agent… */
    data: v.record(v.string(), v.unknown()),
  }),
  v.title('EmailEvent'),
  v.description("One delivery event of an email, in Resend's event names."),
);
export type EmailEvent = v.InferOutput<typeof EmailEvent>;

export const EmailEventList = v.pipe(
  v.object({ object: v.literal('list'), data: v.array(EmailEvent) }),
  v.title('EmailEventList'),
  v.description("An email's delivery events, oldest first (not paged)."),
);
export type EmailEventList = v.InferOutput<typeof EmailEventList>;
