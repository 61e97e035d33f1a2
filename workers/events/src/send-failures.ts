// The events queue's consumer for `send.failed`: emails the send consumer gave up on (SES refused
// them, their attempts ran out, or their message could not be built). Like the SES and tracking
// paths: per queue batch, ONE D1 batch writes an `email.failed` event per email (deduped on the
// email's id, `send.failed:<id>`: an email fails once, however often send reports it), the day
// counters and the webhook deliveries; after the commit the deliveries are queued. The send
// consumer has already set the email's status and last_event to `failed`.
import type { SendFailedMessage } from '@mailgrid/contracts';
import { meteredD1, nowIso } from '@mailgrid/db';
import { commitEventBatch, type NewEvent } from './commit';
import type { Env } from './env';
import { type BatchCounts, batchLog, messagesForKnownEmails } from './known-emails';

export async function consumeSendFailures(
  messages: readonly Message<SendFailedMessage>[],
  env: Env,
): Promise<void> {
  if (messages.length === 0) return;
  const { db: d1, usage } = meteredD1(env.DB);
  const counts: BatchCounts = { malformed: 0, unknown_email: 0, events: 0, stored: 0, webhook_deliveries: 0 };
  const known = await messagesForKnownEmails(d1, messages, isSendFailed, 'send.failed', counts, log);
  if (known && known.valid.length > 0) {
    const events: NewEvent[] = [];
    const createdAt = nowIso();
    for (const { message, email } of known.valid) {
      const failure = message.body;
      const data = { reason: failure.reason };
      events.push({
        row: {
          id: crypto.randomUUID(),
          tenant_id: failure.tenant_id,
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
        },
        payload: { type: 'email.failed', recipient: null, occurred_at: failure.occurred_at, data },
        email,
        reaches: 'failed',
      });
      counts.events++;
    }
    await commitEventBatch(
      env,
      d1,
      { events, written: known.valid.map(({ message }) => message), webhooks: known.context.webhooks },
      counts,
      log,
    );
  }
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
