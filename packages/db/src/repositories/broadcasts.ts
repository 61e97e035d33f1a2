// Broadcasts: the object a customer edits (admin), and what its recipient rows and their events say
// about it (progress, stats, recipients, clicked links). Every read and write names the tenant; every
// change is written in one D1 batch with its audit entry. The fan-out's own queries are in
// broadcast-recipients.ts.
import type { Caller } from '@mailgrid/contracts';
import { type Expression, type SqlBool, sql } from 'kysely';
import { runBatch } from '../batch';
import { type Db, nowIso } from '../client';
import { listNewestFirst, type Page, type PageRequest } from '../pagination';
import type { BroadcastRow, BroadcastStatus, EmailRow } from '../schema';
import { auditEntry } from './audit-log';

/** The fields a customer sets; `reply_to` is a JSON array ('[]': none). */
export interface BroadcastFields {
  name: string;
  segment_id: string;
  topic_id: string | null;
  from_address: string;
  subject: string;
  reply_to: string;
  preview_text: string | null;
  html: string | null;
  text: string | null;
  stream: string;
  rate_per_second: number | null;
}

export async function findBroadcast(db: Db, tenantId: string, id: string): Promise<BroadcastRow | undefined> {
  return db
    .selectFrom('broadcasts')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Newest first, optionally in one status. Null for an unknown cursor. */
export async function listBroadcasts(
  db: Db,
  tenantId: string,
  page: PageRequest,
  status?: BroadcastStatus,
): Promise<Page<BroadcastRow> | null> {
  return listNewestFirst(
    db,
    tenantId,
    'broadcasts',
    page,
    status ? sql<SqlBool>`status = ${status}` : undefined,
  );
}

/** Inserts a draft with its audit entry (`broadcast.created` or `broadcast.duplicated`). Returns its id. */
export async function insertBroadcast(
  db: Db,
  d1: D1Database,
  caller: Caller,
  fields: BroadcastFields,
  audit: { action: string; summary: Record<string, unknown> },
): Promise<string> {
  const id = crypto.randomUUID();
  const now = nowIso();
  await runBatch(d1, [
    db
      .insertInto('broadcasts')
      .values({ id, tenant_id: caller.tenant_id, ...fields, created_at: now, updated_at: now }),
    auditEntry(db, caller, {
      action: audit.action,
      target_type: 'broadcast',
      target_id: id,
      summary: audit.summary,
    }),
  ]);
  return id;
}

/**
 * Changes fields, only while the broadcast is in one of `statuses`: the send worker may have moved it
 * on since it was read. False when it had (nothing changed).
 */
export async function updateBroadcastFields(
  db: Db,
  d1: D1Database,
  caller: Caller,
  id: string,
  changes: Partial<BroadcastFields>,
  statuses: readonly BroadcastStatus[],
): Promise<boolean> {
  const [updated] = await runBatch(d1, [
    db
      .updateTable('broadcasts')
      .set({ ...changes, updated_at: nowIso() })
      .where('tenant_id', '=', caller.tenant_id)
      .where('id', '=', id)
      .where('status', 'in', statuses),
    auditEntry(db, caller, {
      action: 'broadcast.updated',
      target_type: 'broadcast',
      target_id: id,
      summary: { fields: Object.keys(changes) },
    }),
  ]);
  return (updated?.meta.changes ?? 0) > 0;
}

/** Deletes the broadcast while it is in one of `statuses`; false when it no longer was. */
export async function deleteBroadcast(
  db: Db,
  d1: D1Database,
  caller: Caller,
  broadcast: BroadcastRow,
  statuses: readonly BroadcastStatus[],
): Promise<boolean> {
  const [deleted] = await runBatch(d1, [
    db
      .deleteFrom('broadcasts')
      .where('tenant_id', '=', caller.tenant_id)
      .where('id', '=', broadcast.id)
      .where('status', 'in', statuses),
    auditEntry(db, caller, {
      action: 'broadcast.deleted',
      target_type: 'broadcast',
      target_id: broadcast.id,
      summary: { name: broadcast.name },
    }),
  ]);
  return (deleted?.meta.changes ?? 0) > 0;
}

/** Which events count, and whose: machine opens and clicks (Apple MPP, scanners) only when asked. */
export interface EventFilter {
  includeMachine: boolean;
}

/** Per event type, how many of the broadcast's recipients have at least one such event. */
export async function recipientsWithEvents(
  db: Db,
  tenantId: string,
  broadcastId: string,
  types: string[],
  filter: EventFilter,
): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('emails as m')
    .innerJoin('events as e', (join) =>
      join.onRef('e.email_id', '=', 'm.id').onRef('e.tenant_id', '=', 'm.tenant_id'),
    )
    .select(['e.type', (eb) => eb.fn.count<number>('e.email_id').distinct().as('n')])
    .where('m.tenant_id', '=', tenantId)
    .where('m.broadcast_id', '=', broadcastId)
    .where('e.type', 'in', types)
    .$if(!filter.includeMachine, (query) => query.where('e.machine', '=', 0))
    .groupBy('e.type')
    .execute();
  return new Map(rows.map((row) => [row.type, Number(row.n)]));
}

