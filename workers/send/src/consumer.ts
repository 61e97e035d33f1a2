// The send queue's consumer. Per batch: SES tokens are taken in bulk from the RateLimiter DO, then
// each email is claimed (a conditional update: a redelivered message finds the email already taken
// or sent, and stops) and handed to SES by deliver.ts (the EML built once and archived in R2 before
// SES sees it, reused on retries, so the archive is exactly what SES was given). Throttling, 5xx and
// timeouts are retried with jittered backoff; after MAX_ATTEMPTS the email is `failed` with the reason.
// An attempt whose outcome is unknown (SES did not answer; or the worker died mid-send, found later as
// an expired claim) is never simply sent again: the email is `settling` for SEND_SETTLE_AFTER_SECONDS
// while SES's `Send` event arrives, then deliver.ts records what SES says it took before sending the rest.
// Every email that ends `failed` is reported on the events queue (`send.failed`), where the events
// worker records its `email.failed` event and fires the webhooks subscribed to it.
import type { SendFailedMessage, SendQueueMessage } from '@mailgrid/contracts';
import {
  abandonClaim,
  claimEmail,
  createDb,
  type Db,
  type EmailRow,
  getEmail,
  markFailed,
  markSent,
  meteredD1,
  releaseEmail,
  renewClaim,
  SETTLING,
  startSettling,
} from '@mailgrid/db';
import { sentReceiptKey } from './body-store';
import { deliver } from './deliver';
import { config, type Env } from './env';
import { MAX_QUEUE_DELAY_SECONDS, queueDelaySeconds } from './queue-delay';

export const MAX_ATTEMPTS = 8;
/** A row missing this many deliveries after its message is a request that failed after enqueueing. */
const MISSING_ROW_ATTEMPTS = 5;

export async function consumeSendBatch(
  messages: readonly Message<SendQueueMessage>[],
  env: Env,
): Promise<void> {
  if (messages.length === 0) return;
  const { db: d1, usage } = meteredD1(env.DB);
  const db = createDb(d1);
  const { SES_MAX_SEND_RATE: rate, SES_REGION } = config(env);
  const pacer = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`ses:${SES_REGION}`));
  const { granted, retry_after_seconds } = await pacer.takeUpTo(
    { per_second: rate, burst: rate },
    messages.length,
  );
  const overflow = messages.slice(granted);
  if (overflow.length > 0) {
    // Re-sent rather than retried: waiting for SES capacity must not use up the message's retries.
    await env.SEND_QUEUE.sendBatch(
      overflow.map((message) => ({ body: message.body, delaySeconds: retry_after_seconds })),
    );
    for (const message of overflow) message.ack();
  }
  await Promise.all(messages.slice(0, granted).map((message) => handle(env, db, message)));
  // One line per batch: what sending cost in D1 (the benchmark reads these).
  console.log(JSON.stringify({ event: 'send.batch', messages: messages.length, d1: usage }));
}

async function handle(env: Env, db: Db, message: Message<SendQueueMessage>): Promise<void> {
  const { tenant_id: tenantId, email_id: emailId } = message.body;
  const row = await getEmail(db, tenantId, emailId);
  if (!row) {
    // accept writes the row just after enqueueing; give it a moment, then drop an orphan.
    if (message.attempts < MISSING_ROW_ATTEMPTS) message.retry({ delaySeconds: 5 });
    else message.ack();
    return;
  }
  const now = new Date();
  if (
    row.status === 'scheduled' &&
    row.scheduled_at &&
    new Date(row.scheduled_at).getTime() > now.getTime() + 1000
  ) {
    // Not due yet (a schedule beyond the queue's 12-hour delay, or moved later): hop again.
    await env.SEND_QUEUE.send(message.body, {
      delaySeconds: queueDelaySeconds(new Date(row.scheduled_at), now),
    });
    message.ack();
    return;
  }
  if (row.status === 'sending' && row.claimed_until && new Date(row.claimed_until) > now) {
    const delaySeconds = Math.ceil((new Date(row.claimed_until).getTime() - now.getTime()) / 1000) + 1;
    if (row.claim_token === SETTLING) {
      // Waiting for SES's Send event: sent again rather than retried, so waiting spends no retries.
      await env.SEND_QUEUE.send(message.body, { delaySeconds });
      message.ack();
    } else {
      // Another delivery of this message holds it; come back when that claim would have run out.
      message.retry({ delaySeconds });
    }
    return;
  }
  if (row.status !== 'queued' && row.status !== 'scheduled' && row.status !== 'sending') {
    // Sent, failed, canceled or suppressed: nothing left to send. A failed one is reported again: the
    // delivery that failed it may have failed to report it (the events worker records it once).
    if (row.status === 'failed') {
      try {
        await reportFailed(env, row);
      } catch (err) {
        console.error(JSON.stringify({ worker: 'send', email_id: emailId, error: String(err) }));
        message.retry({ delaySeconds: backoffSeconds(message.attempts, config(env).SEND_BACKOFF_SCALE) });
        return;
      }
    }
    message.ack();
    return;
  }
  // Still `sending` with its claim run out: the delivery that held it vanished mid-send, or SES left it
  // without an answer. SES may have the message; its `Send` event settles that, given time to arrive —
  // counted from now, when this worker (and so, most likely, the SNS intake) is running again, not from
  // when the claim ran out: after an outage SNS is still working through its retries.
  const uncertain = row.status === 'sending';
  if (uncertain && row.claim_token !== SETTLING) {
    const settleUntil = new Date(now.getTime() + config(env).SEND_SETTLE_AFTER_SECONDS * 1000);
    if (await startSettling(db, tenantId, emailId, row.claim_token, settleUntil)) {
      await env.SEND_QUEUE.send(message.body, {
        delaySeconds: config(env).SEND_SETTLE_AFTER_SECONDS + 1,
      });
      message.ack();
    } else {
      message.retry({ delaySeconds: 5 }); // it changed under us; look again.
    }
    return;
  }
  const token = crypto.randomUUID();
  const leaseMs = config(env).SEND_CLAIM_SECONDS * 1000;
  if (!(await claimEmail(db, tenantId, emailId, token, leaseMs, now))) {
    message.retry({ delaySeconds: 5 }); // it changed under us; look again.
    return;
  }
  const disposition = await sendClaimed(env, db, row, token, uncertain);
  if (disposition.retryInSeconds === null) message.ack();
  else message.retry({ delaySeconds: disposition.retryInSeconds });
}

