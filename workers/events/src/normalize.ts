// SES's event JSON (event publishing through SNS) → Mailgrid's normalized events, in Resend's names.
// One SES event can name several recipients (a Delivery, a Bounce); each becomes its own event.
// Pure: no I/O, so every SES sample can be checked on its own.

export type EmailEventType =
  | 'email.sent'
  | 'email.delivered'
  | 'email.delivery_delayed'
  | 'email.bounced'
  | 'email.complained'
  | 'email.opened'
  | 'email.clicked'
  | 'email.failed';

export interface NormalizedEvent {
  type: EmailEventType;
  /** Bare address; null when SES does not say which recipient (a multi-recipient send, an open). */
  recipient: string | null;
  occurred_at: string;
  data: Record<string, unknown>;
  /**
   * What makes this event this event, from SES's own fields (never the SNS envelope): SNS redelivery
   * repeats it exactly, while two opens, or a bounce and a delivery, differ in it.
   */
  identity: string;
  /** Set when the recipient must go on the tenant's suppression list: the reason to record. */
  suppress?: string;
}

export interface SesNotification {
  ses_message_id: string;
  /** From the EmailTags the send worker attached; null when SES's event carries none. */
  tenant_id: string | null;
  email_id: string | null;
  /** Empty for events Mailgrid has nothing to record for (Subscription). */
  events: NormalizedEvent[];
}

export type ParseResult = { ok: true; value: SesNotification } | { ok: false; error: string };

type Json = Record<string, unknown>;

export function parseSesEvent(message: string): ParseResult {
  let root: unknown;
  try {
    root = JSON.parse(message);
  } catch {
    return { ok: false, error: 'message is not JSON' };
  }
  if (!isObject(root)) return { ok: false, error: 'message is not a JSON object' };
  // Event publishing says eventType; the older identity notifications say notificationType.
  const eventType = text(root.eventType) ?? text(root.notificationType);
  const mail = root.mail;
  if (!eventType || !isObject(mail)) return { ok: false, error: 'no eventType or mail' };
  const messageId = text(mail.messageId);
  const sentAt = text(mail.timestamp);
  if (!messageId || !sentAt) return { ok: false, error: 'mail has no messageId or timestamp' };
  const destination = Array.isArray(mail.destination) ? mail.destination.flatMap((a) => text(a) ?? []) : [];
  const only = destination.length === 1 ? bare(destination[0] as string) : null;
  const tags = isObject(mail.tags) ? mail.tags : {};
  const context: Context = { messageId, sentAt, only };
  const events = normalize(eventType, root, context);
  if (!events) return { ok: false, error: `unknown or incomplete ${eventType} event` };
  return {
    ok: true,
    value: {
      ses_message_id: messageId,
      tenant_id: firstTag(tags, 'mailgrid_tenant_id'),
      email_id: firstTag(tags, 'mailgrid_email_id'),
      events,
    },
  };
}

interface Context {
  messageId: string;
  sentAt: string;
  /** The recipient, when the message had exactly one. */
  only: string | null;
}

