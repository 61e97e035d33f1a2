// Sending domains. A deleted domain that emails still reference stays as a tombstone (`deleted_at`)
// because emails.domain_id is a foreign key; every read here skips tombstones, so to the API and
// to sending it is gone. The check that no other tenant holds a name (SES has one identity per name in
// the account) is in cross-tenant.ts.
import type { Caller } from '@mailgrid/contracts';
import { type Compilable, type SqlBool, sql } from 'kysely';
import { runBatch } from '../batch';
import { type Db, nowIso } from '../client';
import { inJsonList } from '../json-list';
import { listNewestFirst, type PageRequest } from '../pagination';
import type { DomainStatus } from '../schema';
import { auditEntry } from './audit-log';

export async function domainBelongsToTenant(db: Db, tenantId: string, domainId: string): Promise<boolean> {
  const row = await db
    .selectFrom('domains')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', domainId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** What accepting and sending read of a domain. */
const SENDING_DOMAIN_COLUMNS = [
  'id',
  'name',
  'status',
  'open_tracking',
  'click_tracking',
  'tracking_hostname',
  'custom_return_path',
  'sending',
] as const;

/** The tenant's domain of that name (lower-case), verified or not, with what sending reads. */
export async function findDomainByName(db: Db, tenantId: string, name: string) {
  return db
    .selectFrom('domains')
    .select(SENDING_DOMAIN_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('name', '=', name.toLowerCase())
    .where('deleted_at', 'is', null)
    .where('pending_claim_id', 'is', null)
    .executeTakeFirst();
}

/**
 * The tenant's sending domains named (lower-case), or all of them, with what `findDomainByName`
 * reads: one statement for an accept's read batch (not run here). `all` serves an accept whose
 * sender comes from a template, known only once the template is read in the same batch.
 */
export function sendingDomainsQuery(db: Db, tenantId: string, names: Iterable<string> | 'all') {
  const query = db
    .selectFrom('domains')
    .select(SENDING_DOMAIN_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('deleted_at', 'is', null)
    .where('pending_claim_id', 'is', null);
  return names === 'all' ? query : query.where(inJsonList('name', names));
}

export type DomainRow = Awaited<ReturnType<typeof getDomainRow>> & {};

export async function getDomainRow(db: Db, tenantId: string, id: string) {
  return db
    .selectFrom('domains')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/** The tenant's row of that name, tombstone or not (a re-added domain takes its tombstone's place). */
export async function findDomainRowByName(db: Db, tenantId: string, name: string) {
  return db
    .selectFrom('domains')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('name', '=', name)
    .executeTakeFirst();
}

/** Newest first, Resend's cursors, deleted domains (kept as history) left out; null for an unknown cursor. */
export async function listDomainRows(db: Db, tenantId: string, page: PageRequest) {
  return listNewestFirst(db, tenantId, 'domains', page, sql<SqlBool>`deleted_at IS NULL`);
}

export interface NewDomain {
  /** Chosen by the caller when SES needs it first (a TLS-enforced domain's configuration set). */
  id?: string;
  name: string;
  region: string;
  custom_return_path: string;
  open_tracking: number | null;
  click_tracking: number | null;
  tracking_hostname: string | null;
  dkim_tokens: string[];
  tls?: 'opportunistic' | 'enforced';
  sending?: 'enabled' | 'disabled';
  /** A claim's placeholder (domain-claims.ts) names its claim here. */
  pending_claim_id?: string | null;
}

/**
 * Inserts the domain with its audit entry, or, when the tenant deleted a domain of that name that
 * emails still reference, brings that row back as new (same id, fresh state). Returns the id.
 */
export async function insertDomain(
  db: Db,
  d1: D1Database,
  caller: Caller,
  input: NewDomain,
  tombstoneId: string | null,
  /** Written in the same batch (a claim's own row), given the domain's id. */
  also: (id: string) => Compilable[] = () => [],
): Promise<string> {
  const now = nowIso();
  const id = tombstoneId ?? input.id ?? crypto.randomUUID();
  const fields = {
    region: input.region,
    status: 'not_started' as const,
    verified_at: null,
    created_at: now,
    open_tracking: input.open_tracking,
    click_tracking: input.click_tracking,
    tracking_hostname: input.tracking_hostname,
    custom_return_path: input.custom_return_path,
    dkim_tokens: JSON.stringify(input.dkim_tokens),
    record_status: '{}',
    last_checked_at: null,
    updated_at: now,
    deleted_at: null,
    tls: input.tls ?? 'opportunistic',
    sending: input.sending ?? 'enabled',
    pending_claim_id: input.pending_claim_id ?? null,
  };
  const write = tombstoneId
    ? db
        .updateTable('domains')
        .set(fields)
        .where('tenant_id', '=', caller.tenant_id)
        .where('id', '=', tombstoneId)
        .where('deleted_at', 'is not', null)
    : db.insertInto('domains').values({ id, tenant_id: caller.tenant_id, name: input.name, ...fields });
  await runBatch(d1, [
    write,
    auditEntry(db, caller, {
      action: 'domain.created',
      target_type: 'domain',
      target_id: id,
      summary: {
        name: input.name,
        region: input.region,
        custom_return_path: input.custom_return_path,
        open_tracking: input.open_tracking,
        click_tracking: input.click_tracking,
        tracking_hostname: input.tracking_hostname,
        ...(input.tls ? { tls: input.tls } : {}),
        ...(input.sending ? { sending: input.sending } : {}),
        ...(input.pending_claim_id ? { claim_id: input.pending_claim_id } : {}),
      },
    }),
    ...also(id),
  ]);
  return id;
}

export interface DomainChanges {
  open_tracking?: number | null;
  click_tracking?: number | null;
  tracking_hostname?: string | null;
  custom_return_path?: string;
  dkim_tokens?: string;
  status?: DomainStatus;
  verified_at?: string | null;
  last_checked_at?: string;
  record_status?: string;
  tls?: 'opportunistic' | 'enforced';
  sending?: 'enabled' | 'disabled';
}

/** One change to a live domain with its audit entry (`domain.updated`, `domain.verified`…). */
export async function changeDomain(
  db: Db,
  d1: D1Database,
  caller: Caller,
  id: string,
  changes: DomainChanges,
  audit: { action: string; summary: Record<string, unknown> },
): Promise<void> {
  await runBatch(d1, [
    db
      .updateTable('domains')
      .set({ ...changes, updated_at: nowIso() })
      .where('tenant_id', '=', caller.tenant_id)
      .where('id', '=', id)
      .where('deleted_at', 'is', null),
    auditEntry(db, caller, {
      action: audit.action,
      target_type: 'domain',
      target_id: id,
      summary: audit.summary,
    }),
  ]);
}

/** Names of the tenant's live API keys that may only send from this domain. */
export async function keysRestrictedToDomain(db: Db, tenantId: string, domainId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('api_keys')
    .select('name')
    .where('tenant_id', '=', tenantId)
    .where('domain_id', '=', domainId)
    .where('revoked_at', 'is', null)
    .execute();
  return rows.map((row) => row.name);
}

/**
 * Deletes the domain with its audit entry: the row goes when nothing references it, else it becomes
 * a tombstone (its emails and revoked keys keep pointing at it, so their history stays whole).
 */
export async function deleteDomainRow(
  db: Db,
  d1: D1Database,
  caller: Caller,
  domain: { id: string; name: string },
): Promise<'removed' | 'tombstoned'> {
  const referenced =
    (await db
      .selectFrom('emails')
      .select('id')
      .where('tenant_id', '=', caller.tenant_id)
      .where('domain_id', '=', domain.id)
      .limit(1)
      .executeTakeFirst()) !== undefined ||
    (await db
      .selectFrom('api_keys')
      .select('id')
      .where('tenant_id', '=', caller.tenant_id)
      .where('domain_id', '=', domain.id)
      .limit(1)
      .executeTakeFirst()) !== undefined;
  const now = nowIso();
  await runBatch(d1, [
    referenced
      ? db
          .updateTable('domains')
          .set({ deleted_at: now, updated_at: now, status: 'not_started', verified_at: null })
          .where('tenant_id', '=', caller.tenant_id)
          .where('id', '=', domain.id)
      : db.deleteFrom('domains').where('tenant_id', '=', caller.tenant_id).where('id', '=', domain.id),
    auditEntry(db, caller, {
      action: 'domain.deleted',
      target_type: 'domain',
      target_id: domain.id,
      summary: { name: domain.name, kept_for_history: referenced },
    }),
  ]);
  return referenced ? 'tombstoned' : 'removed';
}

/**
 * Whether the tenant still has mail from this domain that has not gone to SES (scheduled, queued or
 * being sent): a claim does not take a domain from under it (blocked: pending_scheduled_emails).
 */
export async function hasUnsentEmailsFrom(db: Db, tenantId: string, domainId: string): Promise<boolean> {
  const row = await db
    .selectFrom('emails')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('status', 'in', ['scheduled', 'queued', 'sending'])
    .where('domain_id', '=', domainId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
