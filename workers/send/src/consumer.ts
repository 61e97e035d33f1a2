// The send queue's consumer. Per batch: SES tokens are taken in bulk from the RateLimiter DO (what must
// wait is booked and handed back to come when its token is due); then one
// D1 round trip reads the batch's emails (with their send settings) and claims every one it may send
// in one statement (a redelivered message finds its email already taken or sent, and stops); each
// claimed email goes to SES through deliver.ts (the same bytes on every attempt); and one more round
// trip records the outcomes, one statement per kind. Throttling, 5xx and timeouts are retried with
// jittered backoff; after MAX_ATTEMPTS the email is `failed` with the reason.
// An attempt whose outcome is unknown (SES did not answer; the worker died mid-send, found later as an
// expired claim; or D1 lost what SES answered) is never simply sent again: the email is `settling` for
// SEND_SETTLE_AFTER_SECONDS while SES's `Send` event arrives, then deliver.ts records what SES says it
// took before sending the rest.
// Every email that ends `failed` is reported on the events queue (`send.failed`), where the events
// worker records its `email.failed` event and fires the webhooks subscribed to it.
import type { SendFailedMessage, SendQueueMessage } from '@mailgrid/contracts';
import {
  type EmailRow,
  meteredD1,
  refKey,
  renewClaim,
  SETTLING,
  type SendOutcome,
  type SendSettings,
} from '@mailgrid/db';
import { claimSendBatch, recordSendOutcomes } from '@mailgrid/db/cross-tenant';
import { deliver } from './deliver';
import { config, type Env } from './env';
import { MAX_QUEUE_DELAY_SECONDS, queueDelaySeconds } from './queue-delay';

export const MAX_ATTEMPTS = 8;
/**
 * How far ahead SES tokens are booked for messages that must wait: within it a message is handed
 * back once, to come when its token is due; beyond it, it asks again then. Before bookings every
 * waiting message asked again each second, which cost a backlog three queue operations per message
 * per second of its wait.
 */
const BOOKING_HORIZON_SECONDS = 60;
/** A row missing this many deliveries after its message is a request that failed after enqueueing. */
const MISSING_ROW_ATTEMPTS = 5;

export async function consumeSendBatch(
  messages: readonly Message<SendQueueMessage>[],
  env: Env,
): Promise<void> {
  if (messages.length === 0) return;
  const { db: d1, usage } = meteredD1(env.DB);
  const { SES_MAX_SEND_RATE: rate, SES_REGION } = config(env);
  // A message handed back with its token booked sends on its first delivery without asking again.
  const booked: Message<SendQueueMessage>[] = [];
  const asking: Message<SendQueueMessage>[] = [];
  for (const message of messages) {
    (message.body.booked === true && message.attempts === 1 ? booked : asking).push(message);
  }
  let granted = 0;
  if (asking.length > 0) {
    const pacer = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`ses:${SES_REGION}`));
    const booking = await pacer.book(
      { per_second: rate, burst: rate },
      asking.length,
      BOOKING_HORIZON_SECONDS,
    );
    granted = booking.granted;
    const overflow = asking.slice(granted);
    if (overflow.length > 0) {
      // Re-sent rather than retried: waiting for SES capacity must not use up the message's retries.
      // Each comes back when its booked token is due (once), or past the horizon, to ask again.
      await env.SEND_QUEUE.sendBatch(
        overflow.map((message, index) => {
          const due = booking.later[index];
          return due === undefined
            ? { body: unbooked(message.body), delaySeconds: booking.retry_after_seconds }
            : { body: { ...unbooked(message.body), booked: true as const }, delaySeconds: due };
        }),
      );
      for (const message of overflow) message.ack();
    }
  }
  const sending = [...booked, ...asking.slice(0, granted)];
  if (sending.length > 0) await sendBatch(env, d1, sending);
  // One line per batch: what sending cost in D1 (the benchmark reads these).
  console.log(JSON.stringify({ event: 'send.batch', messages: messages.length, d1: usage }));
}

/** The message without a booking: a message sent again asks the pacer when it comes back. */
function unbooked(body: SendQueueMessage): SendQueueMessage {
  return { kind: body.kind, tenant_id: body.tenant_id, email_id: body.email_id };
}

/** A claimed email of the batch and the message that carries it. */
interface Claimed {
  message: Message<SendQueueMessage>;
  row: EmailRow;
  settings: SendSettings | undefined;
  uncertain: boolean;
}

