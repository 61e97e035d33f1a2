// Resend's Webhooks API (POST/GET /webhooks, GET/PATCH/DELETE /webhooks/:id) plus Mailgrid's
// deliveries and replay, and the webhook queue's message. Deliveries are signed per Standard Webhooks.
import * as v from 'valibot';
import { MACHINE_REASONS, type QueueMessageBase } from './queues';
import { DeletedRef, ListOf } from './shapes';
import { NoControlChars } from './text';

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
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

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

/** Only the create answers with the secret: it is never shown again. */
export const CreateWebhookResponse = v.pipe(
  v.object({ object: v.literal('webhook'), id: v.string(), signing_secret: v.string() }),
  v.title('CreateWebhookResponse'),
  v.description('The new webhook and its signing secret, which is shown in this answer only.'),
);
export type CreateWebhookResponse = v.InferOutput<typeof CreateWebhookResponse>;

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

export const WebhookList = v.pipe(
  ListOf(WebhookObject),
  v.title('WebhookList'),
  v.description('A page of webhooks.'),
);
export type WebhookList = v.InferOutput<typeof WebhookList>;

export const DeletedWebhook = DeletedRef('webhook');
export type DeletedWebhook = v.InferOutput<typeof DeletedWebhook>;

export const WebhookAttemptObject = v.pipe(
  v.object({
    attempt: v.number(),
    /** Null when no response came: timeout, network error, or an endpoint refused before fetching. */
    status_code: v.nullable(v.number()),
    error: v.nullable(v.string()),
    duration_ms: v.number(),
    at: v.string(),
  }),
  v.title('WebhookAttemptObject'),
  v.description("One attempt to deliver: the receiver's status code, or why there was none."),
);
export type WebhookAttemptObject = v.InferOutput<typeof WebhookAttemptObject>;

export const WebhookDeliveryObject = v.pipe(
  v.object({
    object: v.literal('webhook_delivery'),
    /** The `webhook-id` header of every attempt. */
    id: v.string(),
    webhook_id: v.string(),
    event_type: v.string(),
    status: v.picklist(['pending', 'delivered', 'failed']),
    attempts: v.array(WebhookAttemptObject),
    next_attempt_at: v.nullable(v.string()),
    created_at: v.string(),
    delivered_at: v.nullable(v.string()),
  }),
  v.title('WebhookDeliveryObject'),
  v.description('One event delivered (or being delivered) to a webhook, with its attempts.'),
);
export type WebhookDeliveryObject = v.InferOutput<typeof WebhookDeliveryObject>;

export const WebhookDeliveryList = v.pipe(
  ListOf(WebhookDeliveryObject),
  v.title('WebhookDeliveryList'),
  v.description("A page of a webhook's deliveries, newest first."),
);
export type WebhookDeliveryList = v.InferOutput<typeof WebhookDeliveryList>;

const Stamp = v.string();
const MaybeText = v.nullable(v.string());

/**
 * The JSON body POSTed to a webhook's endpoint for one event (Standard Webhooks, signed; Resend's
 * shape), built by workers/events/src/webhooks/payload.ts. `data` carries the email's summary and,
 * depending on `type`, one of the per-type objects (camelCase inside them, as Resend's).
 */
export const WebhookEventPayload = v.pipe(
  v.object({
    type: v.picklist(WEBHOOK_EVENT_TYPES),
    /** When the event happened. */
    created_at: Stamp,
    data: v.object({
      email_id: v.string(),
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
  }),
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
