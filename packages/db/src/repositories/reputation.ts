// Per tenant/stream/day event counters (what stats and the reputation guardrail read, so neither
// scans events) and the guardrail's state per tenant and stream. Writes are returned as queries for
// the caller's D1 batch, except the guardrail's own updates.
import { sql } from 'kysely';
import type { Db } from '../client';
import type { EventCountersRow, ReputationStateRow, ReputationStatus } from '../schema';

/** D1 binds at most 100 parameters per statement. */
const IDS_PER_STATEMENT = 90;

const COUNTERS = [
  'sent',
  'delivered',
  'bounced',
  'soft_bounced',
  'complained',
  'opened',
  'clicked',
  'machine_opened',
  'machine_clicked',
  'delayed',
  'failed',
] as const;
export type CounterName = (typeof COUNTERS)[number];

/** Which counter an event row adds to (SQL over `e`, an events row). */
const COUNTED: Record<CounterName, ReturnType<typeof sql<number>>> = {
  sent: sql`e.type = 'email.sent'`,
  delivered: sql`e.type = 'email.delivered'`,
  bounced: sql`e.type = 'email.bounced' AND json_extract(e.data, '$.bounce_type') = 'Permanent'`,
  soft_bounced: sql`e.type = 'email.bounced' AND coalesce(json_extract(e.data, '$.bounce_type'), '') <> 'Permanent'`,
  complained: sql`e.type = 'email.complained'`,
  opened: sql`e.type = 'email.opened' AND e.machine = 0`,
  clicked: sql`e.type = 'email.clicked' AND e.machine = 0`,
  machine_opened: sql`e.type = 'email.opened' AND e.machine = 1`,
  machine_clicked: sql`e.type = 'email.clicked' AND e.machine = 1`,
  delayed: sql`e.type = 'email.delivery_delayed'`,
  failed: sql`e.type = 'email.failed'`,
};

/**
 * Adds the events with these ids to their tenant/stream/day counters. Put it in the D1 batch AFTER
 * the events' inserts: it counts the rows that are there, so an event dropped as a duplicate (its
 * fresh id never stored) is not counted twice. One statement per 90 events.
 */
export function countEvents(db: Db, eventIds: string[]) {
  const statements = [];
  for (let start = 0; start < eventIds.length; start += IDS_PER_STATEMENT) {
    const ids = eventIds.slice(start, start + IDS_PER_STATEMENT);
    const day = sql<string>`substr(e.occurred_at, 1, 10)`;
    statements.push(
      db
        .insertInto('event_counters')
        .columns(['tenant_id', 'stream', 'day', ...COUNTERS])
        .expression(
          db
            .selectFrom('events as e')
            .innerJoin('emails as m', (join) =>
              join.onRef('m.tenant_id', '=', 'e.tenant_id').onRef('m.id', '=', 'e.email_id'),
            )
            .select(['e.tenant_id', 'm.stream', day.as('day')])
            .select(COUNTERS.map((name) => sql<number>`sum(${COUNTED[name]})`.as(name)))
            .where('e.id', 'in', ids)
            .groupBy(['e.tenant_id', 'm.stream', day]),
        )
        .onConflict((conflict) =>
          conflict
            .columns(['tenant_id', 'stream', 'day'])
            .doUpdateSet(
              Object.fromEntries(
                COUNTERS.map((name) => [name, sql<number>`${sql.ref(name)} + excluded.${sql.ref(name)}`]),
              ),
            ),
        ),
    );
  }
  return statements;
}

export interface StreamRef {
  tenant_id: string;
  stream: string;
}

/** The distinct tenant/streams of these events' emails. */
export async function streamsOfEvents(db: Db, eventIds: string[]): Promise<StreamRef[]> {
  const found = new Map<string, StreamRef>();
  for (let start = 0; start < eventIds.length; start += IDS_PER_STATEMENT) {
    const rows = await db
      .selectFrom('events as e')
      .innerJoin('emails as m', (join) =>
        join.onRef('m.tenant_id', '=', 'e.tenant_id').onRef('m.id', '=', 'e.email_id'),
      )
      .select(['e.tenant_id', 'm.stream'])
      .distinct()
      .where('e.id', 'in', eventIds.slice(start, start + IDS_PER_STATEMENT))
      .execute();
    for (const row of rows) found.set(`${row.tenant_id}/${row.stream}`, row);
  }
  return [...found.values()];
}

/** The tenant's day counters in [from, to] (days, inclusive), optionally of one stream. */
export async function listDayCounters(
  db: Db,
  tenantId: string,
  from: string,
  to: string,
  stream?: string,
): Promise<EventCountersRow[]> {
  let query = db
    .selectFrom('event_counters')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('day', '>=', from)
    .where('day', '<=', to);
  if (stream) query = query.where('stream', '=', stream);
  return query.orderBy('day').orderBy('stream').execute();
}

export async function getReputationStates(db: Db, tenantId: string): Promise<ReputationStateRow[]> {
  return db
    .selectFrom('reputation_state')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('stream')
    .execute();
}

export async function getReputationState(
  db: Db,
  tenantId: string,
  stream: string,
): Promise<ReputationStateRow | undefined> {
  return db
    .selectFrom('reputation_state')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('stream', '=', stream)
    .executeTakeFirst();
}

/** The tenant's streams that are paused, with why (what `send` refuses). */
export async function findPausedStreams(db: Db, tenantId: string) {
  return db
    .selectFrom('reputation_state')
    .select(['stream', 'reason', 'bounce_rate', 'complaint_rate', 'paused_at'])
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'paused')
    .execute();
}

export interface ReputationUpdate {
  status: ReputationStatus;
  sent: number;
  bounced: number;
  complained: number;
  bounce_rate: number;
  complaint_rate: number;
  reason: string | null;
  warned_at: string | null;
  paused_at: string | null;
  updated_at: string;
}

/** Writes the guardrail's evaluation; never un-pauses (only a resume does). */
export function upsertReputationState(db: Db, tenantId: string, stream: string, update: ReputationUpdate) {
  return db
    .insertInto('reputation_state')
    .values({ tenant_id: tenantId, stream, ...update })
    .onConflict((conflict) =>
      conflict
        .columns(['tenant_id', 'stream'])
        .doUpdateSet(update)
        .where('reputation_state.status', '<>', 'paused'),
    );
}

/** A resume: the stream sends again, and its window restarts from these baselines. */
export function resumeReputationState(
  db: Db,
  tenantId: string,
  stream: string,
  at: string,
  baseline: { day: string; sent: number; bounced: number; complained: number },
) {
  return db
    .updateTable('reputation_state')
    .set({
      status: 'ok',
      reason: null,
      resumed_at: at,
      resumed_day: baseline.day,
      baseline_sent: baseline.sent,
      baseline_bounced: baseline.bounced,
      baseline_complained: baseline.complained,
      sent: 0,
      bounced: 0,
      complained: 0,
      bounce_rate: 0,
      complaint_rate: 0,
      updated_at: at,
    })
    .where('tenant_id', '=', tenantId)
    .where('stream', '=', stream)
    .where('status', '=', 'paused');
}
