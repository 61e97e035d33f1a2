// GET /emails/metrics: Resend's Email Metrics API. Counts and rates over a date range, optionally
// broken down by period, sending domain, email or broadcast. Lists arrive comma-separated.
import * as v from 'valibot';
import { UUID_PATTERN } from './paging';

export const EMAIL_COUNT_METRICS = [
  'received',
  'delivered',
  'complained',
  'suppressed',
  'bounced',
  'bounced_transient',
  'bounced_permanent',
  'bounced_undetermined',
  'opened',
  'clicked',
  'unsubscribed',
  'delivery_delayed',
  'failed',
  'sent',
  'unique_opened',
  'unique_clicked',
] as const;
export const EMAIL_RATE_METRICS = [
  'delivery_rate',
  'open_rate',
  'click_rate',
  'bounce_rate',
  'complaint_rate',
  'unsubscribe_rate',
] as const;
export const EMAIL_METRICS = [...EMAIL_COUNT_METRICS, ...EMAIL_RATE_METRICS] as const;
export type EmailMetric = (typeof EMAIL_METRICS)[number];
export type EmailCountMetric = (typeof EMAIL_COUNT_METRICS)[number];
export const EMAIL_METRICS_DIMENSIONS = ['period', 'domain', 'email', 'broadcast'] as const;
export type EmailMetricsDimension = (typeof EMAIL_METRICS_DIMENSIONS)[number];
export const EMAIL_METRICS_GRANULARITIES = ['hourly', 'daily', 'weekly', 'monthly'] as const;
export type EmailMetricsGranularity = (typeof EMAIL_METRICS_GRANULARITIES)[number];

/** The longest range one request may cover: hourly buckets 7 days, the others 92 days. */
export const METRICS_MAX_DAYS = { hourly: 7, other: 92 } as const;
/** At most this many ids in one filter (D1 binds at most 100 parameters per statement). */
export const METRICS_MAX_FILTER_IDS = 40;

/** A comma-separated list, each item one of `options` (each once, in the order given). */
const listOf = <const T extends readonly string[]>(name: string, options: T) =>
  v.pipe(
    v.string(),
    v.maxLength(1000),
    v.transform((value) => [
      ...new Set(
        value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean),
      ),
    ]),
    v.array(v.picklist(options, `${name} must be a comma-separated list of: ${options.join(', ')}`)),
  );

const idList = (name: string) =>
  v.pipe(
    v.string(),
    v.maxLength(4000),
    v.transform((value) => [
      ...new Set(
        value
          .split(',')
          .map((item) => item.trim().toLowerCase())
          .filter(Boolean),
      ),
    ]),
    v.array(v.pipe(v.string(), v.regex(UUID_PATTERN, `${name} must be a comma-separated list of UUIDs`))),
    v.maxLength(METRICS_MAX_FILTER_IDS, `${name} may name at most ${METRICS_MAX_FILTER_IDS} ids`),
  );

const ISO_DATE_OR_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

export const EmailMetricsQuery = v.object({
  /** ISO 8601 date or datetime; default six days before `end_date`. */
  start_date: v.optional(
    v.pipe(v.string(), v.regex(ISO_DATE_OR_TIME, 'start_date must be an ISO 8601 date or datetime')),
  ),
  /** ISO 8601 date (the whole day) or datetime; default now; a time in the future is now. */
  end_date: v.optional(
    v.pipe(v.string(), v.regex(ISO_DATE_OR_TIME, 'end_date must be an ISO 8601 date or datetime')),
  ),
  /** IANA time zone periods are bucketed in (default UTC). */
  timezone: v.optional(v.pipe(v.string(), v.maxLength(64))),
  granularity: v.optional(
    v.picklist(EMAIL_METRICS_GRANULARITIES, 'granularity must be hourly, daily, weekly or monthly'),
  ),
  metrics: v.optional(listOf('metrics', EMAIL_METRICS)),
  dimensions: v.optional(listOf('dimensions', EMAIL_METRICS_DIMENSIONS)),
  domain_id: v.optional(idList('domain_id')),
  email_id: v.optional(idList('email_id')),
  broadcast_id: v.optional(idList('broadcast_id')),
});
export type EmailMetricsQuery = v.InferOutput<typeof EmailMetricsQuery>;

const Values = v.record(v.string(), v.nullable(v.union([v.number(), v.string()])));

export const EmailMetricsResponse = v.pipe(
  v.object({
    object: v.literal('metrics'),
    start_date: v.string(),
    end_date: v.string(),
    metrics: v.array(v.picklist(EMAIL_METRICS)),
    dimensions: v.array(v.picklist(EMAIL_METRICS_DIMENSIONS)),
    granularity: v.picklist(EMAIL_METRICS_GRANULARITIES),
    /** Each metric asked for over the whole range (rates as a fraction, 0–1). */
    totals: v.record(v.string(), v.number()),
    /**
     * With dimensions: one row per combination, the metrics plus `period` (the bucket's start),
     * `domain_id`/`domain_name`, `email_id`, `broadcast_id`/`broadcast_name`. Absent without.
     */
    data: v.optional(v.array(Values)),
  }),
  v.title('EmailMetricsResponse'),
  v.description('Counts and rates of the emails accepted in the range, in total and by dimension.'),
);
export type EmailMetricsResponse = v.InferOutput<typeof EmailMetricsResponse>;
