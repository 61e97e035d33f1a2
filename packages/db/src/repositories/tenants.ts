// Tenants as the platform operator manages them, and the daily send quota's count. The operator's
// reads are the only ones not scoped by a tenant: the operator acts on tenants themselves.
import type {
  CreateTenantRequest,
  ListTenantsQuery,
  TenantStatus,
  UpdateTenantRequest,
} from '@mailgrid/contracts';
import type { Compilable } from 'kysely';
import { runBatch } from '../batch';
import { type Db, nowIso } from '../client';
import type { Tenant } from '../schema';
import { operatorAuditEntry } from './audit-log';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A tenant by id or slug. */
export async function findTenant(db: Db, ref: string): Promise<Tenant | null> {
  const row = await db
    .selectFrom('tenants')
    .selectAll()
    .where(UUID.test(ref) ? 'id' : 'slug', '=', ref.toLowerCase())
    .executeTakeFirst();
  return row ?? null;
}

export async function slugTaken(db: Db, slug: string): Promise<boolean> {
  return (
    (await db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirst()) !== undefined
  );
}

/**
 * The tenant row and its audit entry, plus `extra` (the first owner's invitation) in one batch.
 * Returns the tenant's id.
 */
export async function insertTenant(
  db: Db,
  d1: D1Database,
  requestId: string,
  id: string,
  input: CreateTenantRequest,
  extra: (tenantId: string) => Compilable[],
): Promise<void> {
  await runBatch(d1, [
    db.insertInto('tenants').values({
      id,
      slug: input.slug,
      name: input.name,
      daily_send_limit: input.daily_send_limit ?? null,
      ...(input.rate_limit
        ? { rate_limit_per_second: input.rate_limit.per_second, rate_limit_burst: input.rate_limit.burst }
        : {}),
      created_at: nowIso(),
    }),
    operatorAuditEntry(db, id, requestId, {
      action: 'tenant.created',
      target_type: 'tenant',
      target_id: id,
      summary: {
        name: input.name,
        slug: input.slug,
        daily_send_limit: input.daily_send_limit ?? null,
        rate_limit: input.rate_limit ?? null,
      },
    }),
    ...extra(id),
  ]);
}

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

export async function updateTenantRow(
  db: Db,
  d1: D1Database,
  requestId: string,
  tenant: Tenant,
  input: UpdateTenantRequest,
): Promise<void> {
  const changes: Partial<
    Pick<Tenant, 'name' | 'daily_send_limit' | 'rate_limit_per_second' | 'rate_limit_burst'>
  > = {};
  if (input.name !== undefined) changes.name = input.name;
  if (input.daily_send_limit !== undefined) changes.daily_send_limit = input.daily_send_limit;
  if (input.rate_limit) {
    changes.rate_limit_per_second = input.rate_limit.per_second;
    changes.rate_limit_burst = input.rate_limit.burst;
  }
  if (Object.keys(changes).length === 0) return;
  await runBatch(d1, [
    db.updateTable('tenants').set(changes).where('id', '=', tenant.id),
    operatorAuditEntry(db, tenant.id, requestId, {
      action: 'tenant.updated',
      target_type: 'tenant',
      target_id: tenant.id,
      summary: { ...input },
    }),
  ]);
}

export async function setTenantStatus(
  db: Db,
  d1: D1Database,
  requestId: string,
  tenantId: string,
  status: TenantStatus,
): Promise<void> {
  await runBatch(d1, [
    db.updateTable('tenants').set({ status }).where('id', '=', tenantId),
    operatorAuditEntry(db, tenantId, requestId, {
      action: status === 'suspended' ? 'tenant.suspended' : 'tenant.resumed',
      target_type: 'tenant',
      target_id: tenantId,
    }),
  ]);
}

/** Prefixes of the tenant's live keys: the gateway's cache entries to drop when the tenant changes. */
export async function liveKeyPrefixes(db: Db, tenantId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('api_keys')
    .select('prefix')
    .where('tenant_id', '=', tenantId)
    .where('revoked_at', 'is', null)
    .execute();
  return rows.map((row) => row.prefix);
}

/**
 * The daily quota at accept: the tenant's limit (null = unlimited) and, when there is one, how many
 * emails it accepted since `since` (UTC midnight), counted on the emails_by_tenant index.
 */
/** The tenant's daily send limit and what it accepted on `day` (YYYY-MM-DD, UTC): one read. */
export async function dailySendUsage(
  db: Db,
  tenantId: string,
  day: string,
): Promise<{ limit: number | null; used: number }> {
  const row = await db
    .selectFrom('tenants as t')
    .leftJoin('daily_usage as u', (join) => join.onRef('u.tenant_id', '=', 't.id').on('u.day', '=', day))
    .select(['t.daily_send_limit', 'u.accepted'])
    .where('t.id', '=', tenantId)
    .executeTakeFirst();
  return { limit: row?.daily_send_limit ?? null, used: row?.accepted ?? 0 };
}

/** Adds `count` accepted emails to the tenant's day: run it in the batch that inserts them. */
export function countAcceptedEmails(db: Db, tenantId: string, day: string, count: number) {
  return db
    .insertInto('daily_usage')
    .values({ tenant_id: tenantId, day, accepted: count })
    .onConflict((conflict) =>
      conflict.columns(['tenant_id', 'day']).doUpdateSet((eb) => ({
        accepted: eb('daily_usage.accepted', '+', count),
      })),
    );
}
