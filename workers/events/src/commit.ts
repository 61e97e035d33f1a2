// The end every events batch shares, SES notifications and tracking hits alike: after the event
// inserts, move each email's last_event forward, count the new events per day and plan the webhook
// deliveries, all in ONE D1 batch (one transaction: acked when it commits, every message retried when
// D1 refuses it); once it commits, each delivery it created is sent to WEBHOOKS_QUEUE.
import { advanceLastEvent, type Db, runBatch } from '@mailgrid/db';
import { countEvents } from '@mailgrid/db/cross-tenant';
import type { Env } from './env';
import { furthest, movableFrom } from './status';
import { planDeliveries, queueCreated, type StoredEvent, type StoredSuppression } from './webhooks/enqueue';

export type Query = Parameters<typeof runBatch>[1][number];
export type Log = (level: 'warn' | 'error', fields: Record<string, unknown>) => void;

export interface EventBatch<Body> {
  /** The event inserts, and anything that must commit with them (suppressions). */
  queries: Query[];
  stored: StoredEvent[];
  /** The suppressions in `queries`: each one actually added tells the tenant's webhooks. */
  suppressions?: StoredSuppression[];
  /** The messages whose events are in `queries`. */
  written: Message<Body>[];
  /** Per email, the last_event values this batch saw for it. */
  reached: Iterable<{ tenant_id: string; email_id: string; lastEvents: string[] }>;
}

/** The batch's D1 results, or null when D1 refused it (every written message is then retried). */
export async function commitEventBatch<Body>(
  env: Env,
  db: Db,
  d1: D1Database,
  batch: EventBatch<Body>,
  counts: { webhook_deliveries: number },
  log: Log,
): Promise<D1Result[] | null> {
  const queries = [...batch.queries];
  // One conditional update per email: to the furthest event this batch saw for it, and only forward.
  for (const { tenant_id, email_id, lastEvents } of batch.reached) {
    const to = furthest(lastEvents);
    if (to) queries.push(advanceLastEvent(db, tenant_id, email_id, to, movableFrom(to)));
  }
  // The day counters, after the inserts: a duplicate's fresh id was never stored, so it is not counted.
  queries.push(
    ...countEvents(
      db,
      batch.stored.map((event) => event.id),
    ),
  );
  const deliveries = await planDeliveries(db, batch.stored, batch.suppressions);
  const firstDelivery = queries.length;
  queries.push(...deliveries.queries);

  let results: D1Result[] | null = null;
  try {
    results = queries.length > 0 ? await runBatch(d1, queries) : [];
    for (const message of batch.written) message.ack();
  } catch (err) {
    log('error', { error: `d1 batch failed: ${String(err)}`, messages: batch.written.length });
    for (const message of batch.written) message.retry({ delaySeconds: 10 });
  }
  if (results && deliveries.messages.length > 0) {
    try {
      const changes = results.slice(firstDelivery).map((result) => result.meta.changes ?? 0);
      counts.webhook_deliveries = await queueCreated(env.WEBHOOKS_QUEUE, deliveries.messages, changes);
    } catch (err) {
      // The events and deliveries are committed, so retrying the messages would find them all
      // duplicates and queue nothing: the deliveries stay pending, logged here by id.
      log('error', {
        error: `webhooks queue send failed: ${String(err)}`,
        deliveries: deliveries.messages.map((message) => message.delivery_id),
      });
    }
  }
  return results;
}
