// The dispatch step: for up to DISPATCH_STEP_MS, claim never-tried recipients a chunk at a time (one
// conditional UPDATE … RETURNING, only while this chain holds a sending broadcast), then hand them to
// SES as the pacer's tokens come (above the transactional reserve, and within the broadcast's own
// rate_per_second when it has one), each like any email (consumer.ts's attempt: deliver.ts, retries
// and unknown outcomes handed to the per-email queue, where settling from SES's Send event happens).
// Then queue the next step, or — with no recipient left to try — finish the broadcast once nothing is
// pending, counting rows, never asserting.
//
// D1 per recipient stays a small fraction of a statement, whatever the audience: a claim takes about a
// second of sending (up to CLAIM_MAX rows) in one statement, the domain's and stream's settings are
// read once per step, and outcomes are recorded together (outcomes.ts). Rows read stay flat: every
// statement finds its rows by the broadcast's index or by id, never by the tenant's.
import type { BroadcastQueueMessage } from '@mailgrid/contracts';
import {
  chainHolds,
  claimRecipients,
  createDb,
  type Db,
  type EmailRow,
  findBroadcast,
  getSendSettings,
  meteredD1,
  moveBroadcast,
  recipientCounts,
  releaseRecipients,
  type SendSettings,
  touchBroadcast,
} from '@mailgrid/db';
import { attempt, dispositionOf } from '../consumer';
import { config, type Env } from '../env';
import { StepOutcomes } from './outcomes';
import { enqueueStep } from './steps';

const DISPATCH_STEP_MS = 10_000;
/**
 * SES calls under way at once, per step: a Worker opens 6 connections at a time, and a call waiting
 * for one would spend its SES timeout (and its claim's lease) queued, then count as unanswered.
 */
const MAX_IN_FLIGHT = 6;
/**
 * A claim takes what the step can send in about CLAIM_SECONDS at the broadcast's pace, at most
 * CLAIM_MAX rows: few statements per recipient. Claimed rows wait for SES tokens, so the step looks at
 * the broadcast every CHECK_MS while some wait: a pause or cancel stops the sending within about that
 * long (as the next claim would), and the rows not sent are handed back.
 */
const CLAIM_SECONDS = 1;
const CLAIM_MAX = 100;
const CHECK_MS = 1000;
/** How often a finished broadcast with retries still pending looks again. */
const PENDING_RECHECK_SECONDS = 5;

export async function dispatchStep(env: Env, message: BroadcastQueueMessage): Promise<void> {
  const { db: d1, usage } = meteredD1(env.DB);
  const db = createDb(d1);
  const { tenant_id: tenantId, broadcast_id: id, token: chain } = message;
  const broadcast = await findBroadcast(db, tenantId, id);
  if (!broadcast || broadcast.dispatch_token !== chain || broadcast.status !== 'queued') return;

  const { SES_MAX_SEND_RATE: rate, SES_REGION, SEND_CLAIM_SECONDS, BROADCAST_RESERVE } = config(env);
  const pacer = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`ses:${SES_REGION}`));
  const rule = { per_second: rate, burst: rate };
  const reserve = Math.max(1, Math.ceil(rate * Math.min(0.5, BROADCAST_RESERVE)));
  const cap = broadcast.rate_per_second;
  const own = cap
    ? {
        bucket: env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`broadcast:${id}`)),
        rule: { per_second: cap, burst: Math.max(1, Math.ceil(cap)) },
      }
    : null;
  // The pace this broadcast can have: its own cap, or what the account leaves above the reserve.
  const pace = Math.min(cap ?? Number.POSITIVE_INFINITY, Math.max(1, rate - reserve));
  const claimSize = Math.min(CLAIM_MAX, Math.max(1, Math.ceil(pace * CLAIM_SECONDS)));
  const claimToken = crypto.randomUUID();
  const outcomes = new StepOutcomes(env, d1);
  const settings = stepSettings(db);
  /** Claimed by this step, not yet handed to SES. */
  const waiting: EmailRow[] = [];
  const inFlight = new Set<Promise<void>>();
  let claimed = 0;
  let exhausted = false;
  let stopped = false;
  let checked = Date.now();
  const until = Date.now() + DISPATCH_STEP_MS;
  while (Date.now() < until) {
    if (outcomes.due) await flushOrLog(outcomes, id);
    if (waiting.length > 0 && Date.now() - checked >= CHECK_MS) {
      checked = Date.now();
      if (!(await chainHolds(db, tenantId, id, chain))) {
        stopped = true; // paused, canceled or replaced: what waits is handed back below
        break;
      }
    }
    if (waiting.length === 0) {
      if (exhausted) break;
      const rows = await claimRecipients(db, tenantId, id, {
        chain,
        token: claimToken,
        limit: claimSize,
        leaseMs: SEND_CLAIM_SECONDS * 1000,
        now: new Date(),
      });
      claimed += rows.length;
      checked = Date.now();
      waiting.push(...rows);
      // Nothing left to try after these (or the chain lost the broadcast).
      if (rows.length < claimSize) exhausted = true;
      continue;
    }
    const room = MAX_IN_FLIGHT - inFlight.size;
    if (room <= 0) {
      await Promise.race(inFlight);
      continue;
    }
    const want = Math.min(room, waiting.length);
    // The broadcast's own cap first (its own bucket), then the account's budget above the reserve.
    const allowed = own ? (await own.bucket.takeUpTo(own.rule, want)).granted : want;
    if (allowed === 0) {
      await sleep(Math.max(20, 1000 / (own?.rule.per_second ?? rate)));
      continue;
    }
    const { granted } = await pacer.takeUpTo(rule, allowed, reserve);
    if (granted === 0) {
      await sleep(Math.max(20, 1000 / rate));
      continue;
    }
    for (const row of waiting.splice(0, granted)) {
      const sending: Promise<void> = sendOne(env, d1, row, settings(row), claimToken, outcomes).finally(() =>
        inFlight.delete(sending),
      );
      inFlight.add(sending);
    }
  }
  await Promise.all(inFlight);
  // Nothing left to try, or the chain stopped (the rest is the next chain's, or canceled).
  const finished = stopped || (exhausted && waiting.length === 0);
  // Rows still waiting for tokens (the step's time ran out, or the chain stopped): never-tried again.
  if (waiting.length > 0)
    await releaseRecipients(
      db,
      tenantId,
      id,
      claimToken,
      waiting.map((row) => row.id),
    );
  await outcomes.flush();
  if (finished) {
    await finishOrWait(env, db, message);
  } else {
    await touchBroadcast(db, tenantId, id, chain, new Date().toISOString());
    await enqueueStep(env, message, 0);
  }
  // One line per step, all its D1 use included (the benchmark and the cost tests read these).
  console.log(JSON.stringify({ event: 'broadcast.step', broadcast_id: id, claimed, d1: usage }));
}

