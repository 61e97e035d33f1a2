// The tenant's suppression list: what sends filter through, what bounces and complaints add to.
import type { Caller } from '@mailgrid/contracts';
import { runBatch } from '../batch';
import type { Db } from '../client';
import { nowIso } from '../client';
import type { PageRequest } from '../pagination';
import { auditEntry } from './audit-log';

/** Which of these addresses (any case) the tenant has suppressed, lower-cased. */
export async function findSuppressed(db: Db, tenantId: string, addresses: string[]): Promise<Set<string>> {
  const wanted = [...new Set(addresses.map((address) => address.toLowerCase()))];
  if (wanted.length === 0) return new Set();
  const rows = await db
    .selectFrom('suppressions')
    .select('email')
    .where('tenant_id', '=', tenantId)
    .where('email', 'in', wanted)
    .execute();
  return new Set(rows.map((row) => row.email));
}

export async function addSuppression(db: Db, tenantId: string, email: string, reason: string): Promise<void> {
  await db
    .insertInto('suppressions')
    .values({ tenant_id: tenantId, email: email.toLowerCase(), reason, created_at: nowIso() })
    .onConflict((conflict) => conflict.columns(['tenant_id', 'email']).doNothing())
    .execute();
}

/** The insert of one suppression, not yet run (for a D1 batch); an address already there keeps its reason. */
export function suppressionInsert(db: Db, tenantId: string, email: string, reason: string) {
  return db
    .insertInto('suppressions')
    .values({ tenant_id: tenantId, email: email.toLowerCase(), reason, created_at: nowIso() })
    .onConflict((conflict) => conflict.columns(['tenant_id', 'email']).doNothing());
}

export async function getSuppression(db: Db, tenantId: string, email: string) {
  return db
    .selectFrom('suppressions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('email', '=', email.toLowerCase())
    .executeTakeFirst();
}

/**
 * Newest first, Resend's cursor pagination with the address as the cursor (a tenant has one row
 * per address). Null when the cursor is not one of the tenant's suppressions.
 */
export async function listSuppressions(db: Db, tenantId: string, page: PageRequest) {
  const cursorEmail = page.after ?? page.before;
  let query = db.selectFrom('suppressions').selectAll().where('tenant_id', '=', tenantId);
  if (cursorEmail) {
    const cursor = await getSuppression(db, tenantId, cursorEmail);
    if (!cursor) return null;
    const op = page.after ? '<' : '>';
    query = query.where((eb) =>
      eb.or([
        eb('created_at', op, cursor.created_at),
        eb.and([eb('created_at', '=', cursor.created_at), eb('email', op, cursor.email)]),
      ]),
    );
  }
  const direction = page.before ? 'asc' : 'desc';
  const rows = await query
    .orderBy('created_at', direction)
    .orderBy('email', direction)
    .limit(page.limit + 1)
    .execute();
  const pageRows = rows.slice(0, page.limit);
  if (page.before) pageRows.reverse();
  return { rows: pageRows, has_more: rows.length > page.limit };
}

/** Adds the address with its audit entry, atomically. False when it was already suppressed. */
export async function insertSuppression(
  db: Db,
  d1: D1Database,
  caller: Caller,
  email: string,
  reason: string,
): Promise<boolean> {
  const [inserted] = await runBatch(d1, [
    suppressionInsert(db, caller.tenant_id, email, reason),
    auditEntry(db, caller, {
      action: 'suppression.created',
      target_type: 'suppression',
      target_id: email.toLowerCase(),
      summary: { reason },
    }),
  ]);
  return (inserted?.meta.changes ?? 0) > 0;
}

/** Removes the address with its audit entry, atomically. False when it was not suppressed. */
export async function deleteSuppression(
  db: Db,
  d1: D1Database,
  caller: Caller,
  email: string,
): Promise<boolean> {
  const existing = await getSuppression(db, caller.tenant_id, email);
  if (!existing) return false;
  await runBatch(d1, [
    db
      .deleteFrom('suppressions')
      .where('tenant_id', '=', caller.tenant_id)
      .where('email', '=', existing.email),
    auditEntry(db, caller, {
      action: 'suppression.deleted',
      target_type: 'suppression',
      target_id: existing.email,
      summary: { reason: existing.reason },
    }),
  ]);
  return true;
}
