// A broadcast's recipients are `emails` rows (broadcast_id, contact_id): the fan-out's own queries —
// freezing the audience into rows, claiming the next never-tried chunk, counting progress. Every query
// names the tenant.
import type { EmailStatus } from '@mailgrid/contracts';
import { sql } from 'kysely';
import type { Db } from '../client';

export type RecipientCounts = Record<EmailStatus, number>;

/** Recipient rows per status (every status present, 0 when none). */
export async function recipientCounts(
  db: Db,
  tenantId: string,
  broadcastId: string,
): Promise<RecipientCounts> {
  const rows = await db
    .selectFrom('emails')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('broadcast_id', '=', broadcastId)
    .where('tenant_id', '=', tenantId)
    .groupBy('status')
    .execute();
  const counts: RecipientCounts = {
    scheduled: 0,
    queued: 0,
    sending: 0,
    sent: 0,
    failed: 0,
    canceled: 0,
    suppressed: 0,
  };
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

/** What every recipient row of one broadcast shares, fixed when sending starts. */
export interface RecipientTemplate {
  broadcast_id: string;
  domain_id: string;
  stream: string;
  from_address: string;
  reply_to: string;
  subject: string;
  body_key: string;
  topic_id: string | null;
  /** The topic's default ('opt_in' | 'opt_out'), when topic_id is set. */
  topic_default: string | null;
  segment_id: string;
}

// A version-4 UUID made by SQLite, so a page of rows is written by one INSERT … SELECT.
const UUID_SQL = `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2)
  || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`;

/**
 * Freezes the next page of the audience (segment members after contact id `after`, in id order) into
 * recipient rows, and moves the broadcast's freeze_cursor, in one D1 batch — only if the cursor is
 * still `after` and the chain `token` still holds (so a redelivered or stale step writes nothing). Left
 * out: unsubscribed contacts and, with a topic, those not subscribed to it. Suppressed addresses get a
 * row in status `suppressed` (listed as such, never sent). The last page also records the count.
 * Answers whether this page was the last, whether it was written, and the cursor after it.
 */
export async function freezeAudiencePage(
  db: Db,
  d1: D1Database,
  tenantId: string,
  recipients: RecipientTemplate,
  step: { token: string; after: string | null; pageSize: number; now: string },
): Promise<{ last: boolean; written: boolean; cursor: string | null }> {
  const bound = await db
    .selectFrom('segment_contacts')
    .select('contact_id')
    .where('tenant_id', '=', tenantId)
    .where('segment_id', '=', recipients.segment_id)
    .$if(step.after !== null, (query) => query.where('contact_id', '>', step.after as string))
    .orderBy('contact_id')
    .limit(1)
    .offset(step.pageSize - 1)
    .executeTakeFirst();
  const upTo = bound?.contact_id ?? null;
  const last = upTo === null;
  // The page's bounds are left out, not OR-ed with NULL, when open: `(? IS NULL OR id > ?)` keeps
  // SQLite off the (segment_id, contact_id) range, and every page would read the whole segment.
  const topicClause =
    recipients.topic_id === null
      ? ''
      : `AND coalesce((SELECT ct.subscription FROM contact_topics ct
           WHERE ct.contact_id = c.id AND ct.topic_id = ?9 AND ct.tenant_id = ?1), ?10) = 'opt_in'`;
  const insert = d1
    .prepare(
      `INSERT OR IGNORE INTO emails (id, tenant_id, domain_id, stream, from_address, to_addresses, reply_to,
         suppressed, subject, body_key, status, last_event, topic_id, broadcast_id, contact_id, merge_data, created_at)
       SELECT ${UUID_SQL}, ?1, ?2, ?3, ?4, json_array(c.email), ?5,
         CASE WHEN s.email IS NULL THEN '[]' ELSE json_array(c.email) END, ?6, ?7,
         CASE WHEN s.email IS NULL THEN 'queued' ELSE 'suppressed' END,
         CASE WHEN s.email IS NULL THEN 'queued' ELSE 'suppressed' END,
         ?9, ?8, c.id,
         json_object('email', c.email, 'first_name', c.first_name, 'last_name', c.last_name,
           'properties', json(c.properties)), ?11
       FROM segment_contacts sc
       JOIN contacts c ON c.id = sc.contact_id AND c.tenant_id = ?1
       LEFT JOIN suppressions s ON s.tenant_id = ?1 AND s.email = c.email
       WHERE sc.tenant_id = ?1 AND sc.segment_id = ?12 AND c.unsubscribed = 0
         ${step.after === null ? '' : 'AND sc.contact_id > ?13'} ${upTo === null ? '' : 'AND sc.contact_id <= ?14'}
         ${topicClause}
         AND EXISTS (SELECT 1 FROM broadcasts b WHERE b.id = ?8 AND b.tenant_id = ?1
           AND b.dispatch_token = ?15 AND b.freeze_cursor IS ?13 AND b.frozen_at IS NULL)
       ORDER BY sc.contact_id`,
    )
    .bind(
      tenantId,
      recipients.domain_id,
      recipients.stream,
      recipients.from_address,
      recipients.reply_to,
      recipients.subject,
      recipients.body_key,
      recipients.broadcast_id,
      recipients.topic_id,
      recipients.topic_default,
      step.now,
      recipients.segment_id,
      step.after,
      upTo,
      step.token,
    );
  const move = d1
    .prepare(
      `UPDATE broadcasts SET freeze_cursor = ?4, progressed_at = ?5,
         frozen_at = CASE WHEN ?6 THEN ?5 ELSE NULL END,
         recipients = CASE WHEN ?6 THEN (SELECT count(*) FROM emails
           WHERE broadcast_id = ?2 AND tenant_id = ?1 AND status != 'suppressed') ELSE NULL END
       WHERE tenant_id = ?1 AND id = ?2 AND dispatch_token = ?3 AND freeze_cursor IS ?7 AND frozen_at IS NULL`,
    )
    .bind(
      tenantId,
      recipients.broadcast_id,
      step.token,
      upTo ?? step.after,
      step.now,
      last ? 1 : 0,
      step.after,
    );
  const [, moved] = await d1.batch([insert, move]);
  return { last, written: (moved?.meta.changes ?? 0) === 1, cursor: upTo ?? step.after };
}

/**
 * Claims up to `limit` never-tried recipients of the broadcast for this delivery (`queued`, no attempt
 * yet → `sending` under `token` until the lease ends), in one statement, in id order. Rows retried after
 * a failure are the per-email queue's, not the chunk's.
 */
export async function claimRecipients(
  db: Db,
  tenantId: string,
  broadcastId: string,
  claim: { chain: string; token: string; limit: number; leaseMs: number; now: Date },
) {
  if (claim.limit <= 0) return [];
  // Only while the chain holds the broadcast and it is sending: a pause or cancel stops new claims.
  const live = db
    .selectFrom('broadcasts')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', broadcastId)
    .where('status', '=', 'queued')
    .where('dispatch_token', '=', claim.chain);
  const next = db
    .selectFrom('emails')
    .select('id')
    .where('broadcast_id', '=', broadcastId)
    .where('status', '=', 'queued')
    .where('attempts', '=', 0)
    .where('tenant_id', '=', tenantId)
    .orderBy('id')
    .limit(claim.limit);
  return (
    db
      .updateTable('emails')
      .set((eb) => ({
        status: 'sending',
        claim_token: claim.token,
        claimed_until: new Date(claim.now.getTime() + claim.leaseMs).toISOString(),
        attempts: eb('attempts', '+', 1),
      }))
      .where('id', 'in', next)
      // `+column` keeps SQLite off the tenant and status indexes here: looked up by them, the update
      // would read every queued row of the tenant per claim (the benchmark saw reads per recipient grow
      // with the audience); by id it reads the rows it claims.
      .where(sql<boolean>`+tenant_id = ${tenantId} AND +status = 'queued' AND +attempts = 0`)
      .where(({ exists }) => exists(live))
      .returningAll()
      .execute()
  );
}

/**
 * Hands back claimed recipients this delivery never gave to SES (a dispatch step's time ran out with
 * some still waiting for SES tokens): never tried again, as before the claim, in one statement. Only
 * rows `token` still holds change. Should the broadcast have been canceled meanwhile, they are canceled
 * (the cancel found them claimed and left them to this step).
 */
export async function releaseRecipients(
  db: Db,
  tenantId: string,
  broadcastId: string,
  token: string,
  ids: readonly string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  // The ids travel as one bound JSON array (D1 allows 100 parameters a statement). `+tenant_id`
  // keeps SQLite on the primary key: on the tenant's index it would read every email of the tenant.
  const result = await sql`
    UPDATE emails SET
      status = CASE WHEN b.status = 'canceled' THEN 'canceled' ELSE 'queued' END,
      last_event = CASE WHEN b.status = 'canceled' THEN 'canceled' ELSE last_event END,
      attempts = attempts - 1, claim_token = NULL, claimed_until = NULL
    FROM (SELECT status FROM broadcasts WHERE tenant_id = ${tenantId} AND id = ${broadcastId}) AS b
    WHERE emails.id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))
      AND +emails.tenant_id = ${tenantId} AND +emails.claim_token = ${token} AND +emails.status = 'sending'`.execute(
    db,
  );
  return Number(result.numAffectedRows ?? 0);
}
