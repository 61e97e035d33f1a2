// What the tracking and send-failure consumers share before they write: each message must parse and
// name an email of its tenant. Anything else is acked here (a retry cannot make it better), counted
// and logged; the rest come back in order, their emails looked up in one D1 read.
import type { Db } from '@mailgrid/db';
import { findEmailsByRef } from '@mailgrid/db/cross-tenant';

export interface BatchCounts {
  malformed: number;
  unknown_email: number;
  events: number;
  webhook_deliveries: number;
}

export type BatchLog = (level: 'warn' | 'error', fields: Record<string, unknown>) => void;

export function batchLog(kind: string): BatchLog {
  return (level, fields) =>
    console[level](JSON.stringify({ worker: 'events', queue: 'events', kind, ...fields }));
}

export async function messagesForKnownEmails<T extends { tenant_id: string; email_id: string }>(
  db: Db,
  messages: readonly Message<unknown>[],
  parses: (body: unknown) => body is T,
  kind: string,
  counts: BatchCounts,
  log: BatchLog,
): Promise<Message<T>[]> {
  const valid: Message<T>[] = [];
  for (const message of messages) {
    if (parses(message.body)) {
      valid.push(message as Message<T>);
    } else {
      counts.malformed++;
      log('error', { message_id: message.id, error: `malformed ${kind}` });
      message.ack();
    }
  }
  // Scoped by tenant: an email is only ever looked up under the tenant the message names.
  const refs = [
    ...new Map(
      valid.map(({ body }) => [
        `${body.tenant_id}/${body.email_id}`,
        { tenant_id: body.tenant_id, id: body.email_id },
      ]),
    ).values(),
  ];
  const known = new Set((await findEmailsByRef(db, refs)).map((row) => `${row.tenant_id}/${row.id}`));
  return valid.filter((message) => {
    if (known.has(`${message.body.tenant_id}/${message.body.email_id}`)) return true;
    // Deleted since, or never ours: nothing to attach it to.
    counts.unknown_email++;
    log('warn', {
      message_id: message.id,
      email_id: message.body.email_id,
      error: `no email for this ${kind}`,
    });
    message.ack();
    return false;
  });
}
