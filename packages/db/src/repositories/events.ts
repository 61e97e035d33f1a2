// Reads of normalized delivery events, by (tenant, email): the table's key (migration 0024). The
// events consumer's writes, one multi-row statement per queue batch whose rows span tenants, are in
// cross-tenant.ts (insertEventRows, advanceLastEvents, countEventRows).
import { sql } from 'kysely';
import type { Db } from '../client';
import type { EventRow } from '../schema';

/**
 * Events of one instant (an open and its click, SES's Send and Delivery in one batch) in the order of
 * an email's life: the table's key (dedupe_key, a hash) gives them no order of their own.
 */
const LIFE_ORDER = sql`CASE type WHEN 'email.sent' THEN 1 WHEN 'email.delivery_delayed' THEN 2
  WHEN 'email.delivered' THEN 3 WHEN 'email.opened' THEN 4 WHEN 'email.clicked' THEN 5 ELSE 6 END`;

/** The email's events, oldest first. */
export async function listEventsOfEmail(db: Db, tenantId: string, emailId: string): Promise<EventRow[]> {
  return db
    .selectFrom('events')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('email_id', '=', emailId)
    .orderBy('occurred_at')
    .orderBy('created_at')
    .orderBy(LIFE_ORDER)
    .orderBy('dedupe_key')
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
