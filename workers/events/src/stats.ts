// GET /api/stats, behind EventsRpc.getStats: per day and stream counts and rates, read from the day
// counters the consumer keeps (never from events). Machine opens/clicks are shown apart and left out
// of opened/clicked unless asked for.
import {
  AppError,
  type Caller,
  STATS_MAX_DAYS,
  type StatsCounts,
  type StatsQuery,
  type StatsResponse,
} from '@mailgrid/contracts';
import { createDb, type EventCountersRow, listDayCounters } from '@mailgrid/db';
import type { Env } from './env';
import { addDays, utcDay } from './reputation';

const DEFAULT_DAYS = 7;

function checkDay(name: string, day: string): string {
  // The shape was checked by the gateway; this catches 2026-02-30 and the like.
  const date = new Date(`${day}T00:00:00.000Z`);
  if (Number.isNaN(date.getTime()) || utcDay(date) !== day) {
    throw new AppError('validation_error', `${name} is not a calendar date: ${day}.`);
  }
  return day;
}

/** The inclusive day range asked for, checked: from ≤ to, at most STATS_MAX_DAYS days. */
export function statsRange(query: StatsQuery, now = new Date()): { from: string; to: string } {
  const to = query.to ? checkDay('to', query.to) : utcDay(now);
  const from = query.from ? checkDay('from', query.from) : addDays(to, 1 - DEFAULT_DAYS);
  if (from > to) throw new AppError('validation_error', `from (${from}) is after to (${to}).`);
  if (addDays(from, STATS_MAX_DAYS - 1) < to) {
    throw new AppError(
      'validation_error',
      `The range ${from}..${to} is longer than ${STATS_MAX_DAYS} days; ask for ${STATS_MAX_DAYS} days at most.`,
    );
  }
  return { from, to };
}

function counts(rows: EventCountersRow[], includeMachine: boolean): StatsCounts {
  const sum = (pick: (row: EventCountersRow) => number) => rows.reduce((total, row) => total + pick(row), 0);
  const sent = sum((row) => row.sent);
  const delivered = sum((row) => row.delivered);
  const bounced = sum((row) => row.bounced);
  const complained = sum((row) => row.complained);
  const machineOpened = sum((row) => row.machine_opened);
  const machineClicked = sum((row) => row.machine_clicked);
  const rate = (part: number) => (sent === 0 ? 0 : part / sent);
  return {
    sent,
    delivered,
    bounced,
    soft_bounced: sum((row) => row.soft_bounced),
    complained,
    opened: sum((row) => row.opened) + (includeMachine ? machineOpened : 0),
    clicked: sum((row) => row.clicked) + (includeMachine ? machineClicked : 0),
    machine_opened: machineOpened,
    machine_clicked: machineClicked,
    delayed: sum((row) => row.delayed),
    failed: sum((row) => row.failed),
    delivery_rate: rate(delivered),
    bounce_rate: rate(bounced),
    complaint_rate: rate(complained),
  };
}

export async function readStats(
  env: Env,
  caller: Caller,
  query: StatsQuery,
  now = new Date(),
): Promise<StatsResponse> {
  const { from, to } = statsRange(query, now);
  const includeMachine = query.include_machine === 'true';
  const rows = await listDayCounters(createDb(env.DB), caller.tenant_id, from, to, query.stream);
  return {
    object: 'stats',
    from,
    to,
    stream: query.stream ?? null,
    data: rows.map((row) => ({ date: row.day, stream: row.stream, ...counts([row], includeMachine) })),
    totals: counts(rows, includeMachine),
  };
}
