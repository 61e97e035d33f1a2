// GET /usage (Resend's usage.get): this period's sends against the tenant's quotas — the daily send
// limit the operator sets (send: daily-quota.ts counts against the same daily_usage rows) — and
// what the tenant holds. Days and months are UTC, as the daily quota's.
import { type Caller, UNLIMITED, type UsageObject } from '@mailgrid/contracts';
import { createDb, tenantUsage } from '@mailgrid/db';
import type { Env } from './env';

export async function getUsage(env: Env, caller: Caller, now = new Date()): Promise<UsageObject> {
  const day = now.toISOString().slice(0, 10);
  const usage = await tenantUsage(createDb(env.DB), caller.tenant_id, day);
  const tomorrow = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return {
    object: 'usage',
    emails: {
      // Accepted emails count: what the daily limit counts (Mailgrid does not receive mail).
      daily: {
        used: usage.daily.used,
        limit: usage.daily.limit,
        sent: usage.daily.used,
        received: 0,
        resets_at: tomorrow.toISOString(),
      },
      // No monthly quota of its own: the month is bounded only by the daily limit.
      monthly: {
        used: usage.monthly.used,
        limit: UNLIMITED,
        sent: usage.monthly.used,
        received: 0,
        resets_at: nextMonth.toISOString(),
      },
    },
    contacts: { used: usage.contacts, limit: UNLIMITED },
    segments: { used: usage.segments, limit: null },
    broadcasts: { used: usage.broadcasts, limit: null },
    ai_credits: { used: 0, limit: null, next_increase_at: null },
    automation_runs: { used: 0, limit: UNLIMITED, resets_at: nextMonth.toISOString() },
    domains: { used: usage.domains, limit: null },
    rate_limit: { limit: usage.rate_limit_per_second, duration: '1s' },
  };
}
