// What GET /usage counts for a tenant: emails accepted today and this month (daily_usage, one row per
// day), the daily limit, and how many contacts, segments, broadcasts and domains it has. Counts
// read the tenant's own index ranges; this is a dashboard read, not a hot path.
import { sql } from 'kysely';
import type { Db } from '../client';

export interface TenantUsage {
  daily: { used: number; limit: number | null };
  monthly: { used: number };
  contacts: number;
  segments: number;
  broadcasts: number;
  domains: number;
  rate_limit_per_second: number;
}

/** `day` is today (YYYY-MM-DD, UTC); the month is the one it falls in. */
export async function tenantUsage(db: Db, tenantId: string, day: string): Promise<TenantUsage> {
  const month = `${day.slice(0, 7)}-01`;
  const count = (table: 'contacts' | 'segments' | 'broadcasts') =>
    db
      .selectFrom(table)
      .select(sql<number>`count(*)`.as('n'))
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
  const [tenant, days, contacts, segments, broadcasts, domains] = await Promise.all([
    db
      .selectFrom('tenants')
      .select(['daily_send_limit', 'rate_limit_per_second'])
      .where('id', '=', tenantId)
      .executeTakeFirst(),
    db
      .selectFrom('daily_usage')
      .select(['day', 'accepted'])
      .where('tenant_id', '=', tenantId)
      .where('day', '>=', month)
      .where('day', '<=', day)
      .execute(),
    count('contacts'),
    count('segments'),
    count('broadcasts'),
    db
      .selectFrom('domains')
      .select(sql<number>`count(*)`.as('n'))
      .where('tenant_id', '=', tenantId)
      .where('deleted_at', 'is', null)
      .where('pending_claim_id', 'is', null)
      .executeTakeFirst(),
  ]);
  return {
    daily: {
      used: days.find((row) => row.day === day)?.accepted ?? 0,
      limit: tenant?.daily_send_limit ?? null,
    },
    monthly: { used: days.reduce((sum, row) => sum + row.accepted, 0) },
    contacts: contacts?.n ?? 0,
    segments: segments?.n ?? 0,
    broadcasts: broadcasts?.n ?? 0,
    domains: domains?.n ?? 0,
    rate_limit_per_second: tenant?.rate_limit_per_second ?? 0,
  };
}

/**
 * What every accept checks about the tenant itself, as one statement for the accept's read batch:
 * its daily send limit, what it accepted on `day` (YYYY-MM-DD, UTC), and the streams the reputation
 * guardrail paused (`paused`: a JSON array of `{stream, reason}`). Not run here: see
 * workers/send/src/lookups.ts.
 */
export function acceptStateQuery(db: Db, tenantId: string, day: string) {
  return db
    .selectFrom('tenants as t')
    .leftJoin('daily_usage as u', (join) => join.onRef('u.tenant_id', '=', 't.id').on('u.day', '=', day))
    .select([
      't.daily_send_limit',
      'u.accepted',
      sql<string>`(SELECT json_group_array(json_object('stream', r.stream, 'reason', r.reason))
        FROM reputation_state r WHERE r.tenant_id = t.id AND r.status = 'paused')`.as('paused'),
    ])
    .where('t.id', '=', tenantId);
}