/**
 * The domain's and stream's send settings, read once per step for all its recipients (they share
 * both); undefined lets deliver.ts read them itself (and say so, should the domain be gone).
 */
function stepSettings(db: Db): (row: EmailRow) => Promise<SendSettings | undefined> {
  const read = new Map<string, Promise<SendSettings | undefined>>();
  return (row) => {
    const key = `${row.domain_id}\n${row.stream}`;
    let settings = read.get(key);
    if (!settings) {
      settings = getSendSettings(db, row.tenant_id, row.domain_id, row.stream).catch(() => undefined);
      read.set(key, settings);
    }
    return settings;
  };
}

/** Sends one claimed recipient and keeps what came of it for the step's next write. */
async function sendOne(
  env: Env,
  d1: D1Database,
  row: EmailRow,
  settings: Promise<SendSettings | undefined>,
  token: string,
  outcomes: StepOutcomes,
): Promise<void> {
  try {
    // attempt takes the row as it was before the claim (the claim counted this attempt).
    const before = { ...row, attempts: row.attempts - 1 };
    const outcome = await attempt(env, d1, before, await settings, false, token, new Date());
    outcomes.add(outcome, dispositionOf(env, before, outcome));
  } catch (err) {
    // The row is still claimed: the recovery sweep finds it once the claim runs out.
    console.error(JSON.stringify({ worker: 'send', email_id: row.id, error: String(err) }));
  }
}

/** A write that fails mid-step is tried again at the next flush (the outcomes are kept). */
async function flushOrLog(outcomes: StepOutcomes, id: string): Promise<void> {
  try {
    await outcomes.flush();
  } catch (err) {
    console.error(JSON.stringify({ worker: 'send', broadcast_id: id, error: String(err) }));
  }
}

/** No recipient left to try: sent once none is pending; else look again after the retries. */
async function finishOrWait(env: Env, db: Db, message: BroadcastQueueMessage): Promise<void> {
  const { tenant_id: tenantId, broadcast_id: id, token } = message;
  const counts = await recipientCounts(db, tenantId, id);
  const now = new Date().toISOString();
  if (counts.queued + counts.sending + counts.scheduled === 0) {
    await moveBroadcast(db, tenantId, id, { from: ['queued'], to: 'sent', token: null, now });
    console.log(JSON.stringify({ event: 'broadcast.sent', broadcast_id: id, ...counts }));
    return;
  }
  const current = await findBroadcast(db, tenantId, id);
  if (current?.dispatch_token !== token || current.status !== 'queued') return;
  await touchBroadcast(db, tenantId, id, token, now);
  await enqueueStep(env, message, PENDING_RECHECK_SECONDS);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
