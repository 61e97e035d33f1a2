// The events queue's consumer for `send.failed`: emails the send consumer gave up on (SES refused
// them, their attempts ran out, or their message could not be built). Like the SES and tracking
// paths: per queue batch, ONE D1 batch writes an `email.failed` event per email (deduped on the
// email's id, `send.failed:<id>`: an email fails once, however often send reports it), the day
// counters and the webhook deliveries; after the commit the deliveries are queued. The send
// consumer has already set the email's status and last_event to `failed`.
import type { SendFailedMessage } from '@mailgrid/contracts';
import { createDb, insertEvent, meteredD1, nowIso } from '@mailgrid/db';
import { commitEventBatch, type Query } from './commit';
import type { Env } from './env';
import { type BatchCounts, batchLog, messagesForKnownEmails } from './known-emails';
import type { StoredEvent } from './webhooks/enqueue';

export async function consumeSendFailures(
  messages: readonly Message<SendFailedMessage>[],
  env: Env,
): Promise<void> {
  if (messages.length === 0) return;
  const { db: d1, usage } = meteredD1(env.DB);
  const db = createDb(d1);
  const counts: BatchCounts = { malformed: 0, unknown_email: 0, events: 0, webhook_deliveries: 0 };
  const valid = await messagesForKnownEmails(db, messages, isSendFailed, 'send.failed', counts, log);

  const queries: Query[] = [];
  const written: Message<SendFailedMessage>[] = [];
  const stored: StoredEvent[] = [];
  const reached = new Map<string, { tenant_id: string; email_id: string; lastEvents: string[] }>();
  const createdAt = nowIso();
  for (const message of valid) {
    const failure = message.body;
    const key = `${failure.tenant_id}/${failure.email_id}`;
    const id = crypto.randomUUID();
    const data = { reason: failure.reason };
    stored.push({
      id,
      tenant_id: failure.tenant_id,
      email_id: failure.email_id,
      type: 'email.failed',
      recipient: null,
      occurred_at: failure.occurred_at,
      data,
    });
    queries.push(
      insertEvent(db, failure.tenant_id, {
        id,
        email_id: failure.email_id,
        type: 'email.failed',
        recipient: null,
        occurred_at: failure.occurred_at,
        // Mailgrid's own report, not SES's (whose Reject and Rendering Failure are source 'ses').
        source: 'send',
        dedupe_key: `send.failed:${failure.email_id}`,
        data: JSON.stringify(data),
        machine: 0,
        created_at: createdAt,
      }),
    );
    const entry = reached.get(key) ?? {
      tenant_id: failure.tenant_id,
      email_id: failure.email_id,
      lastEvents: [],
    };
    entry.lastEvents.push('failed');
    reached.set(key, entry);
    counts.events++;
    written.push(message);
  }
  await commitEventBatch(env, db, d1, { queries, stored, written, reached: reached.values() }, counts, log);
  console.log(
    JSON.stringify({ event: 'events.send_failed_batch', messages: messages.length, ...counts, d1: usage }),
  );
}

function isSendFailed(body: unknown): body is SendFailedMessage {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  const text = (value: unknown) => typeof value === 'string' && value !== '';
  return (
    b.kind === 'send.failed' &&
    text(b.tenant_id) &&
    text(b.email_id) &&
    typeof b.reason === 'string' &&
    text(b.occurred_at) &&
    !Number.isNaN(Date.parse(b.occurred_at as string))
  );
}

const log = batchLog('send.failed');