/** Which recipients to list: by status, by having an event of a type, by address. */
export interface RecipientFilter extends EventFilter {
  status?: EmailRow['status'];
  eventType?: string;
  /** Only recipients whose latest bounce was of this type (permanent, transient, undetermined). */
  bounceType?: string;
  /** Part of the address, any case. */
  email?: string;
}

/** The broadcast's recipient rows, newest first. Null for an unknown cursor. */
export async function listRecipientRows(
  db: Db,
  tenantId: string,
  broadcastId: string,
  page: PageRequest,
  filter: RecipientFilter,
): Promise<Page<EmailRow> | null> {
  const clauses: Expression<unknown>[] = [sql`broadcast_id = ${broadcastId}`];
  if (filter.status) clauses.push(sql`status = ${filter.status}`);
  if (filter.email) {
    clauses.push(sql`instr(lower(json_extract(to_addresses, '$[0]')), ${filter.email.toLowerCase()}) > 0`);
  }
  if (filter.eventType) {
    const machine = filter.includeMachine ? sql`` : sql`AND e.machine = 0`;
    clauses.push(
      sql`EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = ${tenantId} AND e.email_id = emails.id
        AND e.type = ${filter.eventType} ${machine})`,
    );
  }
  if (filter.bounceType) {
    clauses.push(
      sql`(SELECT lower(json_extract(e.data, '$.bounce_type')) FROM events e
        WHERE e.tenant_id = ${tenantId} AND e.email_id = emails.id AND e.type = 'email.bounced'
        ORDER BY e.occurred_at DESC LIMIT 1) = ${filter.bounceType}`,
    );
  }
  return listNewestFirst(db, tenantId, 'emails', page, sql<SqlBool>`${sql.join(clauses, sql` AND `)}`);
}

/** The events of one type of these recipient rows, oldest first: what a page of recipients shows. */
export async function eventsOfRecipients(
  db: Db,
  tenantId: string,
  emailIds: string[],
  type: string,
  filter: EventFilter,
): Promise<{ email_id: string; data: string }[]> {
  if (emailIds.length === 0) return [];
  return db
    .selectFrom('events')
    .select(['email_id', 'data'])
    .where('tenant_id', '=', tenantId)
    .where('email_id', 'in', emailIds)
    .where('type', '=', type)
    .$if(!filter.includeMachine, (query) => query.where('machine', '=', 0))
    .orderBy('occurred_at')
    .execute();
}

/** Every link clicked in the broadcast: clicks and distinct recipients, most clicked first. */
export async function clickedLinksOfBroadcast(
  db: Db,
  tenantId: string,
  broadcastId: string,
  filter: EventFilter,
): Promise<{ url: string; clicks: number; unique_clicks: number }[]> {
  const url = sql<string>`json_extract(e.data, '$.link')`;
  const rows = await db
    .selectFrom('emails as m')
    .innerJoin('events as e', (join) =>
      join.onRef('e.email_id', '=', 'm.id').onRef('e.tenant_id', '=', 'm.tenant_id'),
    )
    .select([
      url.as('url'),
      (eb) => eb.fn.countAll<number>().as('clicks'),
      (eb) => eb.fn.count<number>('e.email_id').distinct().as('unique_clicks'),
    ])
    .where('m.tenant_id', '=', tenantId)
    .where('m.broadcast_id', '=', broadcastId)
    .where('e.type', '=', 'email.clicked')
    .where(sql<SqlBool>`${url} IS NOT NULL`)
    .$if(!filter.includeMachine, (query) => query.where('e.machine', '=', 0))
    .groupBy(url)
    .orderBy('clicks', 'desc')
    .orderBy('url')
    .execute();
  return rows.map((row) => ({
    url: row.url,
    clicks: Number(row.clicks),
    unique_clicks: Number(row.unique_clicks),
  }));
}