/** What is left to do with a claimed email's message: nothing, or try again in so many seconds. */
export interface Disposition {
  retryInSeconds: number | null;
}

/**
 * Sends one email this delivery has claimed under `token` (`row` as read before the claim) and records
 * the outcome: sent, released for a retry, settling (outcome unknown) or failed.
 */
export async function sendClaimed(
  env: Env,
  db: Db,
  row: EmailRow,
  token: string,
  uncertain: boolean,
): Promise<Disposition> {
  const { tenant_id: tenantId, id: emailId } = row;
  const leaseMs = config(env).SEND_CLAIM_SECONDS * 1000;
  const attempt = row.attempts + 1;
  const backoffScale = config(env).SEND_BACKOFF_SCALE;
  const done = { retryInSeconds: null };
  const retryIn = (seconds: number) => ({ retryInSeconds: seconds });
  try {
    // An earlier attempt may have got through SES and then failed to record it: its receipt in R2
    // says so, and this attempt records it instead of sending again.
    const receipt = row.attempts > 0 ? await env.ARCHIVE.get(sentReceiptKey(tenantId, emailId)) : null;
    const outcome = receipt
      ? { kind: 'sent' as const, messageId: await receipt.text() }
      : await deliver(env, db, row, () => renewClaim(db, tenantId, emailId, token, leaseMs), uncertain);
    if (outcome.kind === 'sent') {
      if (!receipt) await env.ARCHIVE.put(sentReceiptKey(tenantId, emailId), outcome.messageId);
      await markSent(db, tenantId, emailId, token, outcome.messageId);
      return done;
    }
    if (outcome.kind === 'retry' && attempt < MAX_ATTEMPTS) {
      await releaseEmail(db, tenantId, emailId, token, outcome.reason);
      return retryIn(backoffSeconds(attempt, backoffScale));
    }
    if (outcome.kind === 'unknown' && attempt < MAX_ATTEMPTS) {
      const settleSeconds = config(env).SEND_SETTLE_AFTER_SECONDS;
      await abandonClaim(
        db,
        tenantId,
        emailId,
        token,
        outcome.reason,
        new Date(Date.now() + settleSeconds * 1000),
      );
      return retryIn(Math.max(settleSeconds + 1, backoffSeconds(attempt, backoffScale)));
    }
    await failEmail(env, db, tenantId, emailId, token, outcome.reason);
    return done;
  } catch (err) {
    // Our own fault (R2, a bug): never lose the email; let it try again later, up to MAX_ATTEMPTS
    // like SES's failures, then fail it with the reason (else, once the queue gave its message to
    // the DLQ, the email would sit in `queued` forever).
    console.error(JSON.stringify({ worker: 'send', email_id: emailId, error: String(err) }));
    const reason = `internal error: ${String(err)}`;
    if (attempt < MAX_ATTEMPTS) {
      await releaseEmail(db, tenantId, emailId, token, reason).catch(() => {});
      return retryIn(backoffSeconds(attempt, backoffScale));
    }
    // A redelivery finds the email failed and reports it again, should the report be what failed.
    return failEmail(env, db, tenantId, emailId, token, reason).then(
      () => done,
      () => retryIn(backoffSeconds(attempt, backoffScale)),
    );
  }
}

/** Marks the email `failed` (if this delivery still holds it) and reports it to the events worker. */
async function failEmail(
  env: Env,
  db: Db,
  tenantId: string,
  emailId: string,
  token: string,
  reason: string,
): Promise<void> {
  await markFailed(db, tenantId, emailId, token, reason);
  // Read back: only an email that really is failed (this claim was still ours) is reported.
  const row = await getEmail(db, tenantId, emailId);
  if (row) await reportFailed(env, row);
}

/** `send.failed` on the events queue for a failed email, with its error as the reason. */
async function reportFailed(env: Env, row: EmailRow): Promise<void> {
  if (row.status !== 'failed') return;
  await env.EVENTS_QUEUE.send({
    kind: 'send.failed',
    tenant_id: row.tenant_id,
    email_id: row.id,
    reason: row.error ?? 'failed',
    occurred_at: new Date().toISOString(),
  } satisfies SendFailedMessage);
}

/**
 * Half-jitter over an exponential curve: 2 s, 4 s, 8 s … capped at 15 minutes. `scale`
 * (SEND_BACKOFF_SCALE) shrinks the curve for fault tests that must finish in seconds.
 */
export function backoffSeconds(attempt: number, scale = 1): number {
  const ceiling = Math.min(15 * 60, 2 ** attempt) * scale;
  return Math.min(
    MAX_QUEUE_DELAY_SECONDS,
    Math.max(1, Math.ceil(ceiling / 2 + Math.random() * (ceiling / 2))),
  );
}