async function sendBatch(env: Env, d1: D1Database, messages: readonly Message<SendQueueMessage>[]) {
  const now = new Date();
  const token = crypto.randomUUID();
  const { SEND_CLAIM_SECONDS, SEND_SETTLE_AFTER_SECONDS } = config(env);
  const batch = await claimSendBatch(
    d1,
    messages.map((message) => ({ tenant_id: message.body.tenant_id, id: message.body.email_id })),
    { token, now, leaseMs: SEND_CLAIM_SECONDS * 1000, settleMs: SEND_SETTLE_AFTER_SECONDS * 1000 },
  );
  const claimed: Claimed[] = [];
  const handedOut = new Set<string>();
  const waits: Promise<void>[] = [];
  for (const message of messages) {
    const key = refKey({ tenant_id: message.body.tenant_id, id: message.body.email_id });
    const found = batch.found.get(key);
    if (found && batch.claimed.has(key) && !handedOut.has(key)) {
      handedOut.add(key);
      // Claimed from `sending`: a settling email whose window is over, its last outcome unknown.
      claimed.push({ ...found, message, uncertain: found.row.status === 'sending' });
      continue;
    }
    waits.push(notClaimed(env, message, found?.row, batch.settling.has(key), handedOut.has(key), now));
  }
  await Promise.all(waits);
  if (claimed.length === 0) return;

  const attempts = await Promise.all(
    claimed.map(async (email) => ({
      email,
      outcome: await attempt(env, d1, email.row, email.settings, email.uncertain, token, now),
    })),
  );
  let failed: { tenant_id: string; id: string; error: string }[];
  try {
    ({ failed } = await recordSendOutcomes(
      d1,
      attempts.map(({ outcome }) => outcome),
    ));
  } catch (err) {
    // Nothing recorded: each email is still claimed, and what SES took is known only to SES. The claims
    // run out, the next delivery finds them so and settles each from SES's Send events.
    console.error(JSON.stringify({ worker: 'send', event: 'send.record_failed', error: String(err) }));
    for (const { email } of attempts) email.message.retry({ delaySeconds: SEND_CLAIM_SECONDS + 1 });
    return;
  }
  const failedNow = new Map(failed.map((row) => [refKey(row), row.error]));
  await Promise.all(
    attempts.map(async ({ email, outcome }) => {
      const { message, row } = email;
      const error = failedNow.get(refKey(row));
      if (error !== undefined) {
        try {
          await reportFailed(env, row.tenant_id, row.id, error);
        } catch (err) {
          // A redelivery finds the email failed and reports it again.
          console.error(JSON.stringify({ worker: 'send', email_id: row.id, error: String(err) }));
          message.retry({ delaySeconds: backoffSeconds(message.attempts, config(env).SEND_BACKOFF_SCALE) });
          return;
        }
      }
      const retryIn = dispositionOf(env, row, outcome);
      if (retryIn === null) message.ack();
      else message.retry({ delaySeconds: retryIn });
    }),
  );
}

/** A message whose email this batch did not claim: why not, and when (if ever) to look again. */
async function notClaimed(
  env: Env,
  message: Message<SendQueueMessage>,
  row: EmailRow | undefined,
  settlingNow: boolean,
  duplicate: boolean,
  now: Date,
): Promise<void> {
  if (!row) {
    // accept writes the row just after enqueueing; give it a moment, then drop an orphan.
    if (message.attempts < MISSING_ROW_ATTEMPTS) message.retry({ delaySeconds: 5 });
    else message.ack();
    return;
  }
  if (settlingNow) {
    // Its claim had run out: the delivery that held it vanished mid-send, or SES left it without an
    // answer. SES may have the message; its `Send` event settles that, given time to arrive — counted
    // from now, when this worker (and so, most likely, the SNS intake) is running again.
    await env.SEND_QUEUE.send(unbooked(message.body), {
      delaySeconds: config(env).SEND_SETTLE_AFTER_SECONDS + 1,
    });
    message.ack();
    return;
  }
  if (duplicate) {
    // Another message of this batch carries the same email and holds its claim: look again later.
    message.retry({ delaySeconds: 5 });
    return;
  }
  if (
    row.status === 'scheduled' &&
    row.scheduled_at &&
    new Date(row.scheduled_at).getTime() > now.getTime() + 1000
  ) {
    // Not due yet (a schedule beyond the queue's 12-hour delay, or moved later): hop again.
    await env.SEND_QUEUE.send(unbooked(message.body), {
      delaySeconds: queueDelaySeconds(new Date(row.scheduled_at), now),
    });
    message.ack();
    return;
  }
  if (row.status === 'sending' && row.claimed_until && new Date(row.claimed_until) > now) {
    const delaySeconds = Math.ceil((new Date(row.claimed_until).getTime() - now.getTime()) / 1000) + 1;
    if (row.claim_token === SETTLING) {
      // Waiting for SES's Send event: sent again rather than retried, so waiting spends no retries.
      await env.SEND_QUEUE.send(unbooked(message.body), { delaySeconds });
      message.ack();
    } else {
      // Another delivery of this message holds it; come back when that claim would have run out.
      message.retry({ delaySeconds });
    }
    return;
  }
  if (row.status === 'failed') {
    // Nothing left to send. It is reported again: the delivery that failed it may have failed to
    // report it (the events worker records it once).
    try {
      await reportFailed(env, row.tenant_id, row.id, row.error ?? 'failed');
    } catch (err) {
      console.error(JSON.stringify({ worker: 'send', email_id: row.id, error: String(err) }));
      message.retry({ delaySeconds: backoffSeconds(message.attempts, config(env).SEND_BACKOFF_SCALE) });
      return;
    }
    message.ack();
    return;
  }
  if (row.status === 'sent' || row.status === 'canceled' || row.status === 'suppressed') {
    message.ack();
    return;
  }
  // Claimable when read, yet not claimed: it changed under us; look again.
  message.retry({ delaySeconds: 5 });
}

