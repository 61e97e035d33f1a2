// contact.* and topic.* webhook events, in Resend's payload shapes. Fired by the API's (and the
// dashboard's) changes to one contact or topic; CSV imports fire none (as Resend documents).
import type { TopicSubscription } from '@mailgrid/contracts';
import {
  type ContactRow,
  contactSegmentIds,
  createDb,
  findContact,
  findTopic,
  type TopicRow,
} from '@mailgrid/db';
import type { Env } from '../env';
import { emitWebhookEvent, wantsWebhookEvent } from '../webhook-events';

type ContactEventType = 'contact.created' | 'contact.updated' | 'contact.deleted';

/** The contact as the event carries it; read before a delete (its segment memberships go with it). */
export async function contactEventData(env: Env, tenantId: string, contact: ContactRow) {
  return {
    id: contact.id,
    // Resend's contacts once lived in audiences; a Mailgrid tenant's contacts form one list.
    audience_id: tenantId,
    segment_ids: await contactSegmentIds(createDb(env.DB), tenantId, contact.id),
    email: contact.email,
    first_name: contact.first_name,
    last_name: contact.last_name,
    unsubscribed: contact.unsubscribed === 1,
    created_at: contact.created_at,
    updated_at: contact.updated_at,
  };
}

/** After a create or an update: the contact as it now is (read only when a webhook wants it). */
export function emitContactEvent(env: Env, tenantId: string, type: ContactEventType, contactId: string) {
  return emitWebhookEvent(env, tenantId, type, async () => {
    const contact = await findContact(createDb(env.DB), tenantId, contactId);
    if (!contact) throw new Error(`contact ${contactId} vanished before its ${type} event`);
    return contactEventData(env, tenantId, contact);
  });
}

/** Before a delete: the contact's event data, when a webhook wants contact.deleted (else null). */
export async function contactDeletedData(env: Env, tenantId: string, contact: ContactRow) {
  return (await wantsWebhookEvent(env, tenantId, 'contact.deleted'))
    ? await contactEventData(env, tenantId, contact)
    : null;
}

export function emitContactTopicsEvent(
  env: Env,
  tenantId: string,
  email: string,
  topics: { id: string; subscription: TopicSubscription }[],
) {
  return emitWebhookEvent(env, tenantId, 'contact.topics.updated', {
    email,
    topics: topics.map(({ id, subscription }) => ({ id, subscription })),
  });
}

/** A topic's event: the row as it is now (by id, read only when a webhook wants it), or as deleted. */
export function emitTopicEvent(
  env: Env,
  tenantId: string,
  type: 'topic.created' | 'topic.updated' | 'topic.deleted',
  topic: TopicRow | string,
) {
  return emitWebhookEvent(env, tenantId, type, async () => {
    const row = typeof topic === 'string' ? await findTopic(createDb(env.DB), tenantId, topic) : topic;
    if (!row) throw new Error(`topic ${String(topic)} vanished before its ${type} event`);
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      default_subscription: row.default_subscription,
      deleted: type === 'topic.deleted',
      created_at: row.created_at,
      updated_at: row.updated_at,
    };
  });
}
