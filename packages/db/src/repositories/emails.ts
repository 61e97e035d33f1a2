// Emails and the send consumer's claim on them. Every read and write names the tenant (the sweeper's
// scan across tenants is in cross-tenant.ts).
import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import { SETTLING } from '../claims';
import type { Db } from '../client';
import { listNewestFirst, type Page, type PageRequest } from '../pagination';
import type { EmailRow, NewEmailRow } from '../schema';

/** The insert of one email of the tenant, not yet run (for the accept's D1 batch). */
export function insertEmail(db: Db, tenantId: string, row: Omit<NewEmailRow, 'tenant_id'>) {
  return db.insertInto('emails').values({ ...row, tenant_id: tenantId });
}

export async function getEmail(db: Db, tenantId: string, id: string): Promise<EmailRow | undefined> {
  return db
    .selectFrom('emails')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** What the email log can be narrowed by (every one optional; all given must match). */
export interface EmailFilters {
  last_event?: string;
  stream?: string;
  /** A domain name of the tenant: the emails sent from it. */
  domain?: string;
  /** A tag by name, and value when given. */
  tag?: { name: string; value?: string };
  /** created_at >= this ISO timestamp. */
  created_from?: string;
  /** created_at < this ISO timestamp. */
  created_before?: string;
  /** Text in the subject or an address (from, to, cc, bcc), any ASCII case. */
  search?: string;
}

/**
 * Newest first, Resend's cursor pagination (see pagination.ts), narrowed by `filters`. Null for an
 * unknown cursor. The dates ride the (tenant_id, created_at, id) index; the other filters are
 * checked row by row over the tenant's emails in that order (a LIMIT stops the walk once a page is
 * found, so a rare match in a large log scans it): stream, last event, domain (one lookup of the
 * tenant's domain), tag (json_each of the row's tags), search (LIKE over subject and addresses).
 */
export async function listEmails(
  db: Db,
  tenantId: string,
  page: PageRequest,
  filters: EmailFilters = {},
): Promise<Page<EmailRow> | null> {
  return listNewestFirst(db, tenantId, 'emails', page, emailFilter(tenantId, filters));
}

function emailFilter(tenantId: string, f: EmailFilters): Expression<SqlBool> | undefined {
  const parts: RawBuilder<unknown>[] = [];
  if (f.last_event !== undefined) parts.push(sql`emails.last_event = ${f.last_event}`);
  if (f.stream !== undefined) parts.push(sql`emails.stream = ${f.stream}`);
  if (f.domain !== undefined) {
    parts.push(
      sql`emails.domain_id IN (SELECT id FROM domains WHERE tenant_id = ${tenantId} AND name = ${f.domain})`,
    );
  }
  if (f.tag !== undefined) {
    const value =
      f.tag.value === undefined ? sql`` : sql` AND json_extract(tag.value, '$.value') = ${f.tag.value}`;
    parts.push(
      sql`EXISTS (SELECT 1 FROM json_each(emails.tags) AS tag WHERE json_extract(tag.value, '$.name') = ${f.tag.name}${value})`,
    );
  }
  if (f.created_from !== undefined) parts.push(sql`emails.created_at >= ${f.created_from}`);
  if (f.created_before !== undefined) parts.push(sql`emails.created_at < ${f.created_before}`);
  if (f.search !== undefined) {
    // LIKE's wildcards in the text are matched as themselves.
    const pattern = `%${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const like = (column: string) => sql`${sql.ref(`emails.${column}`)} LIKE ${pattern} ESCAPE '\\'`;
    parts.push(
      sql`(${sql.join(
        ['subject', 'from_address', 'to_addresses', 'cc_addresses', 'bcc_addresses'].map(like),
        sql` OR `,
      )})`,
    );
  }
  return parts.length === 0 ? undefined : sql<SqlBool>`(${sql.join(parts, sql` AND `)})`;
}

/**
 * Takes the email for sending: only from queued or due scheduled, or from a `sending` claim whose
 * lease ran out (its holder died). True when this caller now holds it under `token`.
 */
export async function claimEmail(
  db: Db,
  tenantId: string,
  id: string,
  token: string,
  leaseMs: number,
  now = new Date(),
): Promise<boolean> {
  const nowIso = now.toISOString();
  // A scheduled email is due when its time has come (a second early at most, for clock skew).
  const dueBy = new Date(now.getTime() + 1000).toISOString();
  const result = await db
    .updateTable('emails')
    .set((eb) => ({
      status: 'sending',
      claim_token: token,
      claimed_until: new Date(now.getTime() + leaseMs).toISOString(),
      attempts: eb('attempts', '+', 1),
    }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where((eb) =>
      eb.or([
        eb('status', '=', 'queued'),
        eb.and([eb('status', '=', 'scheduled'), eb('scheduled_at', '<=', dueBy)]),
        eb.and([eb('status', '=', 'sending'), eb('claimed_until', '<', nowIso)]),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Extends a claim this delivery still holds; false when another delivery has taken the email since. */
export async function renewClaim(db: Db, tenantId: string, id: string, token: string, leaseMs: number) {
  const result = await db
    .updateTable('emails')
    .set({ claimed_until: new Date(Date.now() + leaseMs).toISOString() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .where('claim_token', '=', token)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function markSent(db: Db, tenantId: string, id: string, token: string, sesMessageId: string) {
  const now = new Date().toISOString();
  await db
    .updateTable('emails')
    .set({
      status: 'sent',
      // SES's own events (delivered, bounced...) may already have been recorded by the events worker.
      last_event: sql<string>`CASE WHEN last_event IN ('queued', 'scheduled') THEN 'sent' ELSE last_event END`,
      ses_message_id: sesMessageId,
      sent_at: now,
      claim_token: null,
      claimed_until: null,
      error: null,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('claim_token', '=', token)
    .execute();
}

/** Hands the email back to the queue after a failure worth retrying. */
export async function releaseEmail(db: Db, tenantId: string, id: string, token: string, error: string) {
  await db
    .updateTable('emails')
    .set({ status: 'queued', claim_token: null, claimed_until: null, error })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('claim_token', '=', token)
    .execute();
}

/**
 * An attempt whose outcome is unknown (SES timed out, or the connection dropped after the copy was
 * handed over): the email stays `sending`, `settling` until `settleUntil`, with the error saying why.
 */
export async function abandonClaim(
  db: Db,
  tenantId: string,
  id: string,
  token: string,
  error: string,
  settleUntil: Date,
) {
  await db
    .updateTable('emails')
    .set({ claim_token: SETTLING, claimed_until: settleUntil.toISOString(), error })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('claim_token', '=', token)
    .execute();
}

/**
 * A claim found run out (its delivery died, perhaps mid-send): from now — the platform is up again, so
 * SES's events can arrive — the email is `settling` until `settleUntil`. Conditional on the claim seen,
 * so of two deliveries finding it, one starts the wait. False when it changed under us.
 */
export async function startSettling(
  db: Db,
  tenantId: string,
  id: string,
  expiredToken: string | null,
  settleUntil: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('emails')
    .set({ claim_token: SETTLING, claimed_until: settleUntil.toISOString() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .where((eb) =>
      expiredToken === null ? eb('claim_token', 'is', null) : eb('claim_token', '=', expiredToken),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function markFailed(db: Db, tenantId: string, id: string, token: string, error: string) {
  await db
    .updateTable('emails')
    .set({ status: 'failed', last_event: 'failed', claim_token: null, claimed_until: null, error })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('claim_token', '=', token)
    .execute();
}

/** Moves a scheduled email to a new time. False when it is no longer scheduled. */
export async function rescheduleEmail(
  db: Db,
  tenantId: string,
  id: string,
  scheduledAt: string,
): Promise<boolean> {
  const result = await db
    .updateTable('emails')
    .set({ scheduled_at: scheduledAt })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'scheduled')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Cancels a scheduled email. False when it is no longer scheduled (already sending or sent). */
export async function cancelEmail(db: Db, tenantId: string, id: string): Promise<boolean> {
  const result = await db
    .updateTable('emails')
    .set({ status: 'canceled', last_event: 'canceled' })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'scheduled')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
