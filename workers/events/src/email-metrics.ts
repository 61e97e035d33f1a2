// GET /api/emails/metrics, behind EventsRpc.getEmailMetrics: Resend's Email Metrics API computed from
// the emails and their events in D1 (one statement, @mailgrid/db's emailMetricsGroups). An email
// counts in the period it was accepted in. The statement groups by 15-minute UTC slices, which this
// file folds into hours, days, weeks (from Monday) or months of the asked time zone, so periods follow
// the zone's offsets, DST and half-hour zones included. Rates are fractions (0–1) and 0 over nothing.
import {
  AppError,
  type Caller,
  EMAIL_COUNT_METRICS,
  type EmailCountMetric,
  type EmailMetric,
  type EmailMetricsDimension,
  type EmailMetricsGranularity,
  type EmailMetricsQuery,
  type EmailMetricsResponse,
  METRICS_MAX_DAYS,
} from '@mailgrid/contracts';
import { createDb, type EmailMetricsGroupRow, emailMetricsGroups } from '@mailgrid/db';
import type { Env } from './env';

const DAY_MS = 86_400_000;
/** The most rows one answer carries; more is a 422 asking for a narrower question. */
export const METRICS_MAX_ROWS = 5000;
/** The most groups the statement may return before they are folded into periods. */
const MAX_GROUPS = 20_000;

type Counts = Record<EmailCountMetric, number>;

const RATES: Record<Exclude<EmailMetric, EmailCountMetric>, (c: Counts) => number> = {
  delivery_rate: (c) => ratio(c.delivered, c.sent),
  bounce_rate: (c) => ratio(c.bounced, c.sent),
  complaint_rate: (c) => ratio(c.complained, c.delivered),
  open_rate: (c) => ratio(c.unique_opened, c.delivered),
  click_rate: (c) => ratio(c.unique_clicked, c.delivered),
  unsubscribe_rate: (c) => ratio(c.unsubscribed, c.delivered),
};

export async function readEmailMetrics(
  env: Env,
  caller: Caller,
  query: EmailMetricsQuery,
  now = new Date(),
): Promise<EmailMetricsResponse> {
  const timezone = checkTimezone(query.timezone ?? 'UTC');
  const granularity = query.granularity ?? 'daily';
  const dimensions = query.dimensions ?? [];
  const metrics = query.metrics?.length ? query.metrics : [...EMAIL_COUNT_METRICS];
  checkCombination(query, dimensions);
  const { start, end } = metricsRange(query, timezone, granularity, now);

  const rows = await emailMetricsGroups(
    createDb(env.DB),
    caller.tenant_id,
    {
      from: start.toISOString(),
      to: end.toISOString(),
      domainIds: query.domain_id,
      emailIds: query.email_id,
      broadcastIds: query.broadcast_id,
      broadcastsOnly: dimensions.includes('broadcast'),
    },
    {
      slice: dimensions.includes('period') ? sliceFor(start, end, timezone, granularity) : null,
      domain: dimensions.includes('domain'),
      email: dimensions.includes('email'),
      broadcast: dimensions.includes('broadcast'),
    },
    MAX_GROUPS + 1,
  );
  if (rows.length > MAX_GROUPS) throw tooMany();

  const totals = zero();
  for (const row of rows) add(totals, row);
  const answer: EmailMetricsResponse = {
    object: 'metrics',
    start_date: start.toISOString(),
    end_date: end.toISOString(),
    metrics,
    dimensions,
    granularity,
    totals: pick(totals, metrics),
  };
  if (dimensions.length === 0) return answer;

  const groups = new Map<string, { keys: Record<string, string | null>; counts: Counts }>();
  if (dimensions.length === 1 && dimensions[0] === 'period') {
    // A time series alone shows every period, those without email too.
    for (const period of periodsBetween(start, end, timezone, granularity)) {
      groups.set(JSON.stringify({ period }), { keys: { period }, counts: zero() });
    }
  }
  for (const row of rows) {
    const keys = keysOf(row, dimensions, timezone, granularity);
    const id = JSON.stringify(keys);
    let group = groups.get(id);
    if (!group) {
      group = { keys, counts: zero() };
      groups.set(id, group);
    }
    add(group.counts, row);
  }
  if (groups.size > METRICS_MAX_ROWS) throw tooMany();
  answer.data = [...groups.values()]
    .sort((a, b) => compareKeys(a.keys, b.keys))
    .map(({ keys, counts }) => ({ ...keys, ...pick(counts, metrics) }));
  return answer;
}

