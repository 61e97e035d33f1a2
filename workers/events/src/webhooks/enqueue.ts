// From a batch of events about to be stored to the webhook deliveries they cause. The deliveries go
// in the consumer's D1 batch as one multi-row insert (insertDeliveryRows) after the events': each
// row is written only if its event's insert really happened (a duplicate event adds no delivery) and
// skips a (webhook, event) pair already there, so events and their deliveries commit together. Its
// RETURNING names the deliveries created; after the commit, each of those is queued.
// Suppressions the batch adds (hard bounces, complaints) become `suppression.added` deliveries the
// same way: each is conditional on the suppression's own insert having happened.
import { suppressionOrigin, type WebhookDeliverMessage } from '@mailgrid/contracts';
import type { BatchDelivery, BatchSuppression, BatchWebhook } from '@mailgrid/db/cross-tenant';
import { type PayloadEmail, type PayloadEvent, webhookPayload } from './payload';

/** An event of the batch as a webhook sees it: its stored key, what it says, and its email. */
export interface PlannedEvent {
  id: string;
  tenant_id: string;
  email_id: string;
  dedupe_key: string;
  event: PayloadEvent;
  email: PayloadEmail;
}

export interface PlannedDeliveries {
  rows: BatchDelivery[];
  /** By delivery id: the queue message to send once its row is known to be created. */
  messages: Map<string, WebhookDeliverMessage>;
}

/** No D1 read: the batch's context already holds its tenants' enabled webhooks. */
export function planDeliveries(
  webhooks: BatchWebhook[],
  events: PlannedEvent[],
  suppressions: BatchSuppression[] = [],
  createdAt = new Date().toISOString(),
): PlannedDeliveries {
  const planned: PlannedDeliveries = { rows: [], messages: new Map() };
  if (webhooks.length === 0) return planned;
  const types = new Map(
    webhooks.map((webhook) => [webhook.id, new Set(JSON.parse(webhook.events) as string[])]),
  );
  const subscribed = (tenantId: string, type: string) =>
    webhooks.filter((webhook) => webhook.tenant_id === tenantId && types.get(webhook.id)?.has(type));
  const add = (row: BatchDelivery) => {
    planned.rows.push(row);
    planned.messages.set(row.id, {
      kind: 'webhook.deliver',
      tenant_id: row.tenant_id,
      delivery_id: row.id,
      retry: 0,
      attempts: 0,
    });
  };
  for (const suppression of suppressions) {
    const type = 'suppression.added';
    const hooks = subscribed(suppression.tenant_id, type);
    if (hooks.length === 0) continue;
    const payload = JSON.stringify({
      type,
      created_at: suppression.created_at,
      data: {
        id: suppression.id,
        email: suppression.email,
        origin: suppressionOrigin(suppression.reason),
        source_id: suppression.source_id,
        created_at: suppression.created_at,
      },
    });
    for (const webhook of hooks) {
      add({
        id: deliveryId(),
        tenant_id: suppression.tenant_id,
        webhook_id: webhook.id,
        event_id: `${type}:${suppression.id}`,
        type,
        payload,
        created_at: suppression.created_at,
        suppression_id: suppression.id,
      });
    }
  }
  for (const planned of events) {
    const hooks = subscribed(planned.tenant_id, planned.event.type);
    if (hooks.length === 0) continue;
    const payload = webhookPayload(planned.event, planned.email);
    for (const webhook of hooks) {
      add({
        id: deliveryId(),
        tenant_id: planned.tenant_id,
        webhook_id: webhook.id,
        event_id: planned.id,
        type: planned.event.type,
        payload,
        created_at: createdAt,
        event: { email_id: planned.email_id, dedupe_key: planned.dedupe_key, id: planned.id },
      });
    }
  }
  return planned;
}

/** Standard Webhooks' ids are opaque strings; `msg_` keeps them recognizable in a receiver's logs. */
function deliveryId(): string {
  return `msg_${crypto.randomUUID().replaceAll('-', '')}`;
}

/** Queues the deliveries whose row the batch created (`created`: their ids, from RETURNING). */
export async function queueCreated(
  queue: Queue<WebhookDeliverMessage>,
  messages: Map<string, WebhookDeliverMessage>,
  created: Iterable<string>,
): Promise<number> {
  const bodies = [...created].flatMap((id) => {
    const message = messages.get(id);
    return message ? [message] : [];
  });
  // sendBatch takes at most 100 messages.
  for (let start = 0; start < bodies.length; start += 100) {
    await queue.sendBatch(bodies.slice(start, start + 100).map((body) => ({ body })));
  }
  return bodies.length;
}
