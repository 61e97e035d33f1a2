// The dispatch step: for up to DISPATCH_STEP_MS, take SES tokens above the transactional reserve
// (and within the broadcast's own rate_per_second, when it has one),
// claim that many never-tried recipients (one conditional UPDATE … RETURNING, only while this chain
// holds a sending broadcast), and send each claimed row like any email (consumer.ts's sendClaimed:
// a receipt in R2 before D1 is told, retries and unknown outcomes handed to the per-email queue
// where settling from SES's Send event happens). Then queue the next step, or — with no recipient
// left to try — finish the broadcast once nothing is pending, counting rows, never asserting.
import type { BroadcastQueueMessage, SendQueueMessage } from '@mailgrid/contracts';
import {
  claimRecipients,
  createDb,
  type Db,
  type EmailRow,
  findBroadcast,
  meteredD1,
  moveBroadcast,
  recipientCounts,
  touchBroadcast,
} from '@mailgrid/db';
import { sendClaimed } from '../consumer';
import { config, type Env } from '../env';
import { enqueueStep } from './steps';

const DISPATCH_STEP_MS = 10_000;
/**
 * SES calls under way at once, per step: a Worker opens 6 connections at a time, and a call waiting
 * for one would spend its SES timeout (and its claim's lease) queued, then count as unanswered.
 */
const MAX_IN_FLIGHT = 6;
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
  const claimToken = crypto.randomUUID();
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let exhausted = false;
  const until = Date.now() + DISPATCH_STEP_MS;
  while (Date.now() < until) {
    const room = MAX_IN_FLIGHT - inFlight.size;
    if (room <= 0) {
      await Promise.race(inFlight);
      continue;
    }
    // The broadcast's own cap first (its own bucket), then the account's budget above the reserve.
    const allowed = own ? (await own.bucket.takeUpTo(own.rule, room)).granted : room;
    if (allowed === 0) {
      await sleep(Math.max(20, 1000 / (own?.rule.per_second ?? rate)));
      continue;
    }
    const { granted } = await pacer.takeUpTo(rule, allowed, reserve);
    if (granted === 0) {
      await sleep(Math.max(20, 1000 / rate));
      continue;
    }
    const rows = await claimRecipients(db, tenantId, id, {
      chain,
      token: claimToken,
      limit: granted,
      leaseMs: SEND_CLAIM_SECONDS * 1000,
      now: new Date(),
    });
    for (const row of rows) {
      const sending: Promise<void> = sendOne(env, db, row, claimToken).finally(() =>
        inFlight.delete(sending),
      );
      inFlight.add(sending);
    }
    sent += rows.length;
    if (rows.length < granted) {
      exhausted = true; // nothing left to try (or the chain lost the broadcast)
      break;
    }
  }
  await Promise.all(inFlight);
  console.log(JSON.stringify({ event: 'broadcast.step', broadcast_id: id, claimed: sent, d1: usage }));

  if (!exhausted) {
    await touchBroadcast(db, tenantId, id, chain, new Date().toISOString());
    await enqueueStep(env, message, 0);
    return;
  }
  await finishOrWait(env, db, message);
}

/** Sends one claimed recipient; a retry goes to the per-email queue, where backoff and settling live. */
async function sendOne(env: Env, db: Db, row: EmailRow, token: string): Promise<void> {
  try {
    // sendClaimed takes the row as it was before the claim (the claim counted this attempt).
    const disposition = await sendClaimed(env, db, { ...row, attempts: row.attempts - 1 }, token, false);
    if (disposition.retryInSeconds !== null) {
      await env.SEND_QUEUE.send(
        { kind: 'send', tenant_id: row.tenant_id, email_id: row.id } satisfies SendQueueMessage,
        { delaySeconds: disposition.retryInSeconds },
      );
    }
  } catch (err) {
    // The row is released or still claimed: the recovery sweep finds it either way.
    console.error(JSON.stringify({ worker: 'send', email_id: row.id, error: String(err) }));
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
