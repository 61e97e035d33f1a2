// The broadcast row's fan-out state (send worker): starting, the dispatch chain's token, freezing the
// audience page by page, pause/resume/cancel and completion. Every change is a conditional update on
// the status (and the chain's token), so a redelivered or stale queue message changes nothing.
import type { Db } from '../client';
import type { BroadcastRow } from '../schema';

/**
 * draft or scheduled → `queued` (now) or `scheduled` (at `scheduledAt`), with a new chain token: any
 * message of an earlier schedule stops when it finds the token changed.
 */
export async function startBroadcast(
  db: Db,
  tenantId: string,
  id: string,
  start: { scheduledAt: string | null; token: string; now: string },
): Promise<boolean> {
  const result = await db
    .updateTable('broadcasts')
    .set({
      status: start.scheduledAt ? 'scheduled' : 'queued',
      scheduled_at: start.scheduledAt,
      sent_at: start.scheduledAt ? null : start.now,
      dispatch_token: start.token,
      progressed_at: start.now,
      updated_at: start.now,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', 'in', ['draft', 'scheduled'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** A scheduled broadcast whose time has come starts sending (this chain only). */
export async function beginScheduled(db: Db, tenantId: string, id: string, token: string, now: string) {
  const result = await db
    .updateTable('broadcasts')
    .set({ status: 'queued', sent_at: now, progressed_at: now, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'scheduled')
    .where('dispatch_token', '=', token)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The chain is alive: recovery leaves a broadcast alone while this moves. */
export async function touchBroadcast(db: Db, tenantId: string, id: string, token: string, now: string) {
  await db
    .updateTable('broadcasts')
    .set({ progressed_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('dispatch_token', '=', token)
    .execute();
}

/** Whether the chain `token` still holds the broadcast and it is sending (not paused, canceled or over). */
export async function chainHolds(db: Db, tenantId: string, id: string, token: string): Promise<boolean> {
  const row = await db
    .selectFrom('broadcasts')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .where('dispatch_token', '=', token)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Moves the broadcast from one of `from` to `to` with a new chain token (null: no chain). False when
 * it was not in one of those statuses.
 */
export async function moveBroadcast(
  db: Db,
  tenantId: string,
  id: string,
  move: { from: BroadcastRow['status'][]; to: BroadcastRow['status']; token: string | null; now: string },
): Promise<boolean> {
  const result = await db
    .updateTable('broadcasts')
    .set({
      status: move.to,
      dispatch_token: move.token,
      progressed_at: move.now,
      updated_at: move.now,
      ...(move.to === 'draft' ? { scheduled_at: null } : {}),
      ...(move.to === 'sent' || move.to === 'canceled' ? { completed_at: move.now } : {}),
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', 'in', move.from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Replaces a stalled chain's token (only if it is still `token`): the caller then starts the new one. */
export async function replaceChain(
  db: Db,
  tenantId: string,
  id: string,
  token: string | null,
  fresh: string,
  now: string,
): Promise<boolean> {
  const result = await db
    .updateTable('broadcasts')
    .set({ dispatch_token: fresh, progressed_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'scheduled'])
    .where((eb) => (token === null ? eb('dispatch_token', 'is', null) : eb('dispatch_token', '=', token)))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Recipients not yet handed over (never tried, or waiting for a retry) are canceled. */
export async function cancelPendingRecipients(db: Db, tenantId: string, broadcastId: string) {
  const result = await db
    .updateTable('emails')
    .set({ status: 'canceled', last_event: 'canceled' })
    .where('broadcast_id', '=', broadcastId)
    .where('tenant_id', '=', tenantId)
    .where('status', 'in', ['queued', 'scheduled'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
