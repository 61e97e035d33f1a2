// The events queue's consumer for SES notifications. Per queue batch, at most three D1 round trips
// whatever its size: one read (every email, by the tags the send worker attached or else by SES's
// message id, and the tenants' webhooks), one write batch of multi-row statements (commit.ts), and
// the reputation guardrail's write when a stream's state moves. Inserts skip events already stored
// (dedupe_key), so a notification SNS delivers again, or twice in one batch, is stored once.
// Nothing here is worth a retry except D1 failing: a message that does not parse, or names an email
// Mailgrid does not have, will not get better, so it is logged and acked.
// Customer webhooks: the same batch inserts a delivery per new event and subscribed webhook
// (webhooks/enqueue.ts); once it commits, each delivery it created is sent to WEBHOOKS_QUEUE.
import type { SesNotificationMessage } from '@mailgrid/contracts';
import { createDb, meteredD1, nowIso } from '@mailgrid/db';
import type { BatchEmail, BatchSuppression, StreamRef } from '@mailgrid/db/cross-tenant';
import { commitEventBatch, type NewEvent } from './commit';
import type { Env } from './env';
import { type BatchContext, readContext, refKey, retryAll } from './known-emails';
import { parseSesEvent, type SesNotification } from './normalize';
import { evaluateAfterBatch, readWindow } from './reputation';
import { lastEventOf } from './status';

interface Parsed {
  message: Message<SesNotificationMessage>;
  notification: SesNotification;
}

export async function consumeSesBatch(
  messages: readonly Message<SesNotificationMessage>[],
  env: Env,
): Promise<void> {
  if (messages.length === 0) return;
  const started = Date.now();
  const { db: d1, usage } = meteredD1(env.DB);
  const counts = { malformed: 0, unknown_email: 0, ignored: 0, events: 0, stored: 0, webhook_deliveries: 0 };
  // `ms`: the batch's wall time in this consumer (D1 and queue waits included), so a benchmark can tell
  // the consumer's own rate from the rate events arrive at.
  const done = () =>
    console.log(
      JSON.stringify({
        event: 'events.ses_batch',
        messages: messages.length,
        ...counts,
        ms: Date.now() - started,
        d1: usage,
      }),
    );

  const parsed: Parsed[] = [];
  for (const message of messages) {
    const result = parseSesEvent(message.body.message);
    if (!result.ok) {
      counts.malformed++;
      log('error', {
        message_id: message.id,
        sns_message_id: message.body.sns_message_id,
        error: result.error,
      });
      message.ack();
    } else if (result.value.events.length === 0) {
      counts.ignored++;
      message.ack();
    } else {
      parsed.push({ message, notification: result.value });
    }
  }
  if (parsed.length === 0) return done();

  let context: BatchContext;
  try {
    // Round trip 1: every email by its tags or its SES message id, and the tenants' webhooks.
    context = await readContext(
      d1,
      parsed.flatMap(({ notification: n }) =>
        n.tenant_id && n.email_id ? [{ tenant_id: n.tenant_id, id: n.email_id }] : [],
      ),
      parsed.map(({ notification: n }) => n.ses_message_id),
    );
  } catch (err) {
    retryAll(
      parsed.map(({ message }) => message),
      log,
      err,
    );
    return done();
  }

  const events: NewEvent[] = [];
  const suppressions: BatchSuppression[] = [];
  const written: Message<SesNotificationMessage>[] = [];
  const rated = new Map<string, StreamRef>();
  const createdAt = nowIso();
  for (const { message, notification } of parsed) {
    const email = ownerOf(context, notification);
    if (!email) {
      // Not ours (another SES tenant of the account) or long gone: nothing to attach it to.
      counts.unknown_email++;
      log('warn', {
        message_id: message.id,
        ses_message_id: notification.ses_message_id,
        error: 'no email for this SES event',
      });
      message.ack();
      continue;
    }
    for (const event of notification.events) {
      events.push({
        row: {
          id: crypto.randomUUID(),
          tenant_id: email.tenant_id,
          email_id: email.id,
          type: event.type,
          recipient: event.recipient,
          occurred_at: event.occurred_at,
          source: 'ses',
          dedupe_key: await dedupeKey(event.identity),
          data: JSON.stringify(event.data),
          machine: 0,
          created_at: createdAt,
        },
        payload: event,
        email,
        reaches: lastEventOf(event.type),
      });
      if (RATE_EVENTS.has(event.type)) {
        rated.set(refKey(email.tenant_id, email.stream), {
          tenant_id: email.tenant_id,
          stream: email.stream,
        });
      }
      if (event.suppress && event.recipient) {
        suppressions.push({
          id: crypto.randomUUID(),
          tenant_id: email.tenant_id,
          email: event.recipient.toLowerCase(),
          reason: event.suppress,
          source_id: email.id,
          created_at: createdAt,
        });
      }
      counts.events++;
    }
    written.push(message);
  }
  // Round trip 2: everything written, and the guardrail's inputs read back after the counters moved.
  const now = new Date();
  const committed = await commitEventBatch(
    env,
    d1,
    {
      events,
      suppressions,
      written,
      webhooks: context.webhooks,
      reputation: rated.size > 0 ? { streams: [...rated.values()], ...readWindow(now) } : undefined,
    },
    counts,
    log,
  );
  // Round trip 3, only when a stream's guardrail state changes: the reputation of the streams whose
  // sends, bounces or complaints this batch stored (never throws).
  if (committed) await evaluateAfterBatch(createDb(d1), d1, committed, now);
  // One line per batch: what the feedback cost in D1 (the benchmark reads these).
  done();
}

/** Event types that move the reputation rates: only these make a batch read the guardrail's inputs. */
const RATE_EVENTS = new Set(['email.sent', 'email.bounced', 'email.complained']);

/** The notification's email: by its tags (tenant and id) first, else by SES's message id. */
function ownerOf(context: BatchContext, n: SesNotification): BatchEmail | undefined {
  const tagged = n.tenant_id && n.email_id ? context.emails.get(refKey(n.tenant_id, n.email_id)) : undefined;
  return tagged ?? context.bySesMessageId.get(n.ses_message_id);
}

/** SHA-256 of the event's identity: fixed width for the unique index, whatever a link's length. */
async function dedupeKey(identity: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(identity));
  return `ses:${[...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

function log(level: 'warn' | 'error', fields: Record<string, unknown>) {
  console[level](JSON.stringify({ worker: 'events', queue: 'events', ...fields }));
}