/**
 * One claimed email's attempt (`row` as read before the claim), as the outcome to record under
 * `token`: sent, released for a retry, settling (outcome unknown) or failed.
 */
export async function attempt(
  env: Env,
  d1: D1Database,
  row: EmailRow,
  settings: SendSettings | undefined,
  uncertain: boolean,
  token: string,
  now: Date,
): Promise<SendOutcome> {
  const date = row.message_date ?? now.toISOString();
  const leaseMs = config(env).SEND_CLAIM_SECONDS * 1000;
  const delivery = await deliver(env, d1, row, {
    settings,
    date: new Date(date),
    renewClaim: (receipts) => renewClaim(d1, row.tenant_id, row.id, token, leaseMs, receipts),
    uncertain,
  });
  return outcomeOf(env, row, token, date, delivery);
}

/** What to record for an attempt (the claim counted it in `attempts` already: `row` is from before). */
function outcomeOf(
  env: Env,
  row: EmailRow,
  token: string,
  date: string,
  delivery: Awaited<ReturnType<typeof deliver>>,
): SendOutcome {
  const { outcome, receipts } = delivery;
  const base = {
    tenant_id: row.tenant_id,
    id: row.id,
    token,
    message_date: date,
    ...(receipts.length > 0 ? { receipts } : {}),
  };
  const last = row.attempts + 1 >= MAX_ATTEMPTS;
  if (outcome.kind === 'sent') return { ...base, kind: 'sent', ses_message_id: outcome.messageId };
  if (outcome.kind === 'reject') return { ...base, kind: 'failed', error: outcome.reason };
  if (outcome.kind === 'error') {
    // Our own fault (R2, a bug): never lose the email; it tries again later, up to MAX_ATTEMPTS like
    // SES's failures, then fails with the reason (else, once the queue gave its message to the DLQ,
    // the email would sit in `queued` forever).
    console.error(JSON.stringify({ worker: 'send', email_id: row.id, error: outcome.reason }));
  }
  if (last) return { ...base, kind: 'failed', error: outcome.reason };
  if (outcome.kind === 'unknown') {
    const until = new Date(Date.now() + config(env).SEND_SETTLE_AFTER_SECONDS * 1000).toISOString();
    return { ...base, kind: 'settling', error: outcome.reason, settle_until: until };
  }
  return { ...base, kind: 'released', error: outcome.reason };
}

/** What is left to do with a recorded attempt's message: nothing (null), or try again in so many seconds. */
export function dispositionOf(env: Env, row: EmailRow, outcome: SendOutcome): number | null {
  const attemptNo = row.attempts + 1;
  const scale = config(env).SEND_BACKOFF_SCALE;
  if (outcome.kind === 'released') return backoffSeconds(attemptNo, scale);
  if (outcome.kind === 'settling') {
    return Math.max(config(env).SEND_SETTLE_AFTER_SECONDS + 1, backoffSeconds(attemptNo, scale));
  }
  return null;
}

/** What is left to do with a claimed email's message: nothing, or try again in so many seconds. */
export interface Disposition {
  retryInSeconds: number | null;
}

/**
 * Sends one email this delivery has claimed under `token` (`row` as read before the claim) and records
 * the outcome: sent, released for a retry, settling (outcome unknown) or failed. For callers that claim
 * rows themselves one at a time (a broadcast's dispatch): the queue consumer records a whole batch's
 * outcomes at once.
 */
export async function sendClaimed(
  env: Env,
  d1: D1Database,
  row: EmailRow,
  token: string,
  uncertain: boolean,
): Promise<Disposition> {
  const outcome = await attempt(env, d1, row, undefined, uncertain, token, new Date());
  const { failed } = await recordSendOutcomes(d1, [outcome]);
  const error = failed[0]?.error;
  if (error !== undefined) {
    try {
      await reportFailed(env, row.tenant_id, row.id, error);
    } catch {
      // Its message on the per-email queue finds the email failed and reports it again.
      return { retryInSeconds: backoffSeconds(row.attempts + 1, config(env).SEND_BACKOFF_SCALE) };
    }
    return { retryInSeconds: null };
  }
  return { retryInSeconds: dispositionOf(env, row, outcome) };
}

/** `send.failed` on the events queue for a failed email, with its error as the reason. */
export async function reportFailed(
  env: Env,
  tenantId: string,
  emailId: string,
  reason: string,
): Promise<void> {
  await env.EVENTS_QUEUE.send({
    kind: 'send.failed',
    tenant_id: tenantId,
    email_id: emailId,
    reason,
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
