// The tenant's suppression list: what sends filter through, what bounces and complaints add to. A
// suppression is named by its id (a UUID) or its address; a tenant has one per address.
import type { Caller } from '@mailgrid/contracts';
import { runBatch } from '../batch';
import type { Db } from '../client';
import { nowIso } from '../client';
import { inJsonList } from '../json-list';
import type { PageRequest } from '../pagination';
import type { SuppressionsTable } from '../schema';
import { auditEntry } from './audit-log';

export type SuppressionRow = SuppressionsTable;
/** Resend's origins, from the reason Mailgrid keeps (`bounce:<type>/<subtype>`, `complaint`, else manual). */
export type SuppressionOriginFilter = 'bounce' | 'complaint' | 'manual';

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

/**
 * Which of these lower-cased addresses the tenant has suppressed: one statement for every recipient
 * of an accept (a batch of 100 emails included), for its read batch (not run here).
 */
export function suppressedAmongQuery(db: Db, tenantId: string, addresses: Iterable<string>) {
  return db
    .selectFrom('suppressions')
    .select('email')
    .where('tenant_id', '=', tenantId)
    .where(inJsonList('email', addresses));
}

export interface NewSuppression {
  /** Set it to know the new row (e.g. to join its webhook deliveries to it); a fresh UUID otherwise. */
  id?: string;
  /** The email whose bounce or complaint caused it. */
  source_id?: string | null;
  created_at?: string;
}

/** The insert of one suppression, not yet run (for a D1 batch); an address already there keeps its row. */
export function suppressionInsert(
  db: Db,
  tenantId: string,
  email: string,
  reason: string,
  extra: NewSuppression = {},
) {
  return db
    .insertInto('suppressions')
    .values({
      id: extra.id ?? crypto.randomUUID(),
      tenant_id: tenantId,
      email: email.toLowerCase(),
      reason,
      source_id: extra.source_id ?? null,
      created_at: extra.created_at ?? nowIso(),
    })
    .onConflict((conflict) => conflict.columns(['tenant_id', 'email']).doNothing());
}

export async function addSuppression(db: Db, tenantId: string, email: string, reason: string): Promise<void> {
  await suppressionInsert(db, tenantId, email, reason).execute();
}

export async function getSuppression(db: Db, tenantId: string, email: string) {
  return db
    .selectFrom('suppressions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('email', '=', email.toLowerCase())
    .executeTakeFirst();
}

/** By id (a UUID) or by address (anything with an `@`). */
export async function findSuppression(db: Db, tenantId: string, idOrEmail: string) {
  const ref = idOrEmail.trim().toLowerCase();
  return db
    .selectFrom('suppressions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where(ref.includes('@') ? 'email' : 'id', '=', ref)
    .executeTakeFirst();
}

/** The tenant's suppressions named by these ids or addresses (any mix), one read per 90. */
export async function findSuppressions(db: Db, tenantId: string, refs: string[]): Promise<SuppressionRow[]> {
  const wanted = [...new Set(refs.map((ref) => ref.trim().toLowerCase()))];
  const rows: SuppressionRow[] = [];
  for (let start = 0; start < wanted.length; start += 90) {
    const slice = wanted.slice(start, start + 90);
    const emails = slice.filter((ref) => ref.includes('@'));
    const ids = slice.filter((ref) => !ref.includes('@'));
    rows.push(
      ...(await db
        .selectFrom('suppressions')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where((eb) =>
          eb.or([
            ...(emails.length > 0 ? [eb('email', 'in', emails)] : []),
            ...(ids.length > 0 ? [eb('id', 'in', ids)] : []),
          ]),
        )
        .execute()),
    );
  }
  return rows;
}

/**
 * Newest first, Resend's cursor pagination; the cursor is a suppression's id or address. Null when
 * the cursor is not one of the tenant's suppressions. `origin` keeps the rows of that origin only.
 */
export async function listSuppressions(
  db: Db,
  tenantId: string,
  page: PageRequest,
  origin?: SuppressionOriginFilter,
) {
  const cursorRef = page.after ?? page.before;
  let query = db.selectFrom('suppressions').selectAll().where('tenant_id', '=', tenantId);
  if (origin === 'bounce') query = query.where('reason', 'like', 'bounce%');
  if (origin === 'complaint') query = query.where('reason', '=', 'complaint');
  if (origin === 'manual') {
    query = query.where('reason', 'not like', 'bounce%').where('reason', '!=', 'complaint');
  }
  if (cursorRef) {
    const cursor = await findSuppression(db, tenantId, cursorRef);
    if (!cursor) return null;
    const op = page.after ? '<' : '>';
    query = query.where((eb) =>
      eb.or([
        eb('created_at', op, cursor.created_at),
        eb.and([eb('created_at', '=', cursor.created_at), eb('id', op, cursor.id)]),
      ]),
    );
  }
  const direction = page.before ? 'asc' : 'desc';
  const rows = await query
    .orderBy('created_at', direction)
    .orderBy('id', direction)
    .limit(page.limit + 1)
    .execute();
  const pageRows = rows.slice(0, page.limit);
  if (page.before) pageRows.reverse();
  return { rows: pageRows, has_more: rows.length > page.limit };
}

/**
 * Adds the addresses not yet suppressed, each with its audit entry, in one D1 batch (all or none).
 * Returns the addresses this call added (an address already there keeps its row and reason).
 */
export async function insertSuppressions(
  db: Db,
  d1: D1Database,
  caller: Caller,
  emails: string[],
  reason: string,
): Promise<Set<string>> {
  const wanted = [...new Set(emails.map((email) => email.toLowerCase()))];
  const createdAt = nowIso();
  const results = await runBatch(
    d1,
    wanted.flatMap((email) => [
      suppressionInsert(db, caller.tenant_id, email, reason, { created_at: createdAt }),
      auditEntry(db, caller, {
        action: 'suppression.created',
        target_type: 'suppression',
        target_id: email,
        summary: { reason },
      }),
    ]),
  );
  return new Set(wanted.filter((_, index) => (results[index * 2]?.meta.changes ?? 0) > 0));
}

/** Adds the address with its audit entry, atomically. False when it was already suppressed. */
export async function insertSuppression(
  db: Db,
  d1: D1Database,
  caller: Caller,
  email: string,
  reason: string,
): Promise<boolean> {
  return (await insertSuppressions(db, d1, caller, [email], reason)).size > 0;
}

/** Removes these suppressions (the caller read them, so they are the tenant's) with their audit entries, atomically. */
export async function deleteSuppressions(
  db: Db,
  d1: D1Database,
  caller: Caller,
  rows: readonly Pick<SuppressionRow, 'id' | 'email' | 'reason'>[],
): Promise<void> {
  await runBatch(
    d1,
    rows.flatMap((row) => [
      db.deleteFrom('suppressions').where('tenant_id', '=', caller.tenant_id).where('id', '=', row.id),
      auditEntry(db, caller, {
        action: 'suppression.deleted',
        target_type: 'suppression',
        target_id: row.email,
        summary: { reason: row.reason },
      }),
    ]),
  );
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
  await deleteSuppressions(db, d1, caller, [existing]);
  return true;
}
