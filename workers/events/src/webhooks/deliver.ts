// The webhooks queue's consumer: one attempt per message. It loads the delivery, signs it (Standard
// Webhooks), POSTs it with a 15 s timeout and records the attempt. 2xx: delivered. 410 Gone: the
// receiver asked never to be called again, so the webhook is disabled and the delivery failed.
// Anything else: the next try is a NEW queue message, delayed per RETRY_DELAYS, rather than
// message.retry(), so the queue's max_retries (10, and 12 h delays at most) never cuts the schedule
// short; after the last retry the delivery is failed.
//
// Never two POSTs for one attempt: a message names the attempt count it was sent at (`attempts`), and
// the attempt is claimed in D1 before the POST (claimAttempt), so of the messages naming the same
// attempt (a copy the queue delivered twice, the sweeper's for a message it thought lost, a replay)
// one sends and the others find the count moved on.
import { endpointProblem, type WebhookDeliverMessage } from '@mailgrid/contracts';
import {
  createDb,
  type Db,
  type DeliveryWithWebhook,
  deliveredSince,
  loadDelivery,
  nowIso,
  recordAttempt,
} from '@mailgrid/db';
import { openSecret } from '@mailgrid/runtime';
import { config, type Env } from '../env';
import { signDelivery } from './sign';

/** Seconds before each retry: ≈ 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (Standard Webhooks' advice). */
/** A failed delivery older than this, with nothing delivered since, disables its webhook. */
const FAILING_FOR_MS = 24 * 60 * 60 * 1000;

export const RETRY_DELAYS = [5, 300, 1800, 7200, 18000, 36000, 36000] as const;
/** Queues cap a message's delay at 12 hours. */
const MAX_DELAY_SECONDS = 43200;
const TIMEOUT_MS = 15_000;
/** What of a failing receiver's answer is kept for the tenant to read. */
const MAX_ERROR_CHARS = 500;

export async function deliverWebhooks(messages: readonly Message<WebhookDeliverMessage>[], env: Env) {
  await Promise.all(messages.map((message) => deliverOne(message, env)));
}

async function deliverOne(message: Message<WebhookDeliverMessage>, env: Env) {
  const { tenant_id, delivery_id } = message.body;
  try {
    const db = createDb(env.DB);
    const delivery = await loadDelivery(db, tenant_id, delivery_id);
    // Gone with its webhook, already settled, or an attempt made since this message was sent (a
    // message the queue delivered twice): nothing to do.
    const stale = message.body.attempts !== undefined && message.body.attempts !== delivery?.attempts;
    if (delivery?.status !== 'pending' || stale) {
      message.ack();
      return;
    }
    const retry = message.body.retry ?? 0;
    const attempt = delivery.attempts + 1;
    const environment = config(env).ENVIRONMENT;
    if (!(await claimAttempt(db, tenant_id, delivery_id, delivery.attempts))) {
      // Another message for the same attempt got there between our read and the claim.
      message.ack();
      return;
    }
    const result = await attemptDelivery(delivery, environment, config(env).WEBHOOK_SECRET_KEY);
    const at = nowIso();
    const retryDelay = result.outcome === 'retry' ? RETRY_DELAYS[retry] : undefined;
    const status =
      result.outcome === 'delivered' ? 'delivered' : retryDelay === undefined ? 'failed' : 'pending';
    // A delivery that failed its whole schedule (about a day and a half) to an endpoint nothing else
    // reached in that time: the endpoint has been failing for days, so it is disabled, with why.
    const failingForDays =
      status === 'failed' &&
      result.outcome === 'retry' &&
      Date.now() - Date.parse(delivery.created_at) > FAILING_FOR_MS &&
      !(await deliveredSince(db, tenant_id, delivery.webhook_id, delivery.created_at));
    const disable =
      result.outcome === 'gone'
        ? { id: delivery.webhook_id, reason: 'endpoint answered 410 Gone' }
        : failingForDays
          ? {
              id: delivery.webhook_id,
              reason: `failing since ${delivery.created_at}: ${result.error ?? 'no answer'}`,
            }
          : undefined;
    await recordAttempt(db, env.DB, tenant_id, {
      delivery_id,
      attempt,
      status_code: result.status_code,
      error: result.error,
      duration_ms: result.duration_ms,
      at,
      status,
      next_attempt_at:
        status === 'pending' && retryDelay !== undefined
          ? new Date(Date.now() + retryDelay * 1000).toISOString()
          : null,
      ...(disable ? { disable_webhook: disable } : {}),
    });
    if (status === 'pending' && retryDelay !== undefined) {
      await env.WEBHOOKS_QUEUE.send(
        { kind: 'webhook.deliver', tenant_id, delivery_id, retry: retry + 1, attempts: attempt },
        { delaySeconds: Math.min(retryDelay, MAX_DELAY_SECONDS) },
      );
    }
    log('log', {
      delivery_id,
      webhook_id: delivery.webhook_id,
      attempt,
      status_code: result.status_code,
      outcome: status,
      duration_ms: result.duration_ms,
    });
    message.ack();
  } catch (err) {
    // D1 or the queue failed, not the receiver: run this attempt again shortly. Once the attempt is
    // claimed this message is stale, so the retry sends nothing; the sweeper queues the delivery
    // again when the claim has long run out (webhooks/sweeper.ts).
    log('error', { delivery_id, error: String(err) });
    message.retry({ delaySeconds: 30 });
  }
}

