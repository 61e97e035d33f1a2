// From a batch of events about to be stored to the webhook deliveries they cause. The delivery
// inserts join the consumer's D1 batch: each copies its row only if its event's insert really
// happened (a duplicate event adds no delivery) and skips a (webhook, event) pair already there, so
// events and their deliveries commit together. After the commit, each delivery created is queued.
// Suppressions the batch adds (hard bounces, complaints) become `suppression.added` deliveries the
// same way: each insert is conditional on the suppression's own insert having happened.
import { suppressionOrigin, type WebhookDeliverMessage } from '@mailgrid/contracts';
import { type Db, deliveryInsert, nowIso, suppressionDeliveryInsert } from '@mailgrid/db';
import { findEmailSummaries, findEnabledWebhooks } from '@mailgrid/db/cross-tenant';
import { type PayloadEvent, webhookPayload } from './payload';

export interface StoredEvent extends PayloadEvent {
  id: string;
  tenant_id: string;
  email_id: string;
}

/** A suppression the batch inserts (if its address is not suppressed yet). */
export interface StoredSuppression {
  id: string;
  tenant_id: string;
  email: string;
  reason: string;
  /** The email whose bounce or complaint caused it. */
  source_id: string;
  created_at: string;
}

export interface PlannedDeliveries {
  queries: (ReturnType<typeof deliveryInsert> | ReturnType<typeof suppressionDeliveryInsert>)[];
  /** One per query, in the same order. */
  messages: WebhookDeliverMessage[];
}

/** Two reads at most, and none for a batch whose tenants have no enabled webhook. */
export async function planDeliveries(
  db: Db,
  events: StoredEvent[],
  suppressions: StoredSuppression[] = [],
): Promise<PlannedDeliveries> {
  const planned: PlannedDeliveries = { queries: [], messages: [] };
  const tenants = new Set([...events, ...suppressions].map((item) => item.tenant_id));
  const webhooks = await findEnabledWebhooks(db, [...tenants]);
  if (webhooks.length === 0) return planned;
  const subscribed = (event: { tenant_id: string; type: string }) =>
    webhooks.filter(
      (webhook) =>
        webhook.tenant_id === event.tenant_id &&
        (JSON.parse(webhook.events) as string[]).includes(event.type),
    );
  planSuppressionDeliveries(db, planned, suppressions, subscribed);
  const wanted = events.filter((event) => subscribed(event).length > 0);
  const refs = [
    ...new Map(
      wanted.map((e) => [`${e.tenant_id}/${e.email_id}`, { tenant_id: e.tenant_id, id: e.email_id }]),
    ).values(),
  ];
  const emails = new Map(
    (await findEmailSummaries(db, refs)).map((row) => [`${row.tenant_id}/${row.id}`, row]),
  );
  const createdAt = nowIso();
  for (const event of wanted) {
    const email = emails.get(`${event.tenant_id}/${event.email_id}`);
    if (!email) continue;
    const payload = webhookPayload(event, email);
    for (const webhook of subscribed(event)) {
      // Standard Webhooks' ids are opaque strings; `msg_` keeps them recognizable in a receiver's logs.
      const id = `msg_${crypto.randomUUID().replaceAll('-', '')}`;
      planned.queries.push(
        deliveryInsert(db, event.tenant_id, {
          id,
          webhook_id: webhook.id,
          event_id: event.id,
          type: event.type,
          payload,
          created_at: createdAt,
        }),
      );
      planned.messages.push({
        kind: 'webhook.deliver',
        tenant_id: event.tenant_id,
        delivery_id: id,
        retry: 0,
        attempts: 0,
      });
    }
  }
  return planned;
}

function planSuppressionDeliveries(
  db: Db,
  planned: PlannedDeliveries,
  suppressions: StoredSuppression[],
  subscribed: (event: { tenant_id: string; type: string }) => { id: string }[],
) {
  const type = 'suppression.added';
  for (const suppression of suppressions) {
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
    for (const webhook of subscribed({ tenant_id: suppression.tenant_id, type })) {
      const id = `msg_${crypto.randomUUID().replaceAll('-', '')}`;
      planned.queries.push(
        suppressionDeliveryInsert(db, suppression.tenant_id, suppression.id, {
          id,
          webhook_id: webhook.id,
          event_id: `${type}:${suppression.id}`,
          type,
          payload,
          created_at: suppression.created_at,
        }),
      );
      planned.messages.push({
        kind: 'webhook.deliver',
        tenant_id: suppression.tenant_id,
        delivery_id: id,
        retry: 0,
        attempts: 0,
      });
    }
  }
}

/** Queues the deliveries whose insert wrote a row (`changes` of each, in plan order). */
export async function queueCreated(
  queue: Queue<WebhookDeliverMessage>,
  messages: WebhookDeliverMessage[],
  changes: number[],
): Promise<number> {
  const created = messages.filter((_, index) => (changes[index] ?? 0) > 0);
  // sendBatch takes at most 100 messages.
  for (let start = 0; start < created.length; start += 100) {
    await queue.sendBatch(created.slice(start, start + 100).map((body) => ({ body })));
  }
  return created.length;
}
