// Contact, domain, suppression and topic events for the tenant's webhooks. After a change commits,
// one read finds the enabled webhooks subscribed to the event type (nothing more when there is none);
// each gets a delivery row, and each row a message on WEBHOOKS_QUEUE. From there the events worker's
// deliverer signs, sends and retries it, the sweeper re-queues a lost message (the row is pending
// and due) and replay works, exactly as for email events.
import type { WebhookDeliverMessage, WebhookEventType } from '@mailgrid/contracts';
import { createDb, nowIso, resourceDeliveryInsert, runBatch, subscribedWebhooks } from '@mailgrid/db';
import type { Env } from './env';

export interface ResourceEvent {
  type: WebhookEventType;
  /** The payload's `data`, or how to read it: read only when a webhook wants the event. */
  data: object | (() => Promise<object>);
}

/**
 * Never throws: the change it reports is committed, and a webhook that cannot be told must not turn
 * the caller's success into an error (it is logged, by type and tenant, never the payload).
 */
export async function emitWebhookEvents(env: Env, tenantId: string, events: ResourceEvent[]): Promise<void> {
  if (events.length === 0) return;
  try {
    const db = createDb(env.DB);
    const webhooks = await subscribedAny(env, tenantId, events);
    if (webhooks.length === 0) return;
    const createdAt = nowIso();
    const queries = [];
    const messages: WebhookDeliverMessage[] = [];
    for (const event of events) {
      if (!webhooks.some((webhook) => webhook.types.includes(event.type))) continue;
      const data = typeof event.data === 'function' ? await event.data() : event.data;
      const payload = JSON.stringify({ type: event.type, created_at: createdAt, data });
      const eventId = `${event.type}:${crypto.randomUUID()}`;
      for (const webhook of webhooks) {
        if (!webhook.types.includes(event.type)) continue;
        const id = `msg_${crypto.randomUUID().replaceAll('-', '')}`;
        queries.push(
          resourceDeliveryInsert(db, tenantId, {
            id,
            webhook_id: webhook.id,
            event_id: eventId,
            type: event.type,
            payload,
            created_at: createdAt,
          }),
        );
        messages.push({
          kind: 'webhook.deliver',
          tenant_id: tenantId,
          delivery_id: id,
          retry: 0,
          attempts: 0,
        });
      }
    }
    if (queries.length === 0) return;
    await runBatch(env.DB, queries);
    // The rows are committed: a failed send leaves them pending and due, which the sweeper re-queues.
    for (let start = 0; start < messages.length; start += 100) {
      await env.WEBHOOKS_QUEUE.sendBatch(messages.slice(start, start + 100).map((body) => ({ body })));
    }
  } catch (err) {
    console.error(
      JSON.stringify({
        worker: 'admin',
        error: `webhook events not recorded: ${String(err)}`,
        tenant_id: tenantId,
        types: events.map((event) => event.type),
      }),
    );
  }
}

export function emitWebhookEvent(
  env: Env,
  tenantId: string,
  type: WebhookEventType,
  data: ResourceEvent['data'],
) {
  return emitWebhookEvents(env, tenantId, [{ type, data }]);
}

/** Whether any enabled webhook of the tenant subscribes to `type` (to read what a delete removes first). */
export async function wantsWebhookEvent(
  env: Env,
  tenantId: string,
  type: WebhookEventType,
): Promise<boolean> {
  try {
    return (await subscribedWebhooks(createDb(env.DB), tenantId, type)).length > 0;
  } catch {
    return false;
  }
}

/** One read for all the events: the tenant's enabled webhooks subscribed to any of their types. */
async function subscribedAny(env: Env, tenantId: string, events: ResourceEvent[]) {
  const db = createDb(env.DB);
  const types = new Set(events.map((event) => event.type));
  const rows = await subscribedWebhooks(db, tenantId, null);
  return rows
    .map((row) => ({
      id: row.id,
      types: (JSON.parse(row.events) as string[]).filter((t) => types.has(t as WebhookEventType)),
    }))
    .filter((row) => row.types.length > 0);
}
