// The tenant's daily send limit (set by the platform operator), checked at accept against the day's
// counter (daily_usage, added to in the batch that inserts the emails: see usageDay). Concurrent
// accepts may each read the counter before the other's batch lands, so a burst can pass the limit by
// a few; it is a quota, not a lock.
import { AppError } from '@mailgrid/contracts';

/** The UTC day an email accepted at `now` counts against. */
export function usageDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** `quota` is the tenant's limit and the day's count, read in the accept's read batch (lookups.ts). */
export function assertDailyQuota(
  quota: { limit: number | null; used: number },
  emails: number,
  now = new Date(),
): void {
  const midnight = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const { limit, used } = quota;
  if (limit === null || used + emails <= limit) return;
  const left = Math.max(0, limit - used);
  throw new AppError(
    'daily_quota_exceeded',
    `Daily sending quota reached: this account may send ${limit} emails per day (UTC) and has ${left} left today${
      emails > 1 ? `, fewer than the ${emails} in this request` : ''
    }. It resets at ${new Date(midnight.getTime() + 86_400_000).toISOString()}; ask the platform operator for a higher limit.`,
  );
}
