// Idempotency keys, as Resend's: scoped to the tenant, kept 24 hours. A key is claimed before the
// work and completed in the same D1 batch as the work's own writes, so a replay can never return an
// id whose email was not stored.
import type { Db } from '../client';
import type { IdempotencyKeyRow } from '../schema';

const KEEP_MS = 24 * 60 * 60 * 1000;
/** An in-flight claim older than this belongs to a request that died; it may be taken over. */
const STALE_CLAIM_MS = 60 * 1000;

export type ClaimOutcome = { claimed: true } | { claimed: false; existing: IdempotencyKeyRow };

/**
 * The claim as two statements to run in one D1 batch (not run here): an INSERT … ON CONFLICT that
 * takes the key when it is free, expired or abandoned and RETURNS a row only then, and a read of
 * the key as it stands after it (the other request's row when the claim did not take). D1 runs a
 * batch's statements in order as one transaction, so nothing comes between them. `claimOutcome`
 * reads their rows.
 */
export function idempotencyClaimQueries(
  db: Db,
  tenantId: string,
  key: string,
  requestHash: string,
  now = new Date(),
) {
  const nowIso = now.toISOString();
  const staleBefore = new Date(now.getTime() - STALE_CLAIM_MS).toISOString();
  const claim = db
    .insertInto('idempotency_keys')
    .values({
      tenant_id: tenantId,
      key,
      request_hash: requestHash,
      status: 'in_flight',
      response: null,
      created_at: nowIso,
      expires_at: new Date(now.getTime() + KEEP_MS).toISOString(),
    })
    .onConflict((conflict) =>
      conflict
        .columns(['tenant_id', 'key'])
        .doUpdateSet((eb) => ({
          request_hash: eb.ref('excluded.request_hash'),
          status: 'in_flight',
          response: null,
          created_at: eb.ref('excluded.created_at'),
          expires_at: eb.ref('excluded.expires_at'),
        }))
        .where((eb) =>
          eb.or([
            eb('idempotency_keys.expires_at', '<', nowIso),
            eb.and([
              eb('idempotency_keys.status', '=', 'in_flight'),
              eb('idempotency_keys.created_at', '<', staleBefore),
            ]),
          ]),
        ),
    )
    .returning('key');
  const existing = db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('key', '=', key);
  return { claim, existing };
}

/** What the claim's two statements returned, as an outcome. */
export function claimOutcome(
  claimed: readonly unknown[],
  existing: readonly IdempotencyKeyRow[],
): ClaimOutcome {
  if (claimed.length > 0) return { claimed: true };
  const row = existing[0];
  // The INSERT took nothing, so the key's row was there (and the batch's transaction kept it).
  if (!row) throw new Error('idempotency claim: the key was neither taken nor found');
  return { claimed: false, existing: row };
}

/** The write that marks the key done with its response: put it in the same batch as the work. */
export function completeIdempotencyKey(db: Db, tenantId: string, key: string, response: unknown) {
  return db
    .updateTable('idempotency_keys')
    .set({ status: 'done', response: JSON.stringify(response) })
    .where('tenant_id', '=', tenantId)
    .where('key', '=', key);
}

/** Gives the key back when the request failed, so a corrected retry with the same key can succeed. */
export async function releaseIdempotencyKey(db: Db, tenantId: string, key: string): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('tenant_id', '=', tenantId)
    .where('key', '=', key)
    .where('status', '=', 'in_flight')
    .execute();
}
