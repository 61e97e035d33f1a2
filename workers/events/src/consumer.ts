// The events queue's consumer for SES notifications. Per batch: parse each SES event, find its email
// (by the tags the send worker attached, else by SES's message id), then write every event, every
// suppression and each email's last_event move in ONE D1 batch. Inserts skip events already stored
// (dedupe_key), so a notification SNS delivers again, or twice in one batch, is stored once.
// Nothing here is worth a retry except D1 failing: a message that does not parse, or names an email
// Mailgrid does not have, will not get better, so it is logged and acked.
// Customer webhooks: the same batch inserts a delivery per new event and subscribed webhook
// (webhooks/enqueue.ts); once it commits, each delivery it created is sent to WEBHOOKS_QUEUE.
import type { SesNotificationMessage } from '@mailgrid/contracts';
import { createDb, type Db, insertEvent, meteredD1, nowIso, suppressionInsert } from '@mailgrid/db';
import { findEmailsByRef, findEmailsBySesMessageId } from '@mailgrid/db/cross-tenant';
import { commitEventBatch, type Query } from './commit';
import type { Env } from './env';
import { parseSesEvent, type SesNotification } from './normalize';
import { evaluateAfterBatch } from './reputation';
import { lastEventOf } from './status';
import type { StoredEvent, StoredSuppression } from './webhooks/enqueue';

interface Parsed {
  message: Message<SesNotificationMessage>;
  notification: SesNotification;
}

interface Owner {
  tenant_id: string;
  email_id: string;
}

export async function consumeSesBatch(
  messages: readonly Message<SesNotificationMessage>[],
  env: Env,
): Promise<void> {
  if (messages.length === 0) return;
  const { db: d1, usage } = meteredD1(env.DB);
  const db = createDb(d1);
  const counts = { malformed: 0, unknown_email: 0, ignored: 0, events: 0, webhook_deliveries: 0 };

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

  const owners = await findOwners(db, parsed);
  // Built up as kysely queries, compiled and run together by runBatch.
  const queries: Query[] = [];
  const reached = new Map<string, { tenant_id: string; email_id: string; lastEvents: string[] }>();
  const written: Message<SesNotificationMessage>[] = [];
  const stored: StoredEvent[] = [];
  const suppressions: StoredSuppression[] = [];
  const createdAt = nowIso();
  for (const { message, notification } of parsed) {
    const owner = owners.get(notification);
    if (!owner) {
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
      const id = crypto.randomUUID();
      stored.push({ id, tenant_id: owner.tenant_id, email_id: owner.email_id, ...event });
      queries.push(
        insertEvent(db, owner.tenant_id, {
          id,
          email_id: owner.email_id,
          type: event.type,
          recipient: event.recipient,
          occurred_at: event.occurred_at,
          source: 'ses',
          dedupe_key: await dedupeKey(event.identity),
          data: JSON.stringify(event.data),
          machine: 0,
          created_at: createdAt,
        }),
      );
      if (event.suppress && event.recipient) {
        const suppression: StoredSuppression = {
          id: crypto.randomUUID(),
          tenant_id: owner.tenant_id,
          email: event.recipient.toLowerCase(),
          reason: event.suppress,
          source_id: owner.email_id,
          created_at: createdAt,
        };
        suppressions.push(suppression);
        queries.push(
          suppressionInsert(db, owner.tenant_id, suppression.email, suppression.reason, suppression),
        );
      }
      const key = `${owner.tenant_id}/${owner.email_id}`;
      const entry = reached.get(key) ?? { ...owner, lastEvents: [] };
      entry.lastEvents.push(lastEventOf(event.type));
      reached.set(key, entry);
      counts.events++;
    }
    written.push(message);
  }
  const results = await commitEventBatch(
    env,
    db,
    d1,
    { queries, stored, suppressions, written, reached: reached.values() },
    counts,
    log,
  );
  // Reputation: re-evaluate the streams the committed events belong to (never throws).
  if (results) await evaluateAfterBatch(db, d1, stored);
  // One line per batch: what the feedback cost in D1 (the benchmark reads these).
  console.log(JSON.stringify({ event: 'events.ses_batch', messages: messages.length, ...counts, d1: usage }));
}

/** Each notification's email: by its tags (tenant and id) first, else by SES's message id. Two reads. */
async function findOwners(db: Db, parsed: Parsed[]): Promise<Map<SesNotification, Owner>> {
  const owners = new Map<SesNotification, Owner>();
  const tagged = parsed.flatMap(({ notification: n }) =>
    n.tenant_id && n.email_id ? [{ tenant_id: n.tenant_id, id: n.email_id }] : [],
  );
  const byRef = new Set(
    (
      await findEmailsByRef(
        db,
        dedupe(tagged, (ref) => `${ref.tenant_id}/${ref.id}`),
      )
    ).map((row) => `${row.tenant_id}/${row.id}`),
  );
  const untagged: SesNotification[] = [];
  for (const { notification: n } of parsed) {
    if (n.tenant_id && n.email_id && byRef.has(`${n.tenant_id}/${n.email_id}`)) {
      owners.set(n, { tenant_id: n.tenant_id, email_id: n.email_id });
    } else {
      untagged.push(n);
    }
  }
  const rows = await findEmailsBySesMessageId(db, [...new Set(untagged.map((n) => n.ses_message_id))]);
  const bySesId = new Map(rows.map((row) => [row.ses_message_id, row]));
  for (const n of untagged) {
    const row = bySesId.get(n.ses_message_id);
    if (row) owners.set(n, { tenant_id: row.tenant_id, email_id: row.id });
  }
  return owners;
}

function dedupe<T>(items: T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}

/** SHA-256 of the event's identity: fixed width for the unique index, whatever a link's length. */
async function dedupeKey(identity: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(identity));
  return `ses:${[...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

function log(level: 'warn' | 'error', fields: Record<string, unknown>) {
  console[level](JSON.stringify({ worker: 'events', queue: 'events', ...fields }));
}
