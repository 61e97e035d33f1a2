// The only repository functions that may read or write across tenants, imported on purpose from
// `@mailgrid/db/cross-tenant` (the package's main entry does not re-export them). Every other
// repository function takes the tenant (or the Caller) right after its db handles and filters by it;
// test/tenant-scoping.test.ts checks both, and that this module exports only its allow-list.
// Each function says why it may cross tenants. Adding one is a decision: add it to that allow-list.
import type { ApiKeyRecord, Caller, ListTenantsQuery, UserRecord } from '@mailgrid/contracts';
import { type Compilable, CompiledQuery, sql } from 'kysely';
import { runBatch } from '../batch';
import { SETTLING } from '../claims';
import { type Db, nowIso } from '../client';
import type { EmailRow, EventsTable, InvitationRow, Tenant, UserRow } from '../schema';
import { auditEntry, systemAuditEntry } from './audit-log';
import {
  type BatchClaim,
  type ClaimedBatch,
  type EmailToSend,
  refKey,
  type SendOutcome,
  type SendRef,
} from './email-sends';
import { type SendSettingsRow, sendSettingsOf } from './send-settings';
import { findUser } from './users';

// ---- Authentication and sign-in: the tenant is what these find -------------------------------------

/**
 * Why cross-tenant: the authentication lookup by an API key's prefix (unique across the platform);
 * the tenant is what it finds. Revoked keys and keys of unknown tenants are not returned.
 */
export async function findApiKeyByPrefix(db: Db, prefix: string): Promise<ApiKeyRecord | null> {
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('tenants', 'tenants.id', 'api_keys.tenant_id')
    .select([
      'api_keys.id',
      'api_keys.tenant_id',
      'api_keys.hash',
      'api_keys.permission',
      'api_keys.domain_id',
      'tenants.status as tenant_status',
      'tenants.rate_limit_per_second',
      'tenants.rate_limit_burst',
    ])
    .where('api_keys.prefix', '=', prefix)
    .where('api_keys.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    hash: row.hash,
    permission: row.permission,
    domain_id: row.domain_id,
    tenant_status: row.tenant_status,
    rate_limit: { per_second: row.rate_limit_per_second, burst: row.rate_limit_burst },
  };
}

/**
 * Why cross-tenant: sign-in maps an identity subject (one user of one tenant, platform-wide) to its
 * user; the tenant is what it finds. Returns what the gateway needs to authorise the user.
 */
export async function findUserBySubject(db: Db, subject: string): Promise<UserRecord | null> {
  const row = await db
    .selectFrom('users')
    .innerJoin('tenants', 'tenants.id', 'users.tenant_id')
    .select([
      'users.id',
      'users.tenant_id',
      'users.role',
      'tenants.status as tenant_status',
      'tenants.rate_limit_per_second',
      'tenants.rate_limit_burst',
    ])
    .where('users.auth_subject', '=', subject)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    role: row.role,
    tenant_status: row.tenant_status,
    rate_limit: { per_second: row.rate_limit_per_second, burst: row.rate_limit_burst },
  };
}

/** Why cross-tenant: an identity subject is unique platform-wide (one identity, one user of one tenant). */
export async function isSubjectBound(db: Db, subject: string): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('auth_subject', '=', subject)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Why cross-tenant: accepting an invitation finds it by its token's hash (unique); the invitation
 * names the tenant, and its user is then read under that tenant.
 */
export async function findInvitationByTokenHash(
  db: Db,
  tokenHash: string,
): Promise<{ invitation: InvitationRow; user: UserRow } | null> {
  const invitation = await db
    .selectFrom('invitations')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!invitation) return null;
  const user = await findUser(db, invitation.tenant_id, invitation.user_id);
  return user ? { invitation, user } : null;
}

// ---- The platform operator, who acts on tenants themselves -----------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Why cross-tenant: the operator names a tenant by id or by slug (unique platform-wide). */
export async function findTenant(db: Db, ref: string): Promise<Tenant | null> {
  const row = await db
    .selectFrom('tenants')
    .selectAll()
    .where(UUID.test(ref) ? 'id' : 'slug', '=', ref.toLowerCase())
    .executeTakeFirst();
  return row ?? null;
}

/** Why cross-tenant: a tenant's slug is unique platform-wide, so a new one is checked against all. */
export async function slugTaken(db: Db, slug: string): Promise<boolean> {
  return (
    (await db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirst()) !== undefined
  );
}

/** Why cross-tenant: the operator's list of all tenants, newest first, Resend's cursors. */
export async function listTenantsPage(
  db: Db,
  query: ListTenantsQuery,
): Promise<{ rows: Tenant[]; has_more: boolean } | null> {
  let select = db.selectFrom('tenants').selectAll();
  const cursorId = query.after ?? query.before;
  if (cursorId) {
    const cursor = await db
      .selectFrom('tenants')
      .select(['created_at', 'id'])
      .where('id', '=', cursorId)
      .executeTakeFirst();
    if (!cursor) return null;
    const op = query.after ? '<' : '>';
    select = select.where((eb) =>
      eb.or([
        eb('created_at', op, cursor.created_at),
        eb.and([eb('created_at', '=', cursor.created_at), eb('id', op, cursor.id)]),
      ]),
    );
  }
  const direction = query.before ? 'asc' : 'desc';
  const rows = await select
    .orderBy('created_at', direction)
    .orderBy('id', direction)
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  if (query.before) page.reverse();
  return { rows: page, has_more: rows.length > query.limit };
}

// ---- Global uniqueness outside Mailgrid: SES ------------------------------------------------------

/**
 * Why cross-tenant: SES has one identity per domain name in the account, so two tenants cannot both
 * own a name (nor delete it under each other). Whether a tenant other than `tenantId` has it live.
 */
