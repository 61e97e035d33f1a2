// Normalized delivery events, and the email lookups and status moves the events consumer makes.
// Writes are returned as queries, not run: the consumer puts a whole queue batch in one D1 batch.
import type { Db } from '../client';
import type { EmailsTable, EventRow, NewEventRow } from '../schema';

/** The insert of one event; a second copy of the same event (same dedupe_key) is silently dropped. */
export function insertEvent(db: Db, row: NewEventRow) {
  return db
    .insertInto('events')
    .values(row)
    .onConflict((conflict) => conflict.column('dedupe_key').doNothing());
}

/**
 * Sets the email's last_event, but only from one of `from` (the events it ranks above): a
 * conditional update, so two batches racing, or a late event, can never move it backward.
 */
export function advanceLastEvent(db: Db, tenantId: string, emailId: string, to: string, from: string[]) {
  return db
    .updateTable('emails')
    .set({ last_event: to })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', emailId)
    .where('last_event', 'in', from);
}

export interface EmailRef {
  tenant_id: string;
  id: string;
}

/** The emails among `refs` (tenant and id, as SES's tags carry them) that exist. */
export async function findEmailsByRef(db: Db, refs: EmailRef[]) {
  return emailsByRef(db, refs, ['tenant_id', 'id', 'ses_message_id']);
}

/**
 * These columns of the emails named by (tenant, id). Two bound values per ref, and D1 allows 100 per
 * statement: asked in slices, so a queue batch of any size fits.
 */
export async function emailsByRef<Column extends keyof EmailsTable & string>(
  db: Db,
  refs: EmailRef[],
  columns: readonly Column[],
) {
  const rows = await Promise.all(
    slices(refs, D1_MAX_PARAMS / 2).map((slice) =>
      db
        .selectFrom('emails')
        .select(columns)
        .where((eb) =>
          eb.or(slice.map((ref) => eb.and([eb('tenant_id', '=', ref.tenant_id), eb('id', '=', ref.id)]))),
        )
        .execute(),
    ),
  );
  return rows.flat();
}

/** D1's limit on bound parameters in one statement. */
const D1_MAX_PARAMS = 100;

function slices<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * The fallback for events without our tags, and a read not scoped by tenant: the tenant is what it
 * finds. SES's message ids are unique across the whole service (and unique in the table).
 */
export async function findEmailsBySesMessageId(db: Db, sesMessageIds: string[]) {
  const rows = await Promise.all(
    slices(sesMessageIds, D1_MAX_PARAMS).map((slice) =>
      db
        .selectFrom('emails')
        .select(['tenant_id', 'id', 'ses_message_id'])
        .where('ses_message_id', 'in', slice)
        .execute(),
    ),
  );
  return rows.flat();
}

/** The email's events, oldest first. */
export async function listEventsOfEmail(db: Db, tenantId: string, emailId: string): Promise<EventRow[]> {
  return db
    .selectFrom('events')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('email_id', '=', emailId)
    .orderBy('occurred_at')
    .orderBy('created_at')
    .limit(1000)
    .execute();
}
