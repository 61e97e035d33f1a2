// The only repository functions that may read or write across tenants, imported on purpose from
// `@mailgrid/db/cross-tenant` (the package's main entry does not re-export them). Every other
// repository function takes the tenant (or the Caller) right after its db handles and filters by it;
// test/tenant-scoping.test.ts checks both, and that this module exports only its allow-list.
// Each function says why it may cross tenants. Adding one is a decision: add it to that allow-list.
import type { ApiKeyRecord, Caller, ListTenantsQuery, UserRecord } from '@mailgrid/contracts';
import { type Compilable, sql } from 'kysely';
import { runBatch } from '../batch';
import { type Db, nowIso } from '../client';
import type { EmailsTable, InvitationRow, Tenant, UserRow } from '../schema';
import { auditEntry, systemAuditEntry } from './audit-log';
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

/**
 * Why cross-tenant: an events queue batch mixes tenants; every ref names its own tenant and only
 * (tenant, id) pairs match. The emails among `refs` (as SES's tags or a tracking token carry them) that exist.
 */
export async function findEmailsByRef(db: Db, refs: EmailRef[]) {
  return emailsByRef(db, refs, ['tenant_id', 'id', 'ses_message_id']);
}

/**
 * Why cross-tenant: as findEmailsByRef, for the webhook deliveries a batch causes. What a webhook
 * payload says about each email: sender, recipients, subject, when it was sent.
 */
export async function findEmailSummaries(db: Db, refs: EmailRef[]) {
  return emailsByRef(db, refs, [
    'tenant_id',
    'id',
    'from_address',
    'to_addresses',
    'subject',
    'created_at',
    'broadcast_id',
    'merge_data',
  ]);
}

/**
 * Why cross-tenant: the fallback for SES events without our tags; SES's message ids are unique
 * across the whole service (and in the table), and the tenant is what it finds.
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

/**
 * Why cross-tenant: a batch's events belong to several tenants; only the webhooks of the tenants
 * named are read. The enabled webhooks a batch of new events may be delivered to.
 */
export async function findEnabledWebhooks(db: Db, tenantIds: string[]) {
  if (tenantIds.length === 0) return [];
  return db
    .selectFrom('webhooks')
    .select(['id', 'tenant_id', 'events'])
    .where('tenant_id', 'in', tenantIds)
    .where('status', '=', 'enabled')
    .execute();
}

/**
 * Why cross-tenant: the events a consumer batch just stored (fresh, globally unique ids) belong to
 * several tenants; each is counted under its own tenant, joined to its email by (tenant, id).
 * Adds them to their tenant/stream/day counters. Put it in the D1 batch AFTER the events' inserts:
 * it counts the rows that are there, so an event dropped as a duplicate (its fresh id never stored)
 * is not counted twice. One statement per 90 events.
 */
export function countEvents(db: Db, eventIds: string[]) {
  const statements = [];
  for (let start = 0; start < eventIds.length; start += IDS_PER_STATEMENT) {
    const ids = eventIds.slice(start, start + IDS_PER_STATEMENT);
    const day = sql<string>`substr(e.occurred_at, 1, 10)`;
    statements.push(
      db
        .insertInto('event_counters')
        .columns(['tenant_id', 'stream', 'day', ...COUNTERS])
        .expression(
          db
            .selectFrom('events as e')
            .innerJoin('emails as m', (join) =>
              join.onRef('m.tenant_id', '=', 'e.tenant_id').onRef('m.id', '=', 'e.email_id'),
            )
            .select(['e.tenant_id', 'm.stream', day.as('day')])
            .select(COUNTERS.map((name) => sql<number>`sum(${COUNTED[name]})`.as(name)))
            .where('e.id', 'in', ids)
            .groupBy(['e.tenant_id', 'm.stream', day]),
        )
        .onConflict((conflict) =>
          conflict
            .columns(['tenant_id', 'stream', 'day'])
            .doUpdateSet(
              Object.fromEntries(
                COUNTERS.map((name) => [name, sql<number>`${sql.ref(name)} + excluded.${sql.ref(name)}`]),
              ),
            ),
        ),
    );
  }
  return statements;
}

export interface StreamRef {
  tenant_id: string;
  stream: string;
}

/**
 * Why cross-tenant: as countEvents, a batch's events span tenants. The distinct tenant/streams of
 * these events' emails, which the reputation guardrail then evaluates one tenant at a time.
 */
export async function streamsOfEvents(db: Db, eventIds: string[]): Promise<StreamRef[]> {
  const found = new Map<string, StreamRef>();
  for (let start = 0; start < eventIds.length; start += IDS_PER_STATEMENT) {
    const rows = await db
      .selectFrom('events as e')
      .innerJoin('emails as m', (join) =>
        join.onRef('m.tenant_id', '=', 'e.tenant_id').onRef('m.id', '=', 'e.email_id'),
      )
      .select(['e.tenant_id', 'm.stream'])
      .distinct()
      .where('e.id', 'in', eventIds.slice(start, start + IDS_PER_STATEMENT))
      .execute();
    for (const row of rows) found.set(`${row.tenant_id}/${row.stream}`, row);
  }
  return [...found.values()];
}

// ---- Internals -------------------------------------------------------------------------------------

/**
 * These columns of the emails named by (tenant, id). Two bound values per ref, and D1 allows 100 per
 * statement: asked in slices, so a queue batch of any size fits.
 */
async function emailsByRef<Column extends keyof EmailsTable & string>(
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
/** Event ids per counting statement, under D1_MAX_PARAMS. */
const IDS_PER_STATEMENT = 90;

function slices<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
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

/** Which counter an event row adds to (SQL over `e`, an events row). */
const COUNTED: Record<(typeof COUNTERS)[number], ReturnType<typeof sql<number>>> = {
  sent: sql`e.type = 'email.sent'`,
  delivered: sql`e.type = 'email.delivered'`,
  bounced: sql`e.type = 'email.bounced' AND json_extract(e.data, '$.bounce_type') = 'Permanent'`,
  soft_bounced: sql`e.type = 'email.bounced' AND coalesce(json_extract(e.data, '$.bounce_type'), '') <> 'Permanent'`,
  complained: sql`e.type = 'email.complained'`,
  opened: sql`e.type = 'email.opened' AND e.machine = 0`,
  clicked: sql`e.type = 'email.clicked' AND e.machine = 0`,
  machine_opened: sql`e.type = 'email.opened' AND e.machine = 1`,
  machine_clicked: sql`e.type = 'email.clicked' AND e.machine = 1`,
  delayed: sql`e.type = 'email.delivery_delayed'`,
  failed: sql`e.type = 'email.failed'`,
};

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
