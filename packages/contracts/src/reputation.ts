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

export const REPUTATION_STATUSES = ['ok', 'warning', 'paused'] as const;
export type ReputationStatusName = (typeof REPUTATION_STATUSES)[number];

export const StreamReputation = v.pipe(
  v.object({
    object: v.literal('stream_reputation'),
    stream: v.string(),
    status: v.picklist(REPUTATION_STATUSES),
    /** The window: sends, permanent bounces and complaints, and the rates (fractions, 0..1). */
    sent: v.number(),
    bounced: v.number(),
    complained: v.number(),
    bounce_rate: v.number(),
    complaint_rate: v.number(),
    window_days: v.number(),
    minimum_sends: v.number(),
    reason: v.nullable(v.string()),
    warned_at: v.nullable(v.string()),
    paused_at: v.nullable(v.string()),
    resumed_at: v.nullable(v.string()),
  }),
  v.title('StreamReputation'),
  v.description("One stream's bounce and complaint rates over the window, and the guardrail's state."),
);
export type StreamReputation = v.InferOutput<typeof StreamReputation>;

export const ReputationList = v.pipe(
  v.object({ object: v.literal('list'), data: v.array(StreamReputation) }),
  v.title('ReputationList'),
  v.description("Every stream's reputation (not paged)."),
);
export type ReputationList = v.InferOutput<typeof ReputationList>;

export const ResumeSendingRequest = v.strictObject({
  /** One stream; without it every paused stream of the tenant is resumed. */
  stream: v.optional(v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,64}$/, 'stream is a stream id'))),
});
export type ResumeSendingRequest = v.InferOutput<typeof ResumeSendingRequest>;

export const ResumeResponse = v.pipe(
  v.object({
    object: v.literal('reputation_resume'),
    /** The streams that were paused and send again. */
    resumed: v.array(v.string()),
  }),
  v.title('ResumeResponse'),
  v.description('The streams that were paused and send again.'),
);
export type ResumeResponse = v.InferOutput<typeof ResumeResponse>;

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

export const StatsCounts = v.pipe(
  v.object({
    sent: v.number(),
    delivered: v.number(),
    /** Permanent bounces (the bounce rate's); soft bounces apart. */
    bounced: v.number(),
    soft_bounced: v.number(),
    complained: v.number(),
    opened: v.number(),
    clicked: v.number(),
    machine_opened: v.number(),
    machine_clicked: v.number(),
    delayed: v.number(),
    failed: v.number(),
    /** Fractions of `sent` (0 when nothing was sent). */
    delivery_rate: v.number(),
    bounce_rate: v.number(),
    complaint_rate: v.number(),
  }),
  v.title('StatsCounts'),
  v.description('Event counts, and rates as fractions of `sent` (0 when nothing was sent).'),
);
export type StatsCounts = v.InferOutput<typeof StatsCounts>;

export const StatsRow = v.pipe(
  v.object({ date: v.string(), stream: v.string(), ...StatsCounts.entries }),
  v.title('StatsRow'),
  v.description("One day's counts for one stream."),
);
export type StatsRow = v.InferOutput<typeof StatsRow>;

export const StatsResponse = v.pipe(
  v.object({
    object: v.literal('stats'),
    from: v.string(),
    to: v.string(),
    stream: v.nullable(v.string()),
    /** One row per day and stream that had events, oldest first. */
    data: v.array(StatsRow),
    totals: StatsCounts,
  }),
  v.title('StatsResponse'),
  v.description('Delivery stats per day and stream over `from`..`to`, with totals.'),
);
export type StatsResponse = v.InferOutput<typeof StatsResponse>;