function normalize(eventType: string, root: Json, context: Context): NormalizedEvent[] | null {
  const event = (
    type: EmailEventType,
    recipient: string | null,
    at: string,
    data: Json,
    extra = '',
  ): NormalizedEvent => ({
    type,
    recipient,
    occurred_at: at,
    data,
    identity: [context.messageId, eventType, type, recipient ?? '', at, extra].join('|'),
  });
  switch (eventType) {
    case 'Send':
      // SES's id for the copy: the send worker settles a send whose answer it lost from this.
      return [event('email.sent', context.only, context.sentAt, { ses_message_id: context.messageId })];
    case 'Delivery': {
      const delivery = object(root.delivery);
      if (!delivery) return null;
      const at = text(delivery.timestamp) ?? context.sentAt;
      return addresses(delivery.recipients).map((recipient) =>
        event('email.delivered', recipient, at, {
          smtp_response: text(delivery.smtpResponse) ?? null,
          processing_time_ms:
            typeof delivery.processingTimeMillis === 'number' ? delivery.processingTimeMillis : null,
          reporting_mta: text(delivery.reportingMTA) ?? null,
        }),
      );
    }
    case 'Bounce': {
      const bounce = object(root.bounce);
      if (!bounce || !Array.isArray(bounce.bouncedRecipients)) return null;
      const bounceType = text(bounce.bounceType) ?? 'Undetermined';
      const subType = text(bounce.bounceSubType) ?? 'Undetermined';
      const at = text(bounce.timestamp) ?? context.sentAt;
      const feedbackId = text(bounce.feedbackId) ?? '';
      return bounce.bouncedRecipients.flatMap((entry) => {
        const recipient = isObject(entry) ? addressOf(entry.emailAddress) : null;
        if (!recipient || !isObject(entry)) return [];
        const normalized = event(
          'email.bounced',
          recipient,
          at,
          {
            bounce_type: bounceType,
            bounce_subtype: subType,
            action: text(entry.action) ?? null,
            status: text(entry.status) ?? null,
            diagnostic_code: text(entry.diagnosticCode) ?? null,
            reporting_mta: text(bounce.reportingMTA) ?? null,
            feedback_id: feedbackId || null,
          },
          feedbackId,
        );
        // Only a hard bounce says the address is gone; a transient one may deliver tomorrow.
        if (bounceType === 'Permanent') normalized.suppress = `bounce:Permanent/${subType}`;
        return [normalized];
      });
    }
    case 'Complaint': {
      const complaint = object(root.complaint);
      if (!complaint || !Array.isArray(complaint.complainedRecipients)) return null;
      const at = text(complaint.timestamp) ?? context.sentAt;
      const feedbackId = text(complaint.feedbackId) ?? '';
      const feedbackType = text(complaint.complaintFeedbackType) ?? null;
      return complaint.complainedRecipients.flatMap((entry) => {
        const recipient = isObject(entry) ? addressOf(entry.emailAddress) : null;
        if (!recipient) return [];
        const normalized = event(
          'email.complained',
          recipient,
          at,
          {
            feedback_type: feedbackType,
            complaint_subtype: text(complaint.complaintSubType) ?? null,
            user_agent: text(complaint.userAgent) ?? null,
            feedback_id: feedbackId || null,
          },
          feedbackId,
        );
        // A "not-spam" report is the recipient taking a complaint back, not making one.
        if (feedbackType !== 'not-spam') normalized.suppress = 'complaint';
        return [normalized];
      });
    }
    case 'DeliveryDelay': {
      const delay = object(root.deliveryDelay);
      if (!delay || !Array.isArray(delay.delayedRecipients)) return null;
      const at = text(delay.timestamp) ?? context.sentAt;
      return delay.delayedRecipients.flatMap((entry) => {
        const recipient = isObject(entry) ? addressOf(entry.emailAddress) : null;
        if (!recipient || !isObject(entry)) return [];
        return [
          event('email.delivery_delayed', recipient, at, {
            delay_type: text(delay.delayType) ?? null,
            expiration_time: text(delay.expirationTime) ?? null,
            status: text(entry.status) ?? null,
            diagnostic_code: text(entry.diagnosticCode) ?? null,
            reporting_mta: text(delay.reportingMTA) ?? null,
          }),
        ];
      });
    }
    case 'Reject': {
      const reject = object(root.reject);
      const reason = text(reject?.reason) ?? 'Rejected by SES';
      return [event('email.failed', context.only, context.sentAt, { reason: `rejected: ${reason}` })];
    }
    case 'Rendering Failure':
    case 'RenderingFailure': {
      const failure = object(root.failure);
      const reason = text(failure?.errorMessage) ?? 'Rendering failure';
      return [
        event('email.failed', context.only, context.sentAt, {
          reason: `rendering failure: ${reason}`,
          template_name: text(failure?.templateName) ?? null,
        }),
      ];
    }
    case 'Open': {
      const open = object(root.open);
      if (!open) return null;
      const at = text(open.timestamp) ?? context.sentAt;
      return [
        event('email.opened', context.only, at, {
          user_agent: text(open.userAgent) ?? null,
          ip_address: text(open.ipAddress) ?? null,
        }),
      ];
    }
    case 'Click': {
      const click = object(root.click);
      const link = text(click?.link);
      if (!click || !link) return null;
      const at = text(click.timestamp) ?? context.sentAt;
      return [
        event(
          'email.clicked',
          context.only,
          at,
          {
            link,
            link_tags: isObject(click.linkTags) ? click.linkTags : {},
            user_agent: text(click.userAgent) ?? null,
            ip_address: text(click.ipAddress) ?? null,
          },
          link,
        ),
      ];
    }
    case 'Subscription':
      // SES-managed contact lists, which Mailgrid does not use: nothing to record.
      return [];
    default:
      return null;
  }
}

function firstTag(tags: Json, name: string): string | null {
  // SES sends each tag as an array of values.
  const value = tags[name];
  const first = Array.isArray(value) ? value[0] : value;
  return text(first) ?? null;
}

function addresses(value: unknown): string[] {
  return Array.isArray(value) ? value.flatMap((entry) => addressOf(entry) ?? []) : [];
}

function addressOf(value: unknown): string | null {
  const raw = text(value);
  return raw ? bare(raw) : null;
}

/** `"Ada" <ada@x.test>` → `ada@x.test`, lower-cased like the suppression list keeps them. */
function bare(address: string): string {
  const angled = /<([^>]+)>\s*$/.exec(address);
  return (angled?.[1] ?? address).trim().toLowerCase();
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function object(value: unknown): Json | undefined {
  return isObject(value) ? value : undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