export async function domainNameTakenElsewhere(db: Db, tenantId: string, name: string): Promise<boolean> {
  const row = await db
    .selectFrom('domains')
    .select('id')
    .where('tenant_id', '!=', tenantId)
    .where('name', '=', name)
    .where('deleted_at', 'is', null)
    // A claim's placeholder does not hold the name: the claim may yet fail.
    .where('pending_claim_id', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Why cross-tenant: a domain claim takes a name another tenant holds (SES has one identity per name).
 * That tenant's live domain of this name, if another tenant than `tenantId` holds it.
 */
export async function findDomainHeldElsewhere(
  db: Db,
  tenantId: string,
  name: string,
): Promise<{ tenant_id: string; id: string; tls: 'opportunistic' | 'enforced' } | undefined> {
  return db
    .selectFrom('domains')
    .select(['tenant_id', 'id', 'tls'])
    .where('tenant_id', '!=', tenantId)
    .where('name', '=', name)
    .where('deleted_at', 'is', null)
    .where('pending_claim_id', 'is', null)
    .executeTakeFirst();
}

/**
 * Why cross-tenant: completing a claim moves a domain between two tenants in one D1 batch. The
 * previous owner's row becomes a tombstone (its emails and keys keep their history; it can no longer
 * send) with a `domain.claimed_away` entry in its own audit log; the claimant's placeholder becomes
 * a domain like any other, with the fresh DKIM tokens SES just issued, and the claim is completed.
 */
export async function transferClaimedDomain(
  db: Db,
  d1: D1Database,
  claimant: Caller,
  move: {
    claim_id: string;
    name: string;
    domain_id: string;
    dkim_tokens: string[];
    previous: { tenant_id: string; id: string } | null;
  },
): Promise<void> {
  const now = nowIso();
  const queries: Compilable[] = [];
  if (move.previous) {
    queries.push(
      db
        .updateTable('domains')
        .set({ deleted_at: now, updated_at: now, status: 'not_started', verified_at: null })
        .where('tenant_id', '=', move.previous.tenant_id)
        .where('id', '=', move.previous.id)
        .where('deleted_at', 'is', null),
      systemAuditEntry(db, move.previous.tenant_id, 'domain_claim', {
        action: 'domain.claimed_away',
        target_type: 'domain',
        target_id: move.previous.id,
        summary: { name: move.name, claim_id: move.claim_id },
      }),
    );
  }
  queries.push(
    db
      .updateTable('domains')
      .set({
        pending_claim_id: null,
        dkim_tokens: JSON.stringify(move.dkim_tokens),
        status: 'not_started',
        record_status: '{}',
        verified_at: null,
        updated_at: now,
      })
      .where('tenant_id', '=', claimant.tenant_id)
      .where('id', '=', move.domain_id)
      .where('pending_claim_id', '=', move.claim_id),
    db
      .updateTable('domain_claims')
      .set({
        status: 'completed',
        blocked_reason: null,
        failure_reason: null,
        previous_tenant_id: move.previous?.tenant_id ?? null,
        previous_domain_id: move.previous?.id ?? null,
        updated_at: now,
      })
      .where('tenant_id', '=', claimant.tenant_id)
      .where('id', '=', move.claim_id),
    auditEntry(db, claimant, {
      action: 'domain.claim_completed',
      target_type: 'domain',
      target_id: move.domain_id,
      summary: { name: move.name, claim_id: move.claim_id, taken_over: move.previous !== null },
    }),
  );
  await runBatch(d1, queries);
}

// ---- The request log's expiry ----------------------------------------------------------------------

/**
 * Why cross-tenant: expiry is a system job over all tenants (the gateway's minute cron). Deletes at
 * most `limit` request-log rows whose UUIDv7 id is below `cutoffId` (older than the retention). The
 * table's key starts with the tenant, so the tenants table drives it: one key range per tenant,
 * never a scan of the rows kept. Returns how many went.
 */
export async function deleteExpiredRequestLogs(db: Db, cutoffId: string, limit: number): Promise<number> {
  const result = await sql`
    DELETE FROM request_logs WHERE (tenant_id, id) IN (
      SELECT l.tenant_id, l.id FROM tenants t
      JOIN request_logs l ON l.tenant_id = t.id AND l.id < ${cutoffId}
      LIMIT ${limit}
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

// ---- System jobs and queue consumers, whose batches mix tenants -------------------------------------

/**
 * Why cross-tenant: the send sweeper is a system job over all tenants. It returns only (tenant, id)
 * pairs, and the send consumer re-reads each row under its tenant. Stranded means: queued or sending
 * with its claim long expired, or scheduled and long overdue.
 */
export async function findStrandedEmails(db: Db, olderThan: Date, limit: number) {
  const before = olderThan.toISOString();
  return db
    .selectFrom('emails')
    .select(['tenant_id', 'id'])
    .where((eb) =>
      eb.or([
        // A broadcast's never-tried recipients wait for its dispatch chain, however long the line.
        eb.and([
          eb('status', '=', 'queued'),
          eb('created_at', '<', before),
          eb.or([eb('broadcast_id', 'is', null), eb('attempts', '>', 0)]),
        ]),
        eb.and([eb('status', '=', 'sending'), eb('claimed_until', '<', before)]),
        eb.and([eb('status', '=', 'scheduled'), eb('scheduled_at', '<', before)]),
      ]),
    )
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

/**
 * Why cross-tenant: recovery (every minute) restarts the fan-out of any tenant's broadcast whose chain
 * went quiet — sending with no step since `olderThan`, or scheduled for before it and never started.
 */
export async function findStalledBroadcasts(db: Db, olderThan: Date, limit: number) {
  const before = olderThan.toISOString();
  return db
    .selectFrom('broadcasts')
    .select(['tenant_id', 'id', 'dispatch_token'])
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'queued'), eb('progressed_at', '<', before)]),
        eb.and([eb('status', '=', 'scheduled'), eb('scheduled_at', '<', before)]),
      ]),
    )
    .limit(limit)
    .execute();
}

export interface EmailRef {
  tenant_id: string;
  id: string;
}

/** What an events batch needs of each email it names: its owner and stream, and what a webhook payload says. */
export interface BatchEmail {
  tenant_id: string;
  id: string;
  ses_message_id: string | null;
  stream: string;
  from_address: string;
  to_addresses: string;
  subject: string;
  created_at: string;
  broadcast_id: string | null;
  merge_data: string | null;
}

/** An enabled webhook of one of the batch's tenants (`events`: its JSON list of subscribed types). */
export interface BatchWebhook {
  id: string;
  tenant_id: string;
  events: string;
}

/**
 * Why cross-tenant: an events queue batch mixes tenants. Each ref names its own tenant and only
 * (tenant, id) pairs match; SES's message ids are unique across the service (and in the table), so
 * they find the tenant of an event without our tags.
 *
 * Everything an events batch reads before it writes, in ONE D1 round trip (one batch() of two
 * statements, whatever the batch's size: the lists travel as one JSON parameter each): the emails
 * named by `refs` or by `sesMessageIds`, and the enabled webhooks of their tenants.
 */
export async function readEventBatch(
  d1: D1Database,
  lookup: { refs: EmailRef[]; sesMessageIds: string[] },
): Promise<{ emails: BatchEmail[]; webhooks: BatchWebhook[] }> {
  const refs = JSON.stringify(lookup.refs.map((ref) => [ref.tenant_id, ref.id]));
  const sesIds = JSON.stringify(lookup.sesMessageIds);
  const columns = `e.tenant_id, e.id, e.ses_message_id, e.stream, e.from_address, e.to_addresses, e.subject,
    e.created_at, e.broadcast_id, e.merge_data`;
  const [emails, webhooks] = await d1.batch([
    // CROSS JOIN keeps the JSON list as the outer loop: one primary-key (or ses_message_id index)
    // lookup per entry, never a scan of emails.
    d1
      .prepare(
        `SELECT ${columns} FROM json_each(?1) AS j
        CROSS JOIN emails AS e ON e.id = json_extract(j.value, '$[1]') AND e.tenant_id = json_extract(j.value, '$[0]')
        UNION ALL
        SELECT ${columns} FROM json_each(?2) AS j CROSS JOIN emails AS e ON e.ses_message_id = j.value`,
      )
      .bind(refs, sesIds),
    d1
      .prepare(
        `SELECT id, tenant_id, events FROM webhooks
        WHERE status = 'enabled' AND tenant_id IN (
          SELECT json_extract(value, '$[0]') FROM json_each(?1)
          UNION SELECT e.tenant_id FROM json_each(?2) AS j CROSS JOIN emails AS e ON e.ses_message_id = j.value
        )`,
      )
      .bind(refs, sesIds),
  ]);
  return {
    emails: (emails?.results ?? []) as BatchEmail[],
    webhooks: (webhooks?.results ?? []) as BatchWebhook[],
  };
}

/** An event a consumer batch stores: the events row, its tenant included, every column given. */
export type BatchEvent = Omit<EventsTable, 'data' | 'machine'> & {
  /** JSON text. */
  data: string;
  machine: number;
};

/**
 * Why cross-tenant: a consumer batch's events span tenants; each row carries its own tenant_id.
 * Every event of the batch in one multi-row INSERT (one per MAX_JSON_BYTES of rows): a copy of an
 * event already stored (same tenant, email and dedupe_key: a redelivery, or twice in one batch) is
 * silently dropped. RETURNING lists the ids really inserted, so the caller knows what is new.
 */
export function insertEventRows(events: BatchEvent[]): Compilable[] {
  return jsonChunks(events).map((json) =>
    raw(
      `INSERT INTO events (id, tenant_id, email_id, type, recipient, occurred_at, source, dedupe_key, data, machine, created_at)
      SELECT ${jsonColumns(['id', 'tenant_id', 'email_id', 'type', 'recipient', 'occurred_at', 'source', 'dedupe_key', 'data', 'machine', 'created_at'])}
      FROM json_each(?1) WHERE true
      ON CONFLICT DO NOTHING
      RETURNING id`,
      [json],
    ),
  );
}

/** An email's last_event to move to `to`, only from one of `from` (the values `to` ranks above). */
export interface LastEventMove {
  tenant_id: string;
  email_id: string;
  to: string;
  from: string[];
}

/**
 * Why cross-tenant: a consumer batch's emails span tenants; each move names its tenant and email.
 * Every email's last_event move in ONE conditional UPDATE: an email moves only from a value its
 * target ranks above, so two batches racing, or a late event, can never move it backward.
 */
export function advanceLastEvents(moves: LastEventMove[]): Compilable[] {
  if (moves.length === 0) return [];
  return [
    raw(
      `UPDATE emails SET last_event = json_extract(m.value, '$.to')
      FROM json_each(?1) AS m
      WHERE emails.id = json_extract(m.value, '$.email_id') AND emails.tenant_id = json_extract(m.value, '$.tenant_id')
        AND emails.last_event IN (SELECT value FROM json_each(m.value, '$.from'))`,
      [JSON.stringify(moves)],
    ),
  ];
}

/**
 * Why cross-tenant: a consumer batch's events span tenants; each is counted under its own tenant.
 * Adds the batch's events to their tenant/stream/day counters in ONE upsert. Put it in the D1 batch
 * AFTER the events' insert: an event counts only if the row with its fresh id is there, so a copy
 * dropped as a duplicate is not counted twice. `stream` is the event's email's.
 */
export function countEventRows(events: (BatchEvent & { stream: string })[]): Compilable[] {
  const counted = events.flatMap((event) => {
    const counter = counterOf(event);
    return counter
      ? [
          {
            tenant_id: event.tenant_id,
            email_id: event.email_id,
            dedupe_key: event.dedupe_key,
            id: event.id,
            stream: event.stream,
            day: event.occurred_at.slice(0, 10),
            counter,
          },
        ]
      : [];
  });
  if (counted.length === 0) return [];
  return [
    raw(
      `INSERT INTO event_counters (tenant_id, stream, day, ${COUNTERS.join(', ')})
      SELECT json_extract(c.value, '$.tenant_id') AS t, json_extract(c.value, '$.stream') AS s,
        json_extract(c.value, '$.day') AS d,
        ${COUNTERS.map((name) => `sum(json_extract(c.value, '$.counter') = '${name}')`).join(', ')}
      FROM json_each(?1) AS c
      WHERE ${INSERTED_EVENT('c')}
      GROUP BY t, s, d
      ON CONFLICT (tenant_id, stream, day) DO UPDATE SET
        ${COUNTERS.map((name) => `${name} = ${name} + excluded.${name}`).join(', ')}`,
      [JSON.stringify(counted)],
    ),
  ];
}

/** A suppression a consumer batch adds (a hard bounce, a complaint), if its address is not suppressed yet. */
export interface BatchSuppression {
  id: string;
  tenant_id: string;
  email: string;
  reason: string;
  source_id: string;
  created_at: string;
}

/**
 * Why cross-tenant: a consumer batch's bounces and complaints span tenants; each suppression names
 * its tenant, and an address is suppressed per tenant. All of them in ONE insert; an address
 * already suppressed (or twice in the batch) keeps its first row, so the later id is never stored.
 */
export function insertSuppressionRows(suppressions: BatchSuppression[]): Compilable[] {
  if (suppressions.length === 0) return [];
  return [
    raw(
      `INSERT INTO suppressions (id, tenant_id, email, reason, source_id, created_at)
      SELECT ${jsonColumns(['id', 'tenant_id', 'email', 'reason', 'source_id', 'created_at'])}
      FROM json_each(?1) WHERE true
      ON CONFLICT (tenant_id, email) DO NOTHING`,
      [JSON.stringify(suppressions)],
    ),
  ];
}

/**
 * A webhook delivery a consumer batch plans. It is inserted only if what caused it was inserted by
 * the same batch: the event `event` (its full key and fresh id), or the suppression `suppression_id`.
 */
export interface BatchDelivery {
  id: string;
  tenant_id: string;
  webhook_id: string;
  event_id: string;
  type: string;
  payload: string;
  created_at: string;
  event?: { email_id: string; dedupe_key: string; id: string };
  suppression_id?: string;
}

/**
 * Why cross-tenant: a consumer batch's deliveries span tenants; each names its tenant, and its
 * event or suppression is checked under that tenant. Every delivery in one multi-row INSERT (one per
 * MAX_JSON_BYTES of payloads), after the events' and suppressions' inserts in the same D1 batch: a
 * delivery whose event was a duplicate, or whose address was already suppressed, is not created, nor
 * a (webhook, event) pair already there. RETURNING lists the deliveries created: the ones to queue.
 */
export function insertDeliveryRows(deliveries: BatchDelivery[]): Compilable[] {
  const rows = deliveries.map(({ event, suppression_id, ...delivery }) => ({
    ...delivery,
    email_id: event?.email_id ?? null,
    dedupe_key: event?.dedupe_key ?? null,
    id_of_event: event?.id ?? null,
    suppression_id: suppression_id ?? null,
  }));
  return jsonChunks(rows).map((json) =>
    raw(
      `INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, event_id, type, payload, next_attempt_at, created_at)
      SELECT ${jsonColumns(['id', 'tenant_id', 'webhook_id', 'event_id', 'type', 'payload', 'created_at', 'created_at'])}
      FROM json_each(?1) AS d
      WHERE CASE WHEN json_extract(d.value, '$.suppression_id') IS NOT NULL
        THEN EXISTS (SELECT 1 FROM suppressions AS s WHERE s.tenant_id = json_extract(d.value, '$.tenant_id')
          AND s.id = json_extract(d.value, '$.suppression_id'))
        ELSE ${INSERTED_EVENT('d', '$.id_of_event')} END
      ON CONFLICT DO NOTHING
      RETURNING id`,
      [json],
    ),
  );
}

export interface StreamRef {
  tenant_id: string;
  stream: string;
}

/**
 * Why cross-tenant: the streams a consumer batch touched span tenants; each names its tenant. The
 * reputation guardrail's inputs for them, as two SELECTs that join the batch's writes (placed after
 * the counters' upsert, they see this batch counted): their reputation_state rows and their day
 * counters in [from, to].
 */
export function readReputationInputs(streams: StreamRef[], from: string, to: string): Compilable[] {
  const json = JSON.stringify(streams);
  const join = (table: string) =>
    `FROM json_each(?1) AS j CROSS JOIN ${table} AS r
      ON r.tenant_id = json_extract(j.value, '$.tenant_id') AND r.stream = json_extract(j.value, '$.stream')`;
  return [
    raw(`SELECT r.* ${join('reputation_state')}`, [json]),
    raw(`SELECT r.* ${join('event_counters')} AND r.day >= ?2 AND r.day <= ?3`, [json, from, to]),
  ];
}

// ---- Internals -------------------------------------------------------------------------------------

/** A statement written as SQL text, for runBatch (kysely builds no INSERT … SELECT … FROM json_each). */
function raw(sqlText: string, parameters: unknown[]): Compilable {
  return { compile: () => CompiledQuery.raw(sqlText, parameters) };
}

/** `json_extract(value, '$.a') …` for each column (an unqualified json_each's `value`). */
function jsonColumns(names: string[]): string {
  return names.map((name) => `json_extract(value, '$.${name}')`).join(', ');
}

/** Whether the event a JSON row names (by its full key and fresh id) was inserted by this batch. */
function INSERTED_EVENT(alias: string, idPath = '$.id'): string {
  const field = (path: string) => `json_extract(${alias}.value, '${path}')`;
  return `EXISTS (SELECT 1 FROM events AS e WHERE e.tenant_id = ${field('$.tenant_id')}
    AND e.email_id = ${field('$.email_id')} AND e.dedupe_key = ${field('$.dedupe_key')} AND e.id = ${field(idPath)})`;
}

/**
 * D1 takes a bound string of up to 2 MB; rows go in JSON arrays of at most this many bytes, so a
 * batch of large events (long bounce diagnostics, big webhook payloads) takes a second statement
 * rather than failing.
 */
const MAX_JSON_BYTES = 1_000_000;

function jsonChunks(rows: unknown[]): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let bytes = 2;
  for (const row of rows) {
    const json = JSON.stringify(row);
    const size = new TextEncoder().encode(json).length + 1;
    if (current.length > 0 && bytes + size > MAX_JSON_BYTES) {
      chunks.push(`[${current.join(',')}]`);
      current = [];
      bytes = 2;
    }
    current.push(json);
    bytes += size;
  }
  if (current.length > 0) chunks.push(`[${current.join(',')}]`);
  return chunks;
}

const COUNTERS = [
  'sent',
  'delivered',
  'bounced',
  'soft_bounced',
  'complained',
  'opened',
  'clicked',
  'machine_opened',
  'machine_clicked',
  'delayed',
  'failed',
] as const;

/** Which day counter an event adds to, if any (an unsubscribe adds to none). */
function counterOf(event: BatchEvent): (typeof COUNTERS)[number] | null {
  switch (event.type) {
    case 'email.sent':
      return 'sent';
    case 'email.delivered':
      return 'delivered';
    case 'email.bounced': {
      // Only a permanent bounce counts in the bounce rate, as SES counts it.
      const data = JSON.parse(event.data) as { bounce_type?: unknown };
      return data.bounce_type === 'Permanent' ? 'bounced' : 'soft_bounced';
    }
    case 'email.complained':
      return 'complained';
    case 'email.opened':
      return event.machine ? 'machine_opened' : 'opened';
    case 'email.clicked':
      return event.machine ? 'machine_clicked' : 'clicked';
    case 'email.delivery_delayed':
      return 'delayed';
    case 'email.failed':
      return 'failed';
    default:
      return null;
  }
}

// ---- The imports sweeper ---------------------------------------------------------------------------

/**
 * Why cross-tenant: the imports sweeper is a system job over all tenants, like the send sweeper. The
 * imports still queued or processing whose last progress is older than `olderThan`, oldest first,
 * each with the chunks it has recorded; the sweeper then claims and fails each under its own tenant
 * (claimStalledImport, failContactImport).
 */
export async function findStalledImports(db: Db, olderThan: Date, limit: number) {
  // A row the previous version wrote before migration 0017's deploy has no progressed_at yet.
  const lastProgress = sql<string>`coalesce(i.progressed_at, i.created_at)`;
  const rows = await db
    .selectFrom('contact_imports as i')
    .select([
      'i.tenant_id',
      'i.id',
      'i.file_key',
      'i.file_bytes',
      'i.total_rows',
      'i.chunk_count',
      'i.progressed_at',
      'i.options',
    ])
    .select((eb) =>
      eb
        .selectFrom('contact_import_chunks as c')
        .select(sql<string>`json_group_array(json_array(c.chunk, c.rows))`.as('done'))
        .whereRef('c.import_id', '=', 'i.id')
        .as('done'),
    )
    .where('i.status', 'in', ['queued', 'processing'])
    .where(lastProgress, '<', olderThan.toISOString())
    .orderBy(lastProgress)
    .limit(limit)
    .execute();
  return rows.map(({ done, ...row }) => ({
    ...row,
    /** The chunks recorded as applied, with the rows each held. */
    done: (JSON.parse(done ?? '[]') as [number, number][]).map(([chunk, rows]) => ({ chunk, rows })),
  }));
}

// ---- The webhook sweeper ---------------------------------------------------------------------------

/**
 * Why cross-tenant: the webhook sweeper is a system job over all tenants, as the send sweeper is. It
 * returns only (tenant, id, attempts), and the deliverer re-reads each delivery under its tenant.
 *
 * Takes the deliveries stranded in `pending`, due (`next_attempt_at`) before `olderThan`: oldest
 * first, at most `limit`. Their queue message was lost (a local restart, a platform fault), since a
 * message arrives when its delivery is due. In the same statement each one's `next_attempt_at`
 * becomes `now`, so taking it is a claim: a sweep running at the same time cannot take it too, and
 * the next sweeps leave it alone until it is stranded again. `attempts` is the count at the claim,
 * for the queue message: the deliverer sends only while no attempt has been made since.
 */
export async function claimStrandedWebhookDeliveries(db: Db, olderThan: Date, now: Date, limit: number) {
  const before = olderThan.toISOString();
  return (
    db
      .updateTable('webhook_deliveries')
      .set({ next_attempt_at: now.toISOString() })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('webhook_deliveries')
          .select('id')
          // 'pending' as a literal, not a bound value: SQLite may use the partial index
          // webhook_deliveries_due (migration 0016) only when this WHERE implies the index's own,
          // and a literal shows that at prepare time, whatever the planner does with bound values.
          .where('status', '=', sql.lit('pending'))
          .where('next_attempt_at', '<', before)
          .orderBy('next_attempt_at')
          .limit(limit),
      )
      // In no promised order: the oldest are the ones taken, and a queue keeps no order anyway.
      .returning(['tenant_id', 'id', 'attempts'])
      .execute()
  );
}

// ---- The webhook deliverer's batch: deliveries of many tenants -------------------------------------

/** A queue message's delivery: `attempts` is the count it was sent at (null: an older message without). */
export interface WebhookDeliveryRef {
  tenant_id: string;
  id: string;
  attempts: number | null;
}

/** A delivery claimed for one attempt (`attempts`: the count with this attempt) and what sending it needs. */
export interface ClaimedWebhookDelivery {
  tenant_id: string;
  id: string;
  webhook_id: string;
  payload: string;
  created_at: string;
  attempts: number;
  endpoint: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
  webhook_status: 'enabled' | 'disabled';
}

const DELIVERY_REFS = `(SELECT DISTINCT json_extract(value, '$.tenant_id') AS tenant_id, json_extract(value, '$.id') AS id,
  json_extract(value, '$.attempts') AS attempts FROM json_each(?1)) AS ref`;
// A pending delivery a ref names, at the ref's count (any count for a ref without one).
const CLAIMABLE_DELIVERY = `d.tenant_id = ref.tenant_id AND d.id = ref.id AND d.status = 'pending'
  AND (ref.attempts IS NULL OR d.attempts = ref.attempts)`;

/**
 * Why cross-tenant: a webhooks queue batch mixes tenants; each ref names its own tenant and only
 * (tenant, id) pairs match, as their messages do.
 *
 * One round trip (a D1 batch, one transaction) that reads the refs' pending deliveries with their
 * webhook's endpoint, secrets and status, and claims each one's next attempt: `attempts` moves on
 * only where it is still the ref's count, so of two messages naming the same attempt (a queue's
 * duplicate, a swept copy, in this batch or another at the same time) exactly one gets the claim
 * and the other finds the count moved on. Only claimed deliveries are returned.
 *
 * The claim writes `next_attempt_at` only when the sweeper could otherwise take the delivery before
 * the attempt ends (`lateBefore`: due that long ago, a message that waited in a backed-up queue): it
 * then moves to `until`, past the attempt's end. A message that arrives about when its delivery is due
 * leaves it as it is, which writes one row (the index webhook_deliveries_due is not touched) instead
 * of three; if the worker dies mid-attempt the sweeper still finds it stranded, on time.
 */
export async function claimWebhookDeliveryBatch(
  d1: D1Database,
  refs: WebhookDeliveryRef[],
  claim: { lateBefore: string; until: string },
): Promise<ClaimedWebhookDelivery[]> {
  if (refs.length === 0) return [];
  const json = JSON.stringify(refs);
  const [read, onTime, late] = await runBatch(d1, [
    // Before the claims, in the same transaction: the rows as the claims find them.
    raw(
      `SELECT d.tenant_id, d.id, d.webhook_id, d.payload, d.created_at, w.endpoint, w.secret, w.previous_secret,
        w.previous_secret_expires_at, w.status AS webhook_status
      FROM ${DELIVERY_REFS}
      JOIN webhook_deliveries AS d ON ${CLAIMABLE_DELIVERY}
      JOIN webhooks AS w ON w.tenant_id = d.tenant_id AND w.id = d.webhook_id`,
      [json],
    ),
    // Two claims on disjoint rows (due since `lateBefore` or not), so neither takes what the other did.
    // (RETURNING names the updated table's columns unqualified: SQLite resolves no alias there.)
    raw(
      `UPDATE webhook_deliveries AS d SET attempts = d.attempts + 1
      FROM ${DELIVERY_REFS}
      WHERE ${CLAIMABLE_DELIVERY} AND (d.next_attempt_at IS NULL OR d.next_attempt_at >= ?2)
      RETURNING tenant_id, id, attempts`,
      [json, claim.lateBefore],
    ),
    raw(
      `UPDATE webhook_deliveries AS d SET attempts = d.attempts + 1, next_attempt_at = ?3
      FROM ${DELIVERY_REFS}
      WHERE ${CLAIMABLE_DELIVERY} AND d.next_attempt_at < ?2
      RETURNING tenant_id, id, attempts`,
      [json, claim.lateBefore, claim.until],
    ),
  ]);
  type Read = Omit<ClaimedWebhookDelivery, 'attempts'>;
  type Claimed = Pick<ClaimedWebhookDelivery, 'tenant_id' | 'id' | 'attempts'>;
  const key = (row: { tenant_id: string; id: string }) => `${row.tenant_id}\u0000${row.id}`;
  const rows = new Map(((read?.results ?? []) as Read[]).map((row) => [key(row), row]));
  return [...((onTime?.results ?? []) as Claimed[]), ...((late?.results ?? []) as Claimed[])].flatMap(
    (claimed) => {
      const row = rows.get(key(claimed));
      return row ? [{ ...row, attempts: claimed.attempts }] : [];
    },
  );
}

/** One attempt's outcome, for recordWebhookAttempts. */
export interface WebhookAttemptRecord {
  tenant_id: string;
  /** The delivery's id. */
  id: string;
  webhook_id: string;
  /** The attempt's number: the count its claim moved `attempts` to. */
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  at: string;
  /** Where the delivery goes: delivered, pending (with next_attempt_at) or failed. */
  status: 'pending' | 'delivered' | 'failed';
  next_attempt_at: string | null;
  /**
   * Disables the webhook too, with this reason: at once (a 410), or, with `unless_delivered_since`,
   * only if no delivery to it succeeded after that time (an endpoint failing for days).
   */
  disable_webhook?: { reason: string; unless_delivered_since?: string };
}

/**
 * Why cross-tenant: a webhooks queue batch's attempts span tenants; each record names its tenant,
 * and every statement matches (tenant, id) pairs.
 *
 * One round trip of multi-row statements, each binding one JSON array: the attempt rows (written
 * only for the tenant's delivery; webhook_attempts has no tenant_id), every delivery's move, and,
 * when a record asks, the webhooks disabled. A delivery moves only while `attempts` is the record's
 * (its claim's), so a late write never overwrites a newer attempt. The disabling runs after the
 * moves, so a delivery to the same webhook that succeeded in this batch counts as a sign of life.
 */
export async function recordWebhookAttempts(d1: D1Database, records: WebhookAttemptRecord[]): Promise<void> {
  if (records.length === 0) return;
  const rows = records.map(({ disable_webhook, ...record }) => record);
  const disables = records.flatMap((record) =>
    record.disable_webhook
      ? [
          {
            tenant_id: record.tenant_id,
            webhook_id: record.webhook_id,
            reason: record.disable_webhook.reason,
            at: record.at,
            since: record.disable_webhook.unless_delivered_since ?? null,
          },
        ]
      : [],
  );
  const field = (name: string) => `json_extract(o.value, '$.${name}')`;
  await runBatch(d1, [
    ...jsonChunks(rows).flatMap((json) => [
      raw(
        `INSERT INTO webhook_attempts (delivery_id, attempt, status_code, error, duration_ms, at)
        SELECT d.id, ${['attempt', 'status_code', 'error', 'duration_ms', 'at'].map(field).join(', ')}
        FROM json_each(?1) AS o
        JOIN webhook_deliveries AS d ON d.tenant_id = ${field('tenant_id')} AND d.id = ${field('id')}
        WHERE true
        ON CONFLICT DO NOTHING`,
        [json],
      ),
      raw(
        `UPDATE webhook_deliveries AS d
        SET status = o.status, next_attempt_at = o.next_attempt_at, last_status_code = o.status_code,
          last_error = o.error, delivered_at = CASE WHEN o.status = 'delivered' THEN o.at ELSE d.delivered_at END
        FROM (SELECT ${[
          'tenant_id',
          'id',
          'attempt',
          'status',
          'next_attempt_at',
          'status_code',
          'error',
          'at',
        ]
          .map((name) => `json_extract(value, '$.${name}') AS ${name}`)
          .join(', ')} FROM json_each(?1)) AS o
        WHERE d.tenant_id = o.tenant_id AND d.id = o.id AND d.attempts = o.attempt`,
        [json],
      ),
    ]),
    ...(disables.length === 0
      ? []
      : [
          raw(
            `UPDATE webhooks AS w SET status = 'disabled', disabled_reason = x.reason, updated_at = x.at
            FROM (SELECT ${['tenant_id', 'webhook_id', 'reason', 'at', 'since']
              .map((name) => `json_extract(value, '$.${name}') AS ${name}`)
              .join(', ')} FROM json_each(?1)) AS x
            WHERE w.tenant_id = x.tenant_id AND w.id = x.webhook_id
              AND (x.since IS NULL OR NOT EXISTS (SELECT 1 FROM webhook_deliveries AS d
                WHERE d.tenant_id = x.tenant_id AND d.webhook_id = x.webhook_id
                  AND d.status = 'delivered' AND d.delivered_at > x.since))`,
            [JSON.stringify(disables)],
          ),
        ]),
  ]);
}

// ---- The send consumer's batch: claims and outcomes of emails of many tenants -------------------------

// The settling test: a claim that ran out (its delivery died, perhaps mid-send) and is not settling yet.
const RUN_OUT = `status = 'sending' AND (claim_token IS NULL OR claim_token != '${SETTLING}')
  AND (claimed_until IS NULL OR claimed_until < ?2)`;
// What may be claimed: queued, scheduled and due (a second early at most, for clock skew), or a
// settling email whose window is over.
const CLAIMABLE = `status = 'queued' OR (status = 'scheduled' AND scheduled_at <= ?3)
  OR (status = 'sending' AND claim_token = '${SETTLING}' AND claimed_until < ?2)`;
const REFS = `(SELECT DISTINCT json_extract(value, '$.tenant_id') AS tenant_id, json_extract(value, '$.id') AS id
  FROM json_each(?1)) AS ref`;

/**
 * Why cross-tenant: a send queue batch mixes tenants; every ref names its own tenant (as its queue
 * message does) and only (tenant, id) pairs match. Reads the refs' rows with their send settings and
 * claims, in one statement, each one this delivery may send; a claim that ran out becomes `settling`
 * from now, in the same statement. One round trip (a D1 batch: the read sees the rows as they were
 * before the claim).
 */
export async function claimSendBatch(
  d1: D1Database,
  refs: SendRef[],
  claim: BatchClaim,
): Promise<ClaimedBatch> {
  const json = JSON.stringify(dedupe(refs));
  const now = claim.now.toISOString();
  const dueBy = new Date(claim.now.getTime() + 1000).toISOString();
  const read = d1
    .prepare(
      `SELECT e.*, d.open_tracking AS s_open_tracking, d.click_tracking AS s_click_tracking,
         d.tracking_hostname AS s_tracking_hostname, d.tls AS s_tls, d.id AS s_domain_id,
         st.id AS s_stream_id, st.configuration_set AS s_configuration_set, st.track_opens AS s_track_opens,
         st.track_clicks AS s_track_clicks, st.list_unsubscribe AS s_list_unsubscribe
       FROM ${REFS}
       JOIN emails e ON e.id = ref.id AND e.tenant_id = ref.tenant_id
       LEFT JOIN domains d ON d.tenant_id = e.tenant_id AND d.id = e.domain_id
       LEFT JOIN streams st ON st.tenant_id = e.tenant_id AND st.id = e.stream`,
    )
    .bind(json);
  // SET expressions read the row as it was, so each CASE sees the status the WHERE saw.
  const take = d1
    .prepare(
      `UPDATE emails SET
         status = 'sending',
         claim_token = CASE WHEN ${RUN_OUT} THEN '${SETTLING}' ELSE ?4 END,
         claimed_until = CASE WHEN ${RUN_OUT} THEN ?6 ELSE ?5 END,
         attempts = attempts + CASE WHEN ${RUN_OUT} THEN 0 ELSE 1 END,
         message_date = CASE WHEN ${RUN_OUT} THEN message_date ELSE coalesce(message_date, ?2) END
       FROM ${REFS}
       WHERE emails.tenant_id = ref.tenant_id AND emails.id = ref.id AND ((${CLAIMABLE}) OR (${RUN_OUT}))
       RETURNING emails.tenant_id, emails.id, emails.claim_token`,
    )
    .bind(
      json,
      now,
      dueBy,
      claim.token,
      new Date(claim.now.getTime() + claim.leaseMs).toISOString(),
      new Date(claim.now.getTime() + claim.settleMs).toISOString(),
    );
  const [rows, taken] = await d1.batch([read, take]);
  const found = new Map<string, EmailToSend>();
  for (const joined of (rows?.results ?? []) as Record<string, unknown>[]) {
    const { row, settings } = split(joined);
    found.set(refKey(row), { row, settings });
  }
  const claimed = new Set<string>();
  const settling = new Set<string>();
  for (const row of (taken?.results ?? []) as (SendRef & { claim_token: string })[]) {
    (row.claim_token === claim.token ? claimed : settling).add(refKey(row));
  }
  return { found, claimed, settling };
}

/** The joined row: the email's own columns, and its settings from the `s_` ones. */
function split(joined: Record<string, unknown>): EmailToSend {
  const row: Record<string, unknown> = {};
  const s: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(joined)) {
    if (column.startsWith('s_')) s[column.slice(2)] = value;
    else row[column] = value;
  }
  const email = row as unknown as EmailRow;
  const settings =
    s.domain_id === null
      ? undefined
      : sendSettingsOf(email.tenant_id, email.stream, s as unknown as SendSettingsRow);
  return { row: email, settings };
}

function dedupe(refs: SendRef[]): SendRef[] {
  return [...new Map(refs.map((ref) => [refKey(ref), { tenant_id: ref.tenant_id, id: ref.id }])).values()];
}

const OUTCOME_COLUMNS = `json_extract(value, '$.tenant_id') AS tenant_id, json_extract(value, '$.id') AS id,
  json_extract(value, '$.token') AS token, json_extract(value, '$.message_date') AS message_date,
  json_extract(value, '$.receipts') AS receipts, json_extract(value, '$.ses_message_id') AS ses_message_id,
  json_extract(value, '$.error') AS error, json_extract(value, '$.settle_until') AS settle_until`;

const SET_BY_KIND: Record<SendOutcome['kind'], string> = {
  // SES's own events (delivered, bounced...) may already have been recorded by the events worker.
  sent: `status = 'sent', last_event = CASE WHEN emails.last_event IN ('queued', 'scheduled') THEN 'sent' ELSE emails.last_event END,
    ses_message_id = o.ses_message_id, sent_at = ?2, claim_token = NULL, claimed_until = NULL, error = NULL`,
  released: `status = 'queued', claim_token = NULL, claimed_until = NULL, error = o.error`,
  settling: `claim_token = '${SETTLING}', claimed_until = o.settle_until, error = o.error`,
  failed: `status = 'failed', last_event = 'failed', claim_token = NULL, claimed_until = NULL, error = o.error`,
};

/**
 * Why cross-tenant: a send queue batch's outcomes span tenants; each names its tenant and email, and
 * is written only under its claim token. Records a batch's outcomes: one statement per kind present, all in one round trip. Each row is
 * written only while the outcome's claim token still holds it. Returns the emails now `failed` (the
 * ones to report: an outcome whose claim was lost changed nothing).
 */
export async function recordSendOutcomes(
  d1: D1Database,
  outcomes: SendOutcome[],
  now = new Date(),
): Promise<{ failed: (SendRef & { error: string })[] }> {
  const kinds = (['sent', 'released', 'settling', 'failed'] as const).filter((kind) =>
    outcomes.some((outcome) => outcome.kind === kind),
  );
  if (kinds.length === 0) return { failed: [] };
  const statements = kinds.map((kind) =>
    d1
      .prepare(
        // OR IGNORE: a row its constraints refuse (an SES message id recorded already) is left claimed,
        // to settle later, rather than failing every other email's outcome with it.
        `UPDATE OR IGNORE emails SET ${SET_BY_KIND[kind]},
           ses_receipts = coalesce(o.receipts, emails.ses_receipts),
           message_date = coalesce(emails.message_date, o.message_date)
         FROM (SELECT ${OUTCOME_COLUMNS} FROM json_each(?1)) AS o
         WHERE emails.tenant_id = o.tenant_id AND emails.id = o.id AND emails.claim_token = o.token
         RETURNING emails.tenant_id, emails.id, emails.error`,
      )
      // Only `sent` reads ?2 (sent_at), and D1 wants exactly the parameters a statement names.
      .bind(
        JSON.stringify(outcomes.filter((outcome) => outcome.kind === kind)),
        ...(kind === 'sent' ? [now.toISOString()] : []),
      ),
  );
  const results = await d1.batch(statements);
  const failedAt = kinds.indexOf('failed');
  const failed = failedAt < 0 ? [] : ((results[failedAt]?.results ?? []) as (SendRef & { error: string })[]);
  return { failed };
}
