// Emails: accept's insert, reads, the log, reschedule and cancel. Every read and write names the tenant
// (the sweeper's scan across tenants is in cross-tenant.ts; the send consumer's claim in email-sends.ts).
import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Db } from '../client';
import { listNewestFirst, type Page, type PageRequest } from '../pagination';
import type { EmailRow, NewEmailRow } from '../schema';

/** D1 binds at most 2 MB per string: a multi-row insert's JSON stays well under it. */
const INSERT_JSON_BYTES = 1_500_000;

/**
 * The insert of many emails of the tenant, not yet run (for the accept's D1 batch): each statement
 * binds its rows as ONE JSON array and inserts them with `INSERT … SELECT json_extract(…) FROM
 * json_each(?)`, so a batch of 100 emails is one statement, not 100 (and 2 bound parameters, far
 * from D1's 100). More statements only when the rows' JSON passes 1.5 MB. Every row has the same
 * columns, those of the first.
 */
export function insertEmails(db: Db, tenantId: string, rows: readonly Omit<NewEmailRow, 'tenant_id'>[]) {
  const first = rows[0];
  if (!first) return [];
  const columns = Object.keys(first) as (keyof typeof first & string)[];
  for (const column of columns) {
    // Each name is written into the SQL as a JSON path: only plain column names may be.
    if (!/^[a-z_]+$/.test(column)) throw new Error(`insertEmails: unexpected column ${column}`);
  }
  const chunks: string[][] = [[]];
  let bytes = 0;
  for (const row of rows) {
    const json = JSON.stringify(row);
    const size = new TextEncoder().encode(json).length + 1;
    const current = chunks[chunks.length - 1] as string[];
    if (current.length > 0 && bytes + size > INSERT_JSON_BYTES) {
      chunks.push([json]);
      bytes = size;
    } else {
      current.push(json);
      bytes += size;
    }
  }
  return chunks.map((chunk) =>
    db
      .insertInto('emails')
      .columns(['tenant_id', ...columns])
      .expression(
        db
          .selectFrom(sql<{ value: string }>`json_each(${`[${chunk.join(',')}]`})`.as('j'))
          .select([
            sql<string>`${tenantId}`.as('tenant_id'),
            ...columns.map((column) => sql`json_extract(j.value, ${sql.lit(`$.${column}`)})`.as(column)),
          ]),
      ),
  );
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
): Promise<Page<EmailListRow> | null> {
  return listNewestFirst(db, tenantId, 'emails', page, emailFilter(tenantId, filters), EMAIL_LIST_COLUMNS);
}

/** An email as the log lists it: everything but the inline body (up to 16 KB a row, shown only by GET /emails/:id). */
export type EmailListRow = Omit<EmailRow, 'body'>;

// Every column but the body: a Record, so a column added to emails and not named here fails the typecheck.
const LISTED: Record<keyof EmailListRow, true> = {
  id: true,
  tenant_id: true,
  domain_id: true,
  stream: true,
  from_address: true,
  to_addresses: true,
  cc_addresses: true,
  bcc_addresses: true,
  reply_to: true,
  suppressed: true,
  subject: true,
  tags: true,
  body_key: true,
  track_opens: true,
  track_clicks: true,
  status: true,
  last_event: true,
  scheduled_at: true,
  claim_token: true,
  claimed_until: true,
  attempts: true,
  ses_message_id: true,
  error: true,
  created_at: true,
  sent_at: true,
  topic_id: true,
  list_unsubscribe: true,
  broadcast_id: true,
  contact_id: true,
  merge_data: true,
  message_date: true,
  ses_receipts: true,
};
const EMAIL_LIST_COLUMNS = Object.keys(LISTED) as (keyof EmailListRow)[];

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
