// What every events batch reads before it writes, in ONE D1 round trip (readEventBatch): the emails
// its messages name, by (tenant, id) or by SES message id, with the stream and what a webhook payload
// says of them, and the enabled webhooks of their tenants. The tracking and send-failure consumers
// share the rest too: each message must parse and name an email of its tenant. Anything else is
// acked here (a retry cannot make it better), counted and logged.
import type { EmailRef } from '@mailgrid/db/cross-tenant';
import { type BatchEmail, type BatchWebhook, readEventBatch } from '@mailgrid/db/cross-tenant';

export interface BatchCounts {
  malformed: number;
  unknown_email: number;
  events: number;
  /** Of `events`, the ones not stored before (a redelivered copy is not). */
  stored: number;
  webhook_deliveries: number;
}

export type BatchLog = (level: 'warn' | 'error', fields: Record<string, unknown>) => void;

export function batchLog(kind: string): BatchLog {
  return (level, fields) =>
    console[level](JSON.stringify({ worker: 'events', queue: 'events', kind, ...fields }));
}

export interface BatchContext {
  /** By `tenant/id`. */
  emails: Map<string, BatchEmail>;
  bySesMessageId: Map<string, BatchEmail>;
  webhooks: BatchWebhook[];
}

export const refKey = (tenantId: string, emailId: string) => `${tenantId}/${emailId}`;

/** The batch's one read. Throws when D1 does: the caller retries its messages. */
export async function readContext(d1: D1Database, refs: EmailRef[], sesMessageIds: string[] = []) {
  const context: BatchContext = { emails: new Map(), bySesMessageId: new Map(), webhooks: [] };
  const uniqueRefs = [...new Map(refs.map((ref) => [refKey(ref.tenant_id, ref.id), ref])).values()];
  const uniqueSesIds = [...new Set(sesMessageIds)];
  if (uniqueRefs.length === 0 && uniqueSesIds.length === 0) return context;
  const { emails, webhooks } = await readEventBatch(d1, { refs: uniqueRefs, sesMessageIds: uniqueSesIds });
  for (const email of emails) {
    context.emails.set(refKey(email.tenant_id, email.id), email);
    if (email.ses_message_id) context.bySesMessageId.set(email.ses_message_id, email);
  }
  context.webhooks = webhooks;
  return context;
}

/**
 * The messages that parse and name an email of their tenant, with the batch's context; null when
 * the read failed (every message not acked here is then retried).
 */
export async function messagesForKnownEmails<T extends { tenant_id: string; email_id: string }>(
  d1: D1Database,
  messages: readonly Message<unknown>[],
  parses: (body: unknown) => body is T,
  kind: string,
  counts: BatchCounts,
  log: BatchLog,
): Promise<{ valid: { message: Message<T>; email: BatchEmail }[]; context: BatchContext } | null> {
  const parsed: Message<T>[] = [];
  for (const message of messages) {
    if (parses(message.body)) {
      parsed.push(message as Message<T>);
    } else {
      counts.malformed++;
      log('error', { message_id: message.id, error: `malformed ${kind}` });
      message.ack();
    }
  }
  let context: BatchContext;
  try {
    // Scoped by tenant: an email is only ever looked up under the tenant the message names.
    context = await readContext(
      d1,
      parsed.map(({ body }) => ({ tenant_id: body.tenant_id, id: body.email_id })),
    );
  } catch (err) {
    retryAll(parsed, log, err);
    return null;
  }
  const valid: { message: Message<T>; email: BatchEmail }[] = [];
  for (const message of parsed) {
    const email = context.emails.get(refKey(message.body.tenant_id, message.body.email_id));
    if (email) {
      valid.push({ message, email });
      continue;
    }
    // Deleted since, or never ours: nothing to attach it to.
    counts.unknown_email++;
    log('warn', {
      message_id: message.id,
      email_id: message.body.email_id,
      error: `no email for this ${kind}`,
    });
    message.ack();
  }
  return { valid, context };
}

/** D1 refused the batch's read: nothing was written, every message comes again. */
export function retryAll(messages: readonly Message<unknown>[], log: BatchLog, err: unknown): void {
  log('error', { error: `d1 read failed: ${String(err)}`, messages: messages.length });
  for (const message of messages) message.retry({ delaySeconds: 10 });
}
