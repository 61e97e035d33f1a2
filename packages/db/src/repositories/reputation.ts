// Per tenant/stream/day event counters (what stats and the reputation guardrail read, so neither
// scans events) and the guardrail's state per tenant and stream. Writes are returned as queries for
// the caller's D1 batch, except the guardrail's own updates. The counting of a consumer batch's events
// and the guardrail's reads for the streams it touched (countEventRows, readReputationInputs), whose
// tenants are mixed, are in cross-tenant.ts.
import type { Db } from '../client';
import type { EventCountersRow, ReputationStateRow, ReputationStatus } from '../schema';

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
