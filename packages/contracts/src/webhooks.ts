// Resend's Webhooks API (POST/GET /webhooks, GET/PATCH/DELETE /webhooks/:id) plus Mailgrid's
// deliveries and replay, and the webhook queue's message. Deliveries are signed per Standard Webhooks.
import * as v from 'valibot';
import type { QueueMessageBase } from './queues';

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

const Endpoint = v.pipe(v.string(), v.trim(), v.maxLength(2048), v.url('endpoint must be a URL'));
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
export interface CreateWebhookResponse {
  object: 'webhook';
  id: string;
  signing_secret: string;
}

export interface WebhookObject {
  object: 'webhook';
  id: string;
  endpoint: string;
  events: string[];
  status: 'enabled' | 'disabled';
  /** Mailgrid extra: why Mailgrid disabled it (the receiver answered 410 Gone), else null. */
  disabled_reason: string | null;
  created_at: string;
}

export interface WebhookList {
  object: 'list';
  has_more: boolean;
  data: WebhookObject[];
}

export interface DeletedWebhook {
  object: 'webhook';
  id: string;
  deleted: true;
}

export interface WebhookAttemptObject {
  attempt: number;
  /** Null when no response came: timeout, network error, or an endpoint refused before fetching. */
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  at: string;
}

export interface WebhookDeliveryObject {
  object: 'webhook_delivery';
  /** The `webhook-id` header of every attempt. */
  id: string;
  webhook_id: string;
  event_type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: WebhookAttemptObject[];
  next_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface WebhookDeliveryList {
  object: 'list';
  has_more: boolean;
  data: WebhookDeliveryObject[];
}

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