/** Longer than an attempt takes: the POST's timeout and the D1 writes around it, with room. */
const CLAIM_MS = TIMEOUT_MS + 45_000;

/**
 * Takes attempt `attempts + 1` of the delivery for this message, or reports that another message
 * has: the loaded count is not enough, since two messages for the same attempt (the original and a
 * swept one, two swept ones, a queue's duplicate) can both read it before either records the attempt.
 * One conditional UPDATE, so D1 lets exactly one of them move `attempts` on; every other message
 * then sees a count that is not its own. `next_attempt_at` moves past the attempt's end, so the
 * sweeper does not take a delivery whose attempt is under way (it takes one only when that is long
 * past, as it is after a worker died mid-attempt: that attempt then has no row in webhook_attempts).
 * recordAttempt writes the same `attempts` with the outcome.
 *
 * Tenant-scoped like the repositories; it belongs beside recordAttempt in @mailgrid/db's webhooks
 * repository, and lives here only because this change was kept to the events worker.
 */
async function claimAttempt(db: Db, tenantId: string, deliveryId: string, attempts: number) {
  const claimed = await db
    .updateTable('webhook_deliveries')
    .set({ attempts: attempts + 1, next_attempt_at: new Date(Date.now() + CLAIM_MS).toISOString() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', deliveryId)
    .where('status', '=', 'pending')
    .where('attempts', '=', attempts)
    .executeTakeFirst();
  return claimed.numUpdatedRows > 0n;
}

interface AttemptResult {
  /** gone: a 410, disable the webhook; dropped: not sent, not to be retried; retry: try again later. */
  outcome: 'delivered' | 'gone' | 'dropped' | 'retry';
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

async function attemptDelivery(
  delivery: DeliveryWithWebhook,
  environment: string,
  secretKey: string,
): Promise<AttemptResult> {
  if (delivery.webhook_status !== 'enabled') {
    // Disabled since the delivery was queued (by the tenant, or by another delivery's 410).
    return { outcome: 'dropped', status_code: null, error: 'webhook is disabled; not sent', duration_ms: 0 };
  }
  // Checked again at send time: an endpoint stored before the rules (or in another environment).
  const problem = endpointProblem(delivery.endpoint, environment);
  if (problem) return { outcome: 'retry', status_code: null, error: `refused: ${problem}`, duration_ms: 0 };
  const secrets = await Promise.all(
    signingSecrets(delivery, Date.now()).map((stored) => openSecret(stored, secretKey)),
  );
  const headers = await signDelivery(secrets, delivery.id, Math.floor(Date.now() / 1000), delivery.payload);
  const started = Date.now();
  try {
    const response = await fetch(delivery.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Mailgrid-Webhooks/1', ...headers },
      body: delivery.payload,
      // A redirect is a failure, not followed: it could point anywhere, including inside.
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const duration_ms = Date.now() - started;
    if (response.ok) {
      await response.body?.cancel();
      return { outcome: 'delivered', status_code: response.status, error: null, duration_ms };
    }
    const text = (await response.text().catch(() => '')).slice(0, MAX_ERROR_CHARS);
    const error = `HTTP ${response.status}${text ? `: ${text}` : ''}`;
    return {
      outcome: response.status === 410 ? 'gone' : 'retry',
      status_code: response.status,
      error,
      duration_ms,
    };
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    return {
      outcome: 'retry',
      status_code: null,
      error: timedOut ? `no response within ${TIMEOUT_MS / 1000} s` : `fetch failed: ${String(err)}`,
      duration_ms: Date.now() - started,
    };
  }
}

/**
 * The webhook's secret, and the one a rotation replaced while its overlap lasts (the receiver may not
 * have switched yet), as stored (sealed): each signs, and any one of them verifies.
 */
export function signingSecrets(
  webhook: Pick<DeliveryWithWebhook, 'secret' | 'previous_secret' | 'previous_secret_expires_at'>,
  now: number,
): string[] {
  const previousValid =
    webhook.previous_secret !== null &&
    webhook.previous_secret_expires_at !== null &&
    Date.parse(webhook.previous_secret_expires_at) > now;
  return previousValid ? [webhook.secret, webhook.previous_secret as string] : [webhook.secret];
}

function log(level: 'log' | 'error', fields: Record<string, unknown>) {
  // Never the secret, the payload or the endpoint's query string: ids and outcomes only.
  console[level](JSON.stringify({ worker: 'events', queue: 'webhooks', ...fields }));
}