/** The range asked for: [start, end), checked and within METRICS_MAX_DAYS for the granularity. */
export function metricsRange(
  query: Pick<EmailMetricsQuery, 'start_date' | 'end_date'>,
  timezone: string,
  granularity: EmailMetricsGranularity,
  now = new Date(),
): { start: Date; end: Date } {
  let end = query.end_date ? instant('end_date', query.end_date, timezone, true) : now;
  if (end > now) end = now;
  const start = query.start_date
    ? instant('start_date', query.start_date, timezone, false)
    : new Date(end.getTime() - 6 * DAY_MS);
  if (start > end) {
    throw new AppError(
      'validation_error',
      `start_date (${start.toISOString()}) is after end_date (${end.toISOString()}).`,
    );
  }
  const maxDays = granularity === 'hourly' ? METRICS_MAX_DAYS.hourly : METRICS_MAX_DAYS.other;
  if (end.getTime() - start.getTime() > maxDays * DAY_MS) {
    throw new AppError(
      'validation_error',
      `The range ${start.toISOString()}..${end.toISOString()} is longer than ${maxDays} days, the most ${granularity} metrics cover; ask for a shorter range.`,
    );
  }
  return { start, end };
}

/** A date alone is its whole day in the time zone: its start (start_date) or the next day's (end_date). */
function instant(name: string, value: string, timezone: string, isEnd: boolean): Date {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (day) {
    const [year, month, date] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const check = new Date(Date.UTC(year, month - 1, date));
    if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== date) {
      throw new AppError('validation_error', `${name} is not a calendar date: ${value}.`);
    }
    return localToInstant(year, month, date + (isEnd ? 1 : 0), 0, timezone);
  }
  // A datetime without an offset is UTC.
  const parsed = new Date(/(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}Z`);
  if (Number.isNaN(parsed.getTime())) {
    throw new AppError('validation_error', `${name} is not a valid date and time: ${value}.`);
  }
  return parsed;
}

/**
 * The coarsest UTC slice that never straddles two periods: days in UTC, hours in a zone whose offset
 * is whole hours over the range (nearly all), else quarter hours (India, Nepal, parts of Australia).
 */
function sliceFor(
  start: Date,
  end: Date,
  timezone: string,
  granularity: EmailMetricsGranularity,
): 'day' | 'hour' | 'quarter' {
  const utc = ['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT'].includes(formatter(timezone).resolvedOptions().timeZone);
  if (utc && granularity !== 'hourly') return 'day';
  const offsets = [offsetMinutes(start, timezone), offsetMinutes(end, timezone)];
  return offsets.every((offset) => offset % 60 === 0) ? 'hour' : 'quarter';
}

function checkTimezone(timezone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return timezone;
  } catch {
    throw new AppError(
      'validation_error',
      `timezone must be an IANA time zone such as UTC or America/New_York (got ${JSON.stringify(timezone)}).`,
    );
  }
}

function checkCombination(query: EmailMetricsQuery, dimensions: EmailMetricsDimension[]): void {
  const byEmail = dimensions.includes('email') || (query.email_id?.length ?? 0) > 0;
  const byBroadcast = dimensions.includes('broadcast') || (query.broadcast_id?.length ?? 0) > 0;
  if (byEmail && byBroadcast) {
    throw new AppError(
      'validation_error',
      'The email dimension and email_id cannot be combined with the broadcast dimension or broadcast_id.',
    );
  }
}

function tooMany(): AppError {
  return new AppError(
    'validation_error',
    `The answer would have more than ${METRICS_MAX_ROWS} rows; ask for a shorter range, a coarser granularity, fewer dimensions or a filter.`,
  );
}

function keysOf(
  row: EmailMetricsGroupRow,
  dimensions: EmailMetricsDimension[],
  timezone: string,
  granularity: EmailMetricsGranularity,
): Record<string, string | null> {
  const keys: Record<string, string | null> = {};
  if (dimensions.includes('period')) {
    keys.period = periodOf(new Date(`${row.slice}:00.000Z`), timezone, granularity);
  }
  if (dimensions.includes('domain')) {
    keys.domain_id = row.domain_id;
    keys.domain_name = row.domain_name;
  }
  if (dimensions.includes('email')) keys.email_id = row.email_id;
  if (dimensions.includes('broadcast')) {
    keys.broadcast_id = row.broadcast_id;
    keys.broadcast_name = row.broadcast_name;
  }
  return keys;
}

function compareKeys(a: Record<string, string | null>, b: Record<string, string | null>): number {
  for (const name of ['period', 'domain_name', 'domain_id', 'broadcast_name', 'broadcast_id', 'email_id']) {
    const order = (a[name] ?? '').localeCompare(b[name] ?? '');
    if (order !== 0) return order;
  }
  return 0;
}

/** The start (an ISO instant) of the period holding `at`, in the time zone. */
export function periodOf(at: Date, timezone: string, granularity: EmailMetricsGranularity): string {
  const local = localParts(at, timezone);
  let { year, month, day, hour } = local;
  if (granularity !== 'hourly') hour = 0;
  if (granularity === 'weekly') day -= (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
  if (granularity === 'monthly') day = 1;
  // Normalise a day pushed before the 1st (weeks starting in the previous month).
  const normal = new Date(Date.UTC(year, month - 1, day));
  [year, month, day] = [normal.getUTCFullYear(), normal.getUTCMonth() + 1, normal.getUTCDate()];
  return localToInstant(year, month, day, hour, timezone).toISOString();
}

/** Every period start from the one holding `start` to the one holding the last instant before `end`. */
function periodsBetween(
  start: Date,
  end: Date,
  timezone: string,
  granularity: EmailMetricsGranularity,
): string[] {
  const periods: string[] = [];
  const last = periodOf(new Date(Math.max(start.getTime(), end.getTime() - 1)), timezone, granularity);
  let current = periodOf(start, timezone, granularity);
  const step = { hourly: 3_600_000, daily: DAY_MS, weekly: 7 * DAY_MS, monthly: 31 * DAY_MS }[granularity];
  while (current <= last && periods.length <= METRICS_MAX_ROWS) {
    periods.push(current);
    // A step lands inside the next period whatever DST did (a day's 23–25 hours, etc.); the hour a
    // clock turned back repeats is one period, so the step goes on until the label changes.
    let probe = Date.parse(current) + step + (granularity === 'hourly' ? 0 : 3 * 3_600_000);
    let next = periodOf(new Date(probe), timezone, granularity);
    for (let tries = 0; next <= current && tries < 3; tries++) {
      probe += 3_600_000;
      next = periodOf(new Date(probe), timezone, granularity);
    }
    if (next <= current) break;
    current = next;
  }
  return periods;
}

function localParts(at: Date, timezone: string) {
  const parts = Object.fromEntries(
    formatter(timezone)
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
  };
}

/** Minutes the zone is ahead of UTC at `at`. */
function offsetMinutes(at: Date, timezone: string): number {
  const p = localParts(at, timezone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return Math.round((asUtc - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
}

/** The instant a local wall-clock time names (the later offset's reading when DST makes two). */
function localToInstant(year: number, month: number, day: number, hour: number, timezone: string): Date {
  const wall = Date.UTC(year, month - 1, day, hour);
  let guess = wall - offsetMinutes(new Date(wall), timezone) * 60_000;
  const corrected = wall - offsetMinutes(new Date(guess), timezone) * 60_000;
  if (corrected !== guess) guess = corrected;
  return new Date(guess);
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timezone: string): Intl.DateTimeFormat {
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timezone, format);
  }
  return format;
}

function zero(): Counts {
  return Object.fromEntries(EMAIL_COUNT_METRICS.map((name) => [name, 0])) as Counts;
}

function add(into: Counts, row: EmailMetricsGroupRow): void {
  for (const name of EMAIL_COUNT_METRICS) into[name] += Number(row[name] ?? 0);
}

function pick(counts: Counts, metrics: EmailMetric[]): Record<string, number> {
  return Object.fromEntries(
    metrics.map((name) => [
      name,
      name in RATES ? RATES[name as keyof typeof RATES](counts) : counts[name as EmailCountMetric],
    ]),
  );
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;
}
