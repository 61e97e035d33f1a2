// The reputation guardrail, per tenant and stream. The events consumer keeps day counters (sends,
// permanent bounces, complaints…) in its D1 batch; after each batch the streams it touched are
// evaluated over a rolling window and moved to ok, warning (logged once per episode) or paused
// (send's accept refuses the stream until the tenant resumes it).
//
// The window is the last 7 UTC days of counters, read only once it holds ≥ 200 sends. SES judges
// a "representative volume" over a period rather than a fixed count; day buckets make the read a
// handful of rows per stream, where the "last N sends" would need a scan of events. A stream that
// sends little is not judged on a few unlucky bounces. Levels: REPUTATION_LEVELS (contracts).
import {
  type Caller,
  REPUTATION_LEVELS,
  type ReputationList,
  type ReputationStatusName,
  type ResumeResponse,
  type StreamReputation,
} from '@mailgrid/contracts';
import {
  auditEntry,
  createDb,
  type Db,
  type EventCountersRow,
  findPausedStreams,
  getReputationStates,
  listDayCounters,
  type ReputationStateRow,
  resumeReputationState,
  runBatch,
  upsertReputationState,
} from '@mailgrid/db';
import type { Committed } from './commit';
import type { Env } from './env';

/** Event types that move the rates: only these make a batch worth evaluating. */
const RATE_EVENTS = new Set(['email.sent', 'email.bounced', 'email.complained']);

export interface WindowFigures {
  sent: number;
  bounced: number;
  complained: number;
  bounce_rate: number;
  complaint_rate: number;
}

export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00.000Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return utcDay(date);
}

/** The window's sums for one stream: from its first day or its resume, less what a resume set aside. */
export function windowFigures(
  rows: EventCountersRow[],
  state: ReputationStateRow | undefined,
  today: string,
): WindowFigures {
  const windowStart = addDays(today, 1 - REPUTATION_LEVELS.windowDays);
  const resumedDay = state?.resumed_day && state.resumed_day >= windowStart ? state.resumed_day : null;
  const start = resumedDay ?? windowStart;
  let sent = 0;
  let bounced = 0;
  let complained = 0;
  for (const row of rows) {
    if (row.day < start || row.day > today) continue;
    sent += row.sent;
    bounced += row.bounced;
    complained += row.complained;
  }
  if (resumedDay && state) {
    sent = Math.max(0, sent - state.baseline_sent);
    bounced = Math.max(0, bounced - state.baseline_bounced);
    complained = Math.max(0, complained - state.baseline_complained);
  }
  return {
    sent,
    bounced,
    complained,
    bounce_rate: sent === 0 ? 0 : bounced / sent,
    complaint_rate: sent === 0 ? 0 : complained / sent,
  };
}

export function levelOf(figures: WindowFigures): ReputationStatusName {
  if (figures.sent < REPUTATION_LEVELS.minimumSends) return 'ok';
  const { pause, warning } = REPUTATION_LEVELS;
  if (figures.bounce_rate >= pause.bounceRate || figures.complaint_rate >= pause.complaintRate)
    return 'paused';
  if (figures.bounce_rate >= warning.bounceRate || figures.complaint_rate >= warning.complaintRate)
    return 'warning';
  return 'ok';
}

function percent(rate: number, digits = 2): string {
  return `${(rate * 100).toFixed(digits)}%`;
}

function reasonOf(level: ReputationStatusName, figures: WindowFigures): string {
  const levels = level === 'paused' ? REPUTATION_LEVELS.pause : REPUTATION_LEVELS.warning;
  return (
    `bounce rate ${percent(figures.bounce_rate)} (${figures.bounced} permanent bounces), complaint rate ` +
    `${percent(figures.complaint_rate, 3)} (${figures.complained} complaints) over ${figures.sent} sends in ` +
    `the last ${REPUTATION_LEVELS.windowDays} days; the ${level === 'paused' ? 'pause' : 'warning'} levels ` +
    `are ${percent(levels.bounceRate, 0)} bounces or ${percent(levels.complaintRate, 2)} complaints`
  );
}

/** The days the guardrail reads, ending today: what the consumer's write batch reads back. */
export function readWindow(now: Date): { from: string; to: string } {
  const today = utcDay(now);
  return { from: addDays(today, 1 - REPUTATION_LEVELS.windowDays), to: today };
}

/**
 * After the consumer's batch committed: evaluates the streams its new sends, bounces and complaints
 * belong to, from the states and counters the batch read back (commit.ts), and writes every stream
 * whose state moves, all tenants together, in one D1 batch: no write at all for a stream that stays
 * ok. Never throws (the events are stored; a failed evaluation is redone by the stream's next batch).
 */
