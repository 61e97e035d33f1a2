// The webhooks queue's consumer, a batch at a time, in two D1 round trips whatever the batch holds:
// one that claims every message's attempt and reads what sending it needs (the delivery's payload,
// its webhook's endpoint, secrets and status), then the POSTs, CONCURRENCY at once, then one that
// records every attempt (multi-row statements: the attempt rows, the deliveries' moves, any webhook
// disabled). Each delivery is signed (Standard Webhooks) and POSTed with a 15 s timeout. 2xx:
// delivered. 410 Gone: the receiver asked never to be called again, so the webhook is disabled and the
// delivery failed. Anything else: the next try is a NEW queue message, delayed per RETRY_DELAYS,
// rather than message.retry(), so the queue's max_retries (10, and 12 h delays at most) never cuts
// the schedule short; after the last retry the delivery is failed. A batch's retries go in one
// sendBatch after its attempts are recorded.
//
// Never two POSTs for one attempt: a message names the attempt count it was sent at (`attempts`), and
// the attempt is claimed in D1 before the POST (claimWebhookDeliveryBatch), so of the messages naming
// the same attempt (a copy the queue delivered twice, the sweeper's for a message it thought lost, a
// replay) one sends and the others find the count moved on, in this batch or another.
import { endpointProblem, type WebhookDeliverMessage } from '@mailgrid/contracts';
import { meteredD1, nowIso } from '@mailgrid/db';
import {
  type ClaimedWebhookDelivery,
  claimWebhookDeliveryBatch,
  recordWebhookAttempts,
  type WebhookAttemptRecord,
} from '@mailgrid/db/cross-tenant';
import { openSecret } from '@mailgrid/runtime';
import { config, type Env } from '../env';
import { signDelivery } from './sign';

/** A failed delivery older than this, with nothing delivered since, disables its webhook. */
const FAILING_FOR_MS = 24 * 60 * 60 * 1000;

/** Seconds before each retry: ≈ 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (Standard Webhooks' advice). */
export const RETRY_DELAYS = [5, 300, 1800, 7200, 18000, 36000, 36000] as const;
/** Queues cap a message's delay at 12 hours. */
const MAX_DELAY_SECONDS = 43200;
const TIMEOUT_MS = 15_000;
/** What of a failing receiver's answer is kept for the tenant to read. */
const MAX_ERROR_CHARS = 500;
/** POSTs under way at once: a Worker invocation may hold 6 outgoing connections open. */
export const CONCURRENCY = 6;
/** Room past the POSTs for the D1 writes and the queue send after them. */
const RECORD_MS = 45_000;

interface Attempt {
  message: Message<WebhookDeliverMessage>;
  delivery: ClaimedWebhookDelivery;
}

