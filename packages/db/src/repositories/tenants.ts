// Tenants as the platform operator manages them, and the daily send quota's count. Each function here
// acts on the one tenant it is given; the operator's lookups by slug and listing of all tenants are
// in cross-tenant.ts.
import type { CreateTenantRequest, TenantStatus, UpdateTenantRequest } from '@mailgrid/contracts';
import type { Compilable } from 'kysely';
import { runBatch } from '../batch';
import { type Db, nowIso } from '../client';
import type { Tenant } from '../schema';
import { operatorAuditEntry } from './audit-log';

/** The tenant's own row. */
export async function getTenantRow(db: Db, tenantId: string): Promise<Tenant | null> {
  const row = await db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirst();
  return row ?? null;
}

/** The new tenant `tenantId`: its row and audit entry, plus `extra` (the first owner's invitation) in one batch. */
export async function insertTenant(
  db: Db,
  d1: D1Database,
  tenantId: string,
  requestId: string,
  input: CreateTenantRequest,
  extra: (tenantId: string) => Compilable[],
): Promise<void> {
  const id = tenantId;
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

export async function updateTenantRow(
  db: Db,
  d1: D1Database,
  tenant: Tenant,
  requestId: string,
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
  tenantId: string,
  requestId: string,
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
