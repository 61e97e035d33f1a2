// The end every events batch shares, SES notifications, tracking hits and send failures alike: ONE
// D1 batch (one transaction, one round trip: acked when it commits, every message retried when D1
// refuses it) of a handful of multi-row statements, whatever the batch's size — the events' insert
// (RETURNING the ones really new), the suppressions, every email's last_event move, the day counters,
// the webhook deliveries (RETURNING the ones created) and, for the SES path, the reputation
// guardrail's reads of the streams touched. Once it commits, each delivery created is queued.
import type { EventCountersRow, ReputationStateRow } from '@mailgrid/db';
import { runBatch } from '@mailgrid/db';
import {
  advanceLastEvents,
  type BatchEmail,
  type BatchEvent,
  type BatchSuppression,
  type BatchWebhook,
  countEventRows,
  insertDeliveryRows,
  insertEventRows,
  insertSuppressionRows,
  type LastEventMove,
  readReputationInputs,
  type StreamRef,
} from '@mailgrid/db/cross-tenant';
import type { Env } from './env';
import { refKey } from './known-emails';
import { furthest, movableFrom } from './status';
import { planDeliveries, queueCreated } from './webhooks/enqueue';
import type { PayloadEvent } from './webhooks/payload';

export type Log = (level: 'warn' | 'error', fields: Record<string, unknown>) => void;

/** An event the batch stores: its row, what a webhook payload says of it, its email. */
export interface NewEvent {
  row: BatchEvent;
  payload: PayloadEvent;
  email: BatchEmail;
  /** The last_event value it moves its email to (forward only), or null (machine hits, unsubscribes). */
  reaches: string | null;
}

export interface EventBatch<Body> {
  events: NewEvent[];
  /** Suppressions to add with the events: each one actually added tells the tenant's webhooks. */
  suppressions?: BatchSuppression[];
  /** The messages whose events are in `events`. */
  written: Message<Body>[];
  webhooks: BatchWebhook[];
  /** Read the reputation guardrail's inputs for these streams, over days [from, to], in the same batch. */
  reputation?: { streams: StreamRef[]; from: string; to: string };
}

export interface Committed {
  /** The events not stored before (a redelivered copy is not). */
  stored: NewEvent[];
  reputation: { states: ReputationStateRow[]; counters: EventCountersRow[] };
}

/** What the batch committed, or null when D1 refused it (every written message is then retried). */
export async function commitEventBatch<Body>(
  env: Env,
  d1: D1Database,
  batch: EventBatch<Body>,
  counts: { stored: number; webhook_deliveries: number },
  log: Log,
): Promise<Committed | null> {
  const inserts = insertEventRows(batch.events.map((event) => event.row));
  const suppressions = insertSuppressionRows(batch.suppressions ?? []);
  const moves = advanceLastEvents(lastEventMoves(batch.events));
  // After the inserts: a duplicate's fresh id was never stored, so it is not counted.
  const counters = countEventRows(
    batch.events.map((event) => ({ ...event.row, stream: event.email.stream })),
  );
  const deliveries = planDeliveries(
    batch.webhooks,
    batch.events.map(({ row, payload, email }) => ({ ...row, event: payload, email })),
    batch.suppressions,
  );
  const deliveryInserts = insertDeliveryRows(deliveries.rows);
  const reputationReads = batch.reputation
    ? readReputationInputs(batch.reputation.streams, batch.reputation.from, batch.reputation.to)
    : [];
  const queries = [
    ...inserts,
    ...suppressions,
    ...moves,
    ...counters,
    ...deliveryInserts,
    ...reputationReads,
  ];

  let results: D1Result[];
  try {
    results = await runBatch(d1, queries);
    for (const message of batch.written) message.ack();
  } catch (err) {
    log('error', { error: `d1 batch failed: ${String(err)}`, messages: batch.written.length });
    for (const message of batch.written) message.retry({ delaySeconds: 10 });
    return null;
  }
  const returned = (from: number, count: number) =>
    results.slice(from, from + count).flatMap((result) => (result.results ?? []) as { id: string }[]);
  const newIds = new Set(returned(0, inserts.length).map((row) => row.id));
  const stored = batch.events.filter((event) => newIds.has(event.row.id));
  counts.stored += stored.length;

  const firstDelivery = inserts.length + suppressions.length + moves.length + counters.length;
  const created = returned(firstDelivery, deliveryInserts.length).map((row) => row.id);
  if (created.length > 0) {
    try {
      counts.webhook_deliveries += await queueCreated(env.WEBHOOKS_QUEUE, deliveries.messages, created);
    } catch (err) {
      // The events and deliveries are committed, so retrying the messages would find them all
      // duplicates and queue nothing: the deliveries stay pending (the sweeper queues them again
      // once stranded), logged here by id.
      log('error', { error: `webhooks queue send failed: ${String(err)}`, deliveries: created });
    }
  }
  const firstRead = firstDelivery + deliveryInserts.length;
  return {
    stored,
    reputation: {
      states: (results[firstRead]?.results ?? []) as ReputationStateRow[],
      counters: (results[firstRead + 1]?.results ?? []) as EventCountersRow[],
    },
  };
}

/** Per email, one move: to the furthest rung this batch's events reach, and only forward. */
function lastEventMoves(events: NewEvent[]): LastEventMove[] {
  const reached = new Map<string, { tenant_id: string; email_id: string; values: string[] }>();
  for (const { row, reaches } of events) {
    if (!reaches) continue;
    const key = refKey(row.tenant_id, row.email_id);
    const entry = reached.get(key) ?? { tenant_id: row.tenant_id, email_id: row.email_id, values: [] };
    entry.values.push(reaches);
    reached.set(key, entry);
  }
  return [...reached.values()].flatMap(({ tenant_id, email_id, values }) => {
    const to = furthest(values);
    return to ? [{ tenant_id, email_id, to, from: movableFrom(to) }] : [];
  });
}
