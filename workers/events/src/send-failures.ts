// The events queue's consumer for `send.failed`: emails the send consumer gave up on (SES refused
// them, their attempts ran out, or their message could not be built). Like the SES and tracking
// paths: per queue batch, ONE D1 batch writes an `email.failed` event per email (deduped on the
// email's id, `send.failed:<id>`: an email fails once, however often send reports it), the day
// counters and the webhook deliveries; after the commit the deliveries are queued. The send
// consumer has already set the email's status and last_event to `failed`.
import type { SendFailedMessage } from '@mailgrid/contracts';
import type { Env } from './env';
import { consumeOneEventEach } from './one-event-each';

export function consumeSendFailures(
  messages: readonly Message<SendFailedMessage>[],
  env: Env,
): Promise<void> {
  return consumeOneEventEach(messages, env, {
    kind: 'send.failed',
    logEvent: 'events.send_failed_batch',
    parses: isSendFailed,
    toEvent: (failure, email, createdAt) => {
      const data = { reason: failure.reason };
      return {
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
      };
    },
  });
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