export async function deliverWebhooks(messages: readonly Message<WebhookDeliverMessage>[], env: Env) {
  if (messages.length === 0) return;
  const started = Date.now();
  const { db: d1, usage } = meteredD1(env.DB);
  const counts = { messages: messages.length, stale: 0, delivered: 0, retrying: 0, failed: 0, errors: 0 };
  let claimed: ClaimedWebhookDelivery[];
  try {
    claimed = await claimWebhookDeliveryBatch(
      d1,
      messages.map(({ body }) => ({
        tenant_id: body.tenant_id,
        id: body.delivery_id,
        attempts: body.attempts ?? null,
      })),
      claimWindow(messages.length, config(env).WEBHOOK_STRANDED_AFTER_SECONDS, started),
    );
  } catch (err) {
    // D1 failed before anything was sent: the whole batch again shortly.
    log('error', { deliveries: messages.length, error: String(err) });
    for (const message of messages) message.retry({ delaySeconds: 30 });
    return;
  }

  const attempts = pairClaims(messages, claimed);
  for (const message of messages) {
    if (attempts.some((attempt) => attempt.message === message)) continue;
    // Gone with its webhook, already settled, or its attempt made or claimed by another message (a
    // copy the queue delivered twice, a swept one): nothing to do.
    counts.stale++;
    message.ack();
  }

  const environment = config(env).ENVIRONMENT;
  const secrets = secretOpener(config(env).WEBHOOK_SECRET_KEY);
  const results = await inPool(attempts, CONCURRENCY, async ({ delivery }) => {
    try {
      return await attemptDelivery(delivery, environment, secrets);
    } catch (err) {
      // Not the receiver's doing (a secret that does not open): no attempt is recorded, so no retry of
      // the schedule is spent on it. The claim stands, so this message is stale from now; the sweeper
      // queues the delivery again once it is stranded.
      return err instanceof Error ? err : new Error(String(err));
    }
  });

  const records: WebhookAttemptRecord[] = [];
  const retries: MessageSendRequest<WebhookDeliverMessage>[] = [];
  const settled: { message: Message<WebhookDeliverMessage>; fields: Record<string, unknown> }[] = [];
  const at = nowIso();
  attempts.forEach(({ message, delivery }, index) => {
    const result = results[index] as AttemptResult | Error;
    if (result instanceof Error) {
      counts.errors++;
      log('error', { delivery_id: delivery.id, error: String(result) });
      message.retry({ delaySeconds: 30 });
      return;
    }
    const retry = message.body.retry ?? 0;
    const retryDelay = result.outcome === 'retry' ? RETRY_DELAYS[retry] : undefined;
    const status =
      result.outcome === 'delivered' ? 'delivered' : retryDelay === undefined ? 'failed' : 'pending';
    records.push({
      tenant_id: delivery.tenant_id,
      id: delivery.id,
      webhook_id: delivery.webhook_id,
      attempt: delivery.attempts,
      status_code: result.status_code,
      error: result.error,
      duration_ms: result.duration_ms,
      at,
      status,
      next_attempt_at:
        retryDelay === undefined ? null : new Date(Date.now() + retryDelay * 1000).toISOString(),
      ...disabling(delivery, result, status),
    });
    if (retryDelay !== undefined) {
      retries.push({
        body: {
          kind: 'webhook.deliver',
          tenant_id: delivery.tenant_id,
          delivery_id: delivery.id,
          retry: retry + 1,
          attempts: delivery.attempts,
        },
        delaySeconds: Math.min(retryDelay, MAX_DELAY_SECONDS),
      });
    }
    counts[status === 'pending' ? 'retrying' : status]++;
    settled.push({
      message,
      fields: {
        delivery_id: delivery.id,
        webhook_id: delivery.webhook_id,
        attempt: delivery.attempts,
        status_code: result.status_code,
        outcome: status,
        duration_ms: result.duration_ms,
      },
    });
  });

  try {
    await recordWebhookAttempts(d1, records);
    // sendBatch takes at most 100 messages.
    for (let start = 0; start < retries.length; start += 100) {
      await env.WEBHOOKS_QUEUE.sendBatch(retries.slice(start, start + 100));
    }
  } catch (err) {
    // D1 or the queue failed, not the receivers: these messages run again shortly. Their attempts are
    // claimed, so the retries send nothing; the sweeper queues each delivery again when it is stranded
    // (webhooks/sweeper.ts).
    log('error', { deliveries: settled.length, error: String(err) });
    for (const { message } of settled) message.retry({ delaySeconds: 30 });
    return;
  } finally {
    console.log(JSON.stringify({ event: 'webhooks.batch', ...counts, ms: Date.now() - started, d1: usage }));
  }
  for (const { message, fields } of settled) {
    log('log', fields);
    message.ack();
  }
}

/**
 * The claim's window: the sweeper must not take a delivery while its attempt is under way, and the
 * batch's attempts end by `until` at the latest (each POST's timeout, CONCURRENCY at a time, then the
 * writes). A delivery due before `lateBefore` would look stranded to the sweeper before then, so its
 * claim moves next_attempt_at to `until`; any other is left as it is (see claimWebhookDeliveryBatch).
 */
