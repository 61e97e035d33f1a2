// Normalized delivery events and the status moves the events consumer makes. Writes are returned as
// queries, not run: the consumer puts a whole queue batch in one D1 batch. The batch's lookups of
// emails across tenants (by (tenant, id) refs, by SES message id) are in cross-tenant.ts.
import type { Db } from '../client';
import type { EventRow, NewEventRow } from '../schema';

/** The insert of one event of the tenant; a second copy of the same event (same dedupe_key) is silently dropped. */
export function insertEvent(db: Db, tenantId: string, row: Omit<NewEventRow, 'tenant_id'>) {
  return db
    .insertInto('events')
    .values({ ...row, tenant_id: tenantId })
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

/**
 * SES's `Send` events recorded for the email: SES took a copy for `recipient` (null when the copy
 * had several recipients) as `ses_message_id`. The send consumer settles an attempt whose outcome it
 * never learned (a crash or timeout after the copy went to SES) from these, instead of sending again.
 */
export async function sesSendEvents(
  db: Db,
  tenantId: string,
  emailId: string,
): Promise<{ recipient: string | null; ses_message_id: string | null }[]> {
  const rows = await db
    .selectFrom('events')
    .select(['recipient', 'data'])
    .where('tenant_id', '=', tenantId)
    .where('email_id', '=', emailId)
    .where('type', '=', 'email.sent')
    .where('source', '=', 'ses')
    .execute();
  return rows.map((row) => {
    const data = JSON.parse(row.data) as { ses_message_id?: unknown };
    return {
      recipient: row.recipient,
      ses_message_id: typeof data.ses_message_id === 'string' ? data.ses_message_id : null,
    };
  });
}