export async function evaluateAfterBatch(
  db: Db,
  d1: D1Database,
  committed: Committed,
  now = new Date(),
): Promise<void> {
  const touched = new Map<string, { tenant_id: string; stream: string }>();
  for (const { row, email } of committed.stored) {
    if (RATE_EVENTS.has(row.type)) {
      touched.set(`${row.tenant_id}/${email.stream}`, { tenant_id: row.tenant_id, stream: email.stream });
    }
  }
  if (touched.size === 0) return;
  try {
    const { states, counters } = committed.reputation;
    const writes = [...touched.values()].flatMap(({ tenant_id, stream }) =>
      evaluateStream(
        db,
        tenant_id,
        stream,
        states.find((row) => row.tenant_id === tenant_id && row.stream === stream),
        counters.filter((row) => row.tenant_id === tenant_id && row.stream === stream),
        now,
      ),
    );
    await runBatch(d1, writes);
  } catch (err) {
    console.error(
      JSON.stringify({ worker: 'events', error: `reputation evaluation failed: ${String(err)}` }),
    );
  }
}

/** The stream's state write, if any: none while it is paused (only a resume moves it) or stays ok. */
function evaluateStream(
  db: Db,
  tenantId: string,
  stream: string,
  state: ReputationStateRow | undefined,
  counters: EventCountersRow[],
  now: Date,
) {
  if (state?.status === 'paused') return [];
  const today = utcDay(now);
  const at = now.toISOString();
  const figures = windowFigures(counters, state, today);
  const level = levelOf(figures);
  const previous = state?.status ?? 'ok';
  if (!state && level === 'ok') return [];
  const reason = level === 'ok' ? null : reasonOf(level, figures);
  if (level !== previous && level !== 'ok') {
    // The once-per-episode signal: ok → warning, or → paused.
    console.warn(
      JSON.stringify({
        event: `reputation.${level === 'paused' ? 'paused' : 'warning'}`,
        tenant_id: tenantId,
        stream,
        ...figures,
        reason,
      }),
    );
  }
  return [
    upsertReputationState(db, tenantId, stream, {
      status: level,
      ...figures,
      reason,
      warned_at: level === 'warning' && previous !== 'warning' ? at : (state?.warned_at ?? null),
      paused_at: level === 'paused' ? at : (state?.paused_at ?? null),
      updated_at: at,
    }),
  ];
}

function view(
  stream: string,
  state: ReputationStateRow | undefined,
  figures: WindowFigures,
): StreamReputation {
  const paused = state?.status === 'paused';
  return {
    object: 'stream_reputation',
    stream,
    status: paused ? 'paused' : levelOf(figures),
    // A paused stream shows the figures that paused it.
    sent: paused ? state.sent : figures.sent,
    bounced: paused ? state.bounced : figures.bounced,
    complained: paused ? state.complained : figures.complained,
    bounce_rate: paused ? state.bounce_rate : figures.bounce_rate,
    complaint_rate: paused ? state.complaint_rate : figures.complaint_rate,
    window_days: REPUTATION_LEVELS.windowDays,
    minimum_sends: REPUTATION_LEVELS.minimumSends,
    reason: paused ? state.reason : levelOf(figures) === 'ok' ? null : reasonOf(levelOf(figures), figures),
    warned_at: state?.warned_at ?? null,
    paused_at: state?.paused_at ?? null,
    resumed_at: state?.resumed_at ?? null,
  };
}

/** GET /api/reputation: every stream with a state or sends in the window, its live figures. */
export async function readReputation(env: Env, caller: Caller, now = new Date()): Promise<ReputationList> {
  const db = createDb(env.DB);
  const today = utcDay(now);
  const [states, counters] = await Promise.all([
    getReputationStates(db, caller.tenant_id),
    listDayCounters(db, caller.tenant_id, addDays(today, 1 - REPUTATION_LEVELS.windowDays), today),
  ]);
  const streams = [...new Set([...states.map((row) => row.stream), ...counters.map((row) => row.stream)])];
  return {
    object: 'list',
    data: streams.sort().map((stream) => {
      const state = states.find((row) => row.stream === stream);
      return view(
        stream,
        state,
        windowFigures(
          counters.filter((row) => row.stream === stream),
          state,
          today,
        ),
      );
    }),
  };
}

/** POST /api/reputation/resume: the paused stream (or all) sends again; audited. */
export async function resumeSending(
  env: Env,
  caller: Caller,
  stream: string | undefined,
  now = new Date(),
): Promise<ResumeResponse> {
  const db = createDb(env.DB);
  const paused = (await findPausedStreams(db, caller.tenant_id)).filter(
    (row) => stream === undefined || row.stream === stream,
  );
  if (paused.length === 0) return { object: 'reputation_resume', resumed: [] };
  const today = utcDay(now);
  const counters = await listDayCounters(db, caller.tenant_id, today, today);
  const at = now.toISOString();
  const queries = paused.flatMap((row) => {
    const day = counters.find((counter) => counter.stream === row.stream);
    return [
      resumeReputationState(db, caller.tenant_id, row.stream, at, {
        day: today,
        sent: day?.sent ?? 0,
        bounced: day?.bounced ?? 0,
        complained: day?.complained ?? 0,
      }),
      auditEntry(db, caller, {
        action: 'reputation.resumed',
        target_type: 'stream',
        target_id: row.stream,
        summary: { reason: row.reason },
      }),
    ];
  });
  await runBatch(env.DB, queries);
  return { object: 'reputation_resume', resumed: paused.map((row) => row.stream) };
}
