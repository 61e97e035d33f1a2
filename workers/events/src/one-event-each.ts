// The whole of a consumer whose every message names one email of its tenant and becomes one event
// (tracking hits, send failures): the batch's one read (messagesForKnownEmails), each valid message
// turned into its event, the one commit (commit.ts), and one log line with the counts and D1 usage.
// The SES path has more to do per batch (suppressions, reputation) and runs its own.

import { meteredD1, nowIso } from '@mailgrid/db';
import type { BatchEmail } from '@mailgrid/db/cross-tenant';
import { commitEventBatch, type NewEvent } from './commit';
import type { Env } from './env';
import { type BatchCounts, batchLog, messagesForKnownEmails } from './known-emails';

export interface OneEventEach<T> {
  /** The message kind, as logged. */
  kind: string;
  /** The `event` of the batch's log line. */
  logEvent: string;
  parses: (body: unknown) => body is T;
  /** The message's event; `createdAt` is the batch's. */
  toEvent: (body: T, email: BatchEmail, createdAt: string) => NewEvent;
}

export async function consumeOneEventEach<T extends { tenant_id: string; email_id: string }>(
  messages: readonly Message<unknown>[],
  env: Env,
  consumer: OneEventEach<T>,
): Promise<void> {
  if (messages.length === 0) return;
  const log = batchLog(consumer.kind);
  const { db: d1, usage } = meteredD1(env.DB);
  const counts: BatchCounts = { malformed: 0, unknown_email: 0, events: 0, stored: 0, webhook_deliveries: 0 };
  const known = await messagesForKnownEmails(d1, messages, consumer.parses, consumer.kind, counts, log);
  if (known && known.valid.length > 0) {
    const createdAt = nowIso();
    const events = known.valid.map(({ message, email }) => consumer.toEvent(message.body, email, createdAt));
    counts.events += events.length;
    await commitEventBatch(
      env,
      d1,
      { events, written: known.valid.map(({ message }) => message), webhooks: known.context.webhooks },
      counts,
      log,
    );
  }
  console.log(JSON.stringify({ event: consumer.logEvent, messages: messages.length, ...counts, d1: usage }));
}
