// Mailgrid extras: the reputation guardrail (GET /api/reputation, POST /api/reputation/resume) and
// delivery stats (GET /api/stats), both read from per tenant/stream/day event counters.
import * as v from 'valibot';

/**
 * The guardrail's levels, SES's own: SES reviews an account at a 5% bounce or 0.1% complaint rate,
 * and advises staying under 2% / 0.1%; Mailgrid warns a step before the review level and pauses at it.
 * Rates are over a rolling window of the last 7 UTC days (see workers/events/src/reputation.ts), and
 * only once the window holds enough sends to mean something.
 */
export const REPUTATION_LEVELS = {
  windowDays: 7,
  minimumSends: 200,
  warning: { bounceRate: 0.04, complaintRate: 0.0008 },
  pause: { bounceRate: 0.05, complaintRate: 0.001 },
} as const;

export type ReputationStatusName = 'ok' | 'warning' | 'paused';

export interface StreamReputation {
  object: 'stream_reputation';
  stream: string;
  status: ReputationStatusName;
  /** The window: sends, permanent bounces and complaints, and the rates (fractions, 0..1). */
  sent: number;
  bounced: number;
  complained: number;
  bounce_rate: number;
  complaint_rate: number;
  window_days: number;
  minimum_sends: number;
  reason: string | null;
  warned_at: string | null;
  paused_at: string | null;
  resumed_at: string | null;
}

export interface ReputationList {
  object: 'list';
  data: StreamReputation[];
}

export const ResumeSendingRequest = v.strictObject({
  /** One stream; without it every paused stream of the tenant is resumed. */
  stream: v.optional(v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,64}$/, 'stream is a stream id'))),
});
export type ResumeSendingRequest = v.InferOutput<typeof ResumeSendingRequest>;

export interface ResumeResponse {
  object: 'reputation_resume';
  /** The streams that were paused and send again. */
  resumed: string[];
}

const DAY = v.pipe(v.string(), v.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD'));

export const STATS_MAX_DAYS = 90;

export const StatsQuery = v.object({
  /** First day (UTC, inclusive); default six days before `to`. */
  from: v.optional(DAY),
  /** Last day (UTC, inclusive); default today. */
  to: v.optional(DAY),
  stream: v.optional(v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,64}$/, 'stream is a stream id'))),
  /** "true" to count machine opens/clicks in opened/clicked too (they are always shown apart). */
  include_machine: v.optional(v.picklist(['true', 'false'])),
});
export type StatsQuery = v.InferOutput<typeof StatsQuery>;

export interface StatsCounts {
  sent: number;
  delivered: number;
  /** Permanent bounces (the bounce rate's); soft bounces apart. */
  bounced: number;
  soft_bounced: number;
  complained: number;
  opened: number;
  clicked: number;
  machine_opened: number;
  machine_clicked: number;
  delayed: number;
  failed: number;
  /** Fractions of `sent` (0 when nothing was sent). */
  delivery_rate: number;
  bounce_rate: number;
  complaint_rate: number;
}

export interface StatsRow extends StatsCounts {
  date: string;
  stream: string;
}

export interface StatsResponse {
  object: 'stats';
  from: string;
  to: string;
  stream: string | null;
  /** One row per day and stream that had events, oldest first. */
  data: StatsRow[];
  totals: StatsCounts;
}
