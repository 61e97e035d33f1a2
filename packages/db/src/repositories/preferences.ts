// A recipient's own changes from the unsubscribe and preference pages: no caller, so the tenant is
// named explicitly and the audit entry's actor is the system (`unsubscribe`).
import { runBatch } from '../batch';
import { type Db, nowIso } from '../client';
import type { TopicSubscription } from '../schema';
import { systemAuditEntry } from './audit-log';

export interface PreferenceWrite {
  unsubscribed?: boolean;
  topics: { id: string; subscription: TopicSubscription }[];
}

/**
 * Applies the change to the contact with this (lower-cased) address, creating it first when there is
 * none: `contactId` is the existing contact's id, or the id to give a new one. INSERT OR IGNORE makes
 * a concurrent creation of the same address harmless.
 */
export async function applyPreferences(
  db: Db,
  d1: D1Database,
  tenantId: string,
  email: string,
  contactId: string,
  change: PreferenceWrite,
  audit: { created: boolean; email_id: string | null },
): Promise<void> {
  const now = nowIso();
  const theContact = db.selectFrom('contacts').where('tenant_id', '=', tenantId).where('email', '=', email);
  await runBatch(d1, [
    db
      .insertInto('contacts')
      .values({
        id: contactId,
        tenant_id: tenantId,
        email,
        first_name: null,
        last_name: null,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.doNothing()),
    ...(change.unsubscribed === undefined
      ? []
      : [
          db
            .updateTable('contacts')
            .set({ unsubscribed: change.unsubscribed ? 1 : 0, updated_at: now })
            .where('tenant_id', '=', tenantId)
            .where('email', '=', email),
        ]),
    ...change.topics.map((topic) =>
      db
        .insertInto('contact_topics')
        .columns(['tenant_id', 'contact_id', 'topic_id', 'subscription', 'updated_at'])
        .expression(
          theContact.select((eb) => [
            eb.val(tenantId).as('tenant_id'),
            'id',
            eb.val(topic.id).as('topic_id'),
            eb.val(topic.subscription).as('subscription'),
            eb.val(now).as('updated_at'),
          ]),
        )
        .onConflict((oc) =>
          oc
            .columns(['contact_id', 'topic_id'])
            .doUpdateSet({ subscription: topic.subscription, updated_at: now }),
        ),
    ),
    systemAuditEntry(db, tenantId, 'unsubscribe', {
      action: 'contact.preferences_updated',
      target_type: 'contact',
      target_id: contactId,
      summary: {
        email,
        ...(audit.created ? { created: true } : {}),
        ...(change.unsubscribed === undefined ? {} : { unsubscribed: change.unsubscribed }),
        ...(change.topics.length > 0 ? { topics: change.topics } : {}),
        email_id: audit.email_id,
      },
    }),
  ]);
}