function claimWindow(deliveries: number, strandedAfterSeconds: number, now: number) {
  const until = now + Math.ceil(deliveries / CONCURRENCY) * TIMEOUT_MS + RECORD_MS;
  return {
    until: new Date(until).toISOString(),
    lateBefore: new Date(until - strandedAfterSeconds * 1000).toISOString(),
  };
}

/**
 * Each claimed delivery to one of the messages that named it at the claimed attempt (or at no
 * count): two copies of one message in a batch send once, and the other copy is stale.
 */
function pairClaims(
  messages: readonly Message<WebhookDeliverMessage>[],
  claimed: ClaimedWebhookDelivery[],
): Attempt[] {
  const byKey = new Map(claimed.map((delivery) => [`${delivery.tenant_id}\u0000${delivery.id}`, delivery]));
  const attempts: Attempt[] = [];
  for (const message of messages) {
    const key = `${message.body.tenant_id}\u0000${message.body.delivery_id}`;
    const delivery = byKey.get(key);
    const named = message.body.attempts;
    if (!delivery || (named !== undefined && named !== delivery.attempts - 1)) continue;
    byKey.delete(key);
    attempts.push({ message, delivery });
  }
  return attempts;
}

/**
 * A delivery that failed its whole schedule (about a day and a half) to an endpoint nothing else
 * reached in that time has been failing for days: its webhook is disabled, with why, unless a
 * delivery to it succeeded since this one was created (checked in the write, recordWebhookAttempts).
 */
function disabling(
  delivery: ClaimedWebhookDelivery,
  result: AttemptResult,
  status: WebhookAttemptRecord['status'],
): Pick<WebhookAttemptRecord, 'disable_webhook'> {
  if (result.outcome === 'gone') return { disable_webhook: { reason: 'endpoint answered 410 Gone' } };
  const failingForDays =
    status === 'failed' &&
    result.outcome === 'retry' &&
    Date.now() - Date.parse(delivery.created_at) > FAILING_FOR_MS;
  if (!failingForDays) return {};
  return {
    disable_webhook: {
      reason: `failing since ${delivery.created_at}: ${result.error ?? 'no answer'}`,
      unless_delivered_since: delivery.created_at,
    },
  };
}

/** Runs `work` on every item, at most `limit` at once; results in the items' order. */
async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Opens each sealed secret once per batch: a batch's deliveries often share their webhook. */
function secretOpener(secretKey: string) {
  const opened = new Map<string, Promise<string>>();
  return (stored: string) => {
    let secret = opened.get(stored);
    if (!secret) {
      secret = openSecret(stored, secretKey);
      opened.set(stored, secret);
    }
    return secret;
  };
}

interface AttemptResult {
  /** gone: a 410, disable the webhook; dropped: not sent, not to be retried; retry: try again later. */
  outcome: 'delivered' | 'gone' | 'dropped' | 'retry';
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

async function attemptDelivery(
  delivery: ClaimedWebhookDelivery,
  environment: string,
  openStored: (stored: string) => Promise<string>,
): Promise<AttemptResult> {
  if (delivery.webhook_status !== 'enabled') {
    // Disabled since the delivery was queued (by the tenant, or by another delivery's 410).
    return { outcome: 'dropped', status_code: null, error: 'webhook is disabled; not sent', duration_ms: 0 };
  }
  // Checked again at send time: an endpoint stored before the rules (or in another environment).
  const problem = endpointProblem(delivery.endpoint, environment);
  if (problem) return { outcome: 'retry', status_code: null, error: `refused: ${problem}`, duration_ms: 0 };
  const secrets = await Promise.all(signingSecrets(delivery, Date.now()).map(openStored));
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
  webhook: Pick<ClaimedWebhookDelivery, 'secret' | 'previous_secret' | 'previous_secret_expires_at'>,
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
