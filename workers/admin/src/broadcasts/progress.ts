// A broadcast's progress (from its recipient rows per status) and stats (recipients with at least one
// event of each kind), as GET /broadcasts/:id shows them.
import type { BroadcastProgress, BroadcastStats } from '@mailgrid/contracts';
import type { BroadcastRow, RecipientCounts } from '@mailgrid/db';

/** The stats' event kinds and the event types that count for them (`sent` is the rows' status). */
export const STAT_EVENTS = {
  delivered: 'email.delivered',
  opened: 'email.opened',
  clicked: 'email.clicked',
  bounced: 'email.bounced',
  complained: 'email.complained',
  unsubscribed: 'email.unsubscribed',
} as const;

export function progressOf(row: BroadcastRow, counts: RecipientCounts, now: Date): BroadcastProgress {
  const settled = counts.sent + counts.failed + counts.canceled;
  const pending = counts.scheduled + counts.queued + counts.sending;
  const total = row.recipients;
  return {
    recipients: total,
    sent: counts.sent,
    failed: counts.failed,
    skipped: counts.suppressed + counts.canceled,
    pending,
    // Whole percents, rounded down: 100 only once every recipient is settled.
    percentage: total === null ? 0 : total === 0 ? 100 : Math.min(100, Math.floor((100 * settled) / total)),
    estimated_finish_at: estimatedFinish(row, settled, now),
  };
}

/** At the pace since sending started; only while it is sending and the audience is counted. */
function estimatedFinish(row: BroadcastRow, settled: number, now: Date): string | null {
  if (row.status !== 'queued' || row.recipients === null || row.sent_at === null || settled === 0)
    return null;
  const elapsed = now.getTime() - Date.parse(row.sent_at);
  const remaining = Math.max(0, row.recipients - settled);
  if (!(elapsed > 0)) return null;
  return new Date(now.getTime() + (remaining * elapsed) / settled).toISOString();
}

export function statsOf(sent: number, withEvents: Map<string, number>): BroadcastStats {
  const count = (kind: keyof typeof STAT_EVENTS) => withEvents.get(STAT_EVENTS[kind]) ?? 0;
  return {
    sent,
    delivered: count('delivered'),
    opened: count('opened'),
    clicked: count('clicked'),
    bounced: count('bounced'),
    complained: count('complained'),
    unsubscribed: count('unsubscribed'),
  };
}
