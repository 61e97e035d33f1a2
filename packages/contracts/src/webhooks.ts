// Resend's Webhooks API (POST/GET /webhooks, GET/PATCH/DELETE /webhooks/:id, the signing-secret
// rotation, and the delivery log: /webhooks/:id/events[/:event_id[/attempts|/replay]]), and the
// webhook queue's message. Deliveries are signed per Standard Webhooks.
import * as v from 'valibot';
import { pageQuery, TextId } from './paging';
import { MACHINE_REASONS, type QueueMessageBase } from './queues';
import { DeletedRef, ListOf } from './shapes';
import { NoControlChars } from './text';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './webhook-event-types';

export { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './webhook-event-types';

// The URL parser quietly drops tabs and line breaks, so a URL is refused with them rather than changed.
const Endpoint = v.pipe(
  v.string(),
  NoControlChars,
  v.trim(),
  v.maxLength(2048),
  v.url('endpoint must be a URL'),
);
const Events = v.pipe(
  v.array(v.picklist(WEBHOOK_EVENT_TYPES, `events must be among ${WEBHOOK_EVENT_TYPES.join(', ')}`)),
  v.minLength(1, 'events must name at least one event type'),
  // Stored once each, whatever the request repeated.
  v.transform((events) => [...new Set(events)]),
);

export const CreateWebhookRequest = v.strictObject({ endpoint: Endpoint, events: Events });
export type CreateWebhookRequest = v.InferOutput<typeof CreateWebhookRequest>;

export const UpdateWebhookRequest = v.strictObject({
  endpoint: v.optional(Endpoint),
  events: v.optional(Events),
  status: v.optional(v.picklist(['enabled', 'disabled'], 'status must be enabled or disabled')),
});
export type UpdateWebhookRequest = v.InferOutput<typeof UpdateWebhookRequest>;

export const CreateWebhookResponse = v.pipe(
  v.object({ object: v.literal('webhook'), id: v.string(), signing_secret: v.string() }),
  v.title('CreateWebhookResponse'),
  v.description('The new webhook and its signing secret (also shown by a retrieve).'),
);
export type CreateWebhookResponse = v.InferOutput<typeof CreateWebhookResponse>;

/** How long the secret a rotation replaces keeps signing deliveries beside the new one (as Resend). */
export const PREVIOUS_SECRET_OVERLAP_HOURS = 24;

export const RotatedWebhookSecret = v.pipe(
  v.object({
    object: v.literal('webhook'),
    id: v.string(),
    signing_secret: v.string(),
    /** Mailgrid extra: until when deliveries are also signed with the previous secret. */
    previous_secret_expires_at: v.string(),
  }),
  v.title('RotatedWebhookSecret'),
  v.description(
    `The new signing secret. For ${PREVIOUS_SECRET_OVERLAP_HOURS} hours every delivery carries a signature by it and one by the previous secret, so either verifies; then only the new one.`,
  ),
);
export type RotatedWebhookSecret = v.InferOutput<typeof RotatedWebhookSecret>;

export const WebhookObject = v.pipe(
  v.object({
    object: v.literal('webhook'),
    id: v.string(),
    endpoint: v.string(),
    events: v.array(v.string()),
    status: v.picklist(['enabled', 'disabled']),
    /** Mailgrid extra: why Mailgrid disabled it (the receiver answered 410 Gone), else null. */
    disabled_reason: v.nullable(v.string()),
    created_at: v.string(),
  }),
  v.title('WebhookObject'),
  v.description('An endpoint that receives the event types it subscribed to.'),
);
export type WebhookObject = v.InferOutput<typeof WebhookObject>;

/** A retrieve answers with the signing secret too (Resend does); a list never does. */
export const WebhookDetail = v.pipe(
  v.object({ ...WebhookObject.pipe[0].entries, signing_secret: v.string() }),
  v.title('WebhookDetail'),
  v.description('A webhook with its current signing secret.'),
);
export type WebhookDetail = v.InferOutput<typeof WebhookDetail>;

export const WebhookList = v.pipe(
  ListOf(WebhookObject),
  v.title('WebhookList'),
  v.description('A page of webhooks.'),
);
export type WebhookList = v.InferOutput<typeof WebhookList>;

export const DeletedWebhook = DeletedRef('webhook');
export type DeletedWebhook = v.InferOutput<typeof DeletedWebhook>;

/**
 * Resend's event statuses for a webhook's delivery log: `pending` (queued, not yet tried),
 * `attempting` (tried, a retry is scheduled), `success`, `failed` (retries spent, or not sendable).
 */
export const WEBHOOK_EVENT_STATUSES = ['success', 'pending', 'failed', 'attempting'] as const;
export type WebhookEventStatus = (typeof WEBHOOK_EVENT_STATUSES)[number];

const WebhookEventLogEntries = {
  /** The delivery's id: the `webhook-id` header of each of its attempts. */
  id: v.string(),
  type: v.picklist(WEBHOOK_EVENT_TYPES),
  created_at: v.string(),
  status: v.picklist(WEBHOOK_EVENT_STATUSES),
  /** Mailgrid extra: how many attempts were made. */
  attempts: v.number(),
};

export const WebhookEventLog = v.pipe(
  v.object(WebhookEventLogEntries),
  v.title('WebhookEventLog'),
  v.description('One event sent (or being sent) to a webhook.'),
);
export type WebhookEventLog = v.InferOutput<typeof WebhookEventLog>;

export const WebhookEventLogList = v.pipe(
  ListOf(WebhookEventLog),
  v.title('WebhookEventLogList'),
  v.description("A page of a webhook's events, newest first."),
);
export type WebhookEventLogList = v.InferOutput<typeof WebhookEventLogList>;

export const ListWebhookEventsQuery = pageQuery(
  TextId('A webhook event', /^msg_[0-9a-f]{32}$/, 'a webhook event id (msg_ and 32 hex digits)'),
);
export type ListWebhookEventsQuery = v.InferOutput<typeof ListWebhookEventsQuery>;

export const WebhookEventDetail = v.pipe(
  v.object({
    object: v.literal('webhook_event'),
    ...WebhookEventLogEntries,
    /** When the next attempt is due, while one is scheduled. */
    next_attempt_at: v.nullable(v.string()),
    /** The body every attempt sends (see WebhookEventPayload). */
    payload: v.record(v.string(), v.unknown()),
  }),
  v.title('WebhookEventDetail'),
  v.description('One event of a webhook with the payload its attempts send.'),
);
export type WebhookEventDetail = v.InferOutput<typeof WebhookEventDetail>;

export const WebhookEventAttempt = v.pipe(
  v.object({
    /** `<event id>-<attempt number>`. */
    id: v.string(),
    /** The receiver's status; 0 when no response came (timeout, network error, refused endpoint). */
    http_status_code: v.number(),
    /** The start of the receiver's answer to a failed attempt, or why there was none; empty on success. */
    response: v.string(),
    sent_at: v.string(),
    /** Mailgrid extras: the attempt's number (1 for the first) and how long it took. */
    attempt: v.number(),
    duration_ms: v.number(),
  }),
  v.title('WebhookEventAttempt'),
  v.description("One attempt to deliver an event: the receiver's answer, or why there was none."),
);
export type WebhookEventAttempt = v.InferOutput<typeof WebhookEventAttempt>;

export const WebhookEventAttemptList = v.pipe(
  ListOf(WebhookEventAttempt),
  v.title('WebhookEventAttemptList'),
  v.description("A page of an event's attempts, newest first."),
);
export type WebhookEventAttemptList = v.InferOutput<typeof WebhookEventAttemptList>;

export const ListWebhookEventAttemptsQuery = pageQuery(
  TextId('An attempt', /^msg_[0-9a-f]{32}-\d{1,3}$/, 'an attempt id (<event id>-<number>)'),
);
export type ListWebhookEventAttemptsQuery = v.InferOutput<typeof ListWebhookEventAttemptsQuery>;

export const ReplayedWebhookEvent = v.pipe(
  v.object({ object: v.literal('webhook_event'), id: v.string() }),
  v.title('ReplayedWebhookEvent'),
  v.description('The event, queued again: a new attempt, with the whole retry schedule.'),
);
export type ReplayedWebhookEvent = v.InferOutput<typeof ReplayedWebhookEvent>;

const Stamp = v.string();
const MaybeText = v.nullable(v.string());

/**
 * The JSON body POSTed to a webhook's endpoint for one event (Standard Webhooks, signed; Resend's
 * shape). Email events (built by workers/events/src/webhooks/payload.ts): `data` carries the email's
 * summary and, depending on `type`, one of the per-type objects (camelCase inside them, as Resend's).
 * Contact, domain, suppression and topic events carry the object as Resend's events do.
 */
const EmailEventPayload = v.object({
  type: v.picklist(WEBHOOK_EVENT_TYPES.filter((type) => type.startsWith('email.'))),
  /** When the event happened. */
  created_at: Stamp,
  data: v.object({
    email_id: v.string(),
    /** The Message-ID header of the email as sent (`<id@domain>`). */
    message_id: v.string(),
    from: v.string(),
    to: v.array(v.string()),
    subject: v.string(),
    /** When the email was accepted. */
    created_at: Stamp,
    /** Set when the event is about one recipient. */
    recipient: v.optional(v.string()),
    /** email.bounced */
    bounce: v.optional(v.object({ message: v.string(), type: v.string(), subType: v.string() })),
    /** email.clicked */
    click: v.optional(
      v.object({ link: v.string(), ipAddress: MaybeText, userAgent: MaybeText, timestamp: Stamp }),
    ),
    /** email.opened */
    open: v.optional(v.object({ ipAddress: MaybeText, userAgent: MaybeText, timestamp: Stamp })),
    /** email.complained */
    complaint: v.optional(v.object({ feedbackType: MaybeText })),
    /** email.failed */
    failed: v.optional(v.object({ reason: MaybeText })),
    /** email.unsubscribed */
    unsubscribe: v.optional(v.object({ topicId: MaybeText, timestamp: Stamp })),
    /** First-party opens, clicks and unsubscribes: whether a machine made them, and why. */
    machine: v.optional(v.boolean()),
    machine_reason: v.optional(v.nullable(v.picklist(MACHINE_REASONS))),
  }),
});

const resourcePayload = <const T extends WebhookEventType>(types: T[], data: v.ObjectEntries) =>
  v.object({ type: v.picklist(types), created_at: Stamp, data: v.object(data) });

/** A contact as contact.* events carry it (Resend's shape). */
export const ContactEventData = {
  id: v.string(),
  /** Resend's field; Mailgrid's contacts belong to the tenant, so the tenant's id. */
  audience_id: v.string(),
  segment_ids: v.array(v.string()),
  email: v.string(),
  first_name: MaybeText,
  last_name: MaybeText,
  unsubscribed: v.boolean(),
  created_at: Stamp,
  updated_at: Stamp,
};

export const WebhookEventPayload = v.pipe(
  v.union([
    EmailEventPayload,
    resourcePayload(['contact.created', 'contact.updated', 'contact.deleted'], ContactEventData),
    resourcePayload(['contact.topics.updated'], {
      email: v.string(),
      topics: v.array(v.object({ id: v.string(), subscription: v.picklist(['opt_in', 'opt_out']) })),
    }),
    resourcePayload(['domain.created', 'domain.updated', 'domain.deleted'], {
      id: v.string(),
      name: v.string(),
      status: v.string(),
      region: v.string(),
      records: v.array(v.record(v.string(), v.unknown())),
      created_at: Stamp,
    }),
    resourcePayload(['suppression.added', 'suppression.removed'], {
      id: v.string(),
      email: v.string(),
      origin: v.picklist(['bounce', 'complaint', 'manual']),
      /** The email whose bounce or complaint added it; null when added by hand. */
      source_id: MaybeText,
      created_at: Stamp,
    }),
    resourcePayload(['topic.created', 'topic.updated', 'topic.deleted'], {
      id: v.string(),
      name: v.string(),
      description: MaybeText,
      default_subscription: v.picklist(['opt_in', 'opt_out']),
      deleted: v.boolean(),
      created_at: Stamp,
      updated_at: Stamp,
    }),
  ]),
  v.title('WebhookEventPayload'),
  v.description('The body a webhook endpoint receives for one event, signed per Standard Webhooks.'),
);
export type WebhookEventPayload = v.InferOutput<typeof WebhookEventPayload>;

/** One delivery to attempt, on WEBHOOKS_QUEUE. */
export interface WebhookDeliverMessage extends QueueMessageBase {
  kind: 'webhook.deliver';
  tenant_id: string;
  delivery_id: string;
  /** How many retries of this run came before (0 for the first try and for a replay). */
  retry?: number;
  /**
   * The delivery's attempt count when this message was sent: a copy of a message whose attempt has
   * been made since (queues deliver at least once) finds more attempts and sends nothing.
   */
  attempts?: number;
}

/**
 * Why Mailgrid will not call this endpoint, or null. Outside development: https only, and no
 * localhost or private, loopback or link-local IP literal, so a tenant cannot aim Mailgrid's
 * fetches at internal addresses. A hostname that resolves to one is not caught here (no DNS in a
 * Worker); Cloudflare's egress does not reach private networks anyway.
 */
export function endpointProblem(endpoint: string, environment: string): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'endpoint must be a URL';
  }
  if (url.username || url.password) return 'endpoint must not carry credentials';
  if (environment === 'development') {
    return url.protocol === 'https:' || url.protocol === 'http:' ? null : 'endpoint must be http(s)';
  }
  if (url.protocol !== 'https:') return 'endpoint must be https';
  if (isInternalHost(url.hostname)) return 'endpoint must not be localhost or a private address';
  return null;
}

/** `hostname` as the URL parser leaves it: lower-case, IPv4 in dotted decimal, IPv6 in brackets. */
function isInternalHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
  if (hostname.startsWith('[')) return isInternalIpv6(hostname.slice(1, -1));
  const octets = hostname.split('.');
  if (octets.length !== 4 || !octets.every((octet) => /^\d{1,3}$/.test(octet))) return false;
  return isInternalIpv4(octets.map(Number) as [number, number, number, number]);
}

function isInternalIpv4([a, b]: [number, number, number, number]): boolean {
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  );
}

function isInternalIpv6(address: string): boolean {
  if (address === '::' || address === '::1') return true;
  // IPv4-mapped (::ffff:7f00:1 once the parser has rewritten ::ffff:127.0.0.1): judge the IPv4 part.
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(address);
  if (mapped) {
    const high = Number.parseInt(mapped[1] as string, 16);
    const low = Number.parseInt(mapped[2] as string, 16);
    return isInternalIpv4([high >> 8, high & 255, low >> 8, low & 255]);
  }
  const first = Number.parseInt(address.split(':')[0] || '0', 16);
  // fc00::/7 unique local, fe80::/10 link-local, ff00::/8 multicast.
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00;
}
