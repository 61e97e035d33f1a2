// The recipient's side: what the tracking worker's unsubscribe and preference pages read and change.
// No API key: the tenant comes from a signed token the tracking worker verified.
import { AppError, ContactEmail, type ContactPreferences, type PreferencesChange } from '@mailgrid/contracts';
import {
  applyPreferences,
  contactTopicChoices,
  createDb,
  type Db,
  findContact,
  getTenantRow,
  listTopics,
  type TopicSubscription,
} from '@mailgrid/db';
import * as v from 'valibot';
import type { Env } from '../env';
import { emitContactEvent, emitContactTopicsEvent } from './audience-events';

export async function getPreferences(env: Env, tenantId: string, email: string): Promise<ContactPreferences> {
  return preferencesOf(createDb(env.DB), tenantId, normalEmail(email));
}

/**
 * Creates the contact when the address has none, then applies the change; audited as `system`/`unsubscribe`.
 * The tenant's webhooks hear it as from the API: contact.created for a new contact, contact.updated when
 * `unsubscribed` flips, contact.topics.updated with the topics whose choice changed.
 */
export async function updatePreferences(
  env: Env,
  tenantId: string,
  email: string,
  change: PreferencesChange,
  emailId: string | null,
): Promise<ContactPreferences> {
  const db = createDb(env.DB);
  const address = normalEmail(email);
  const write = checkChange(change);
  const tenant = await getTenantRow(db, tenantId);
  if (!tenant) throw new AppError('not_found', `Tenant ${tenantId} not found.`);
  // Any topic of the tenant, private ones included: an email sent about one carries its id.
  const defaults = new Map(
    write.topics.length > 0
      ? (await listTopics(db, tenantId)).map((topic) => [topic.id, topic.default_subscription])
      : [],
  );
  const unknown = write.topics.find((topic) => !defaults.has(topic.id));
  if (unknown) throw new AppError('not_found', `Topic ${unknown.id} not found.`);
  const contact = await findContact(db, tenantId, address);
  const choices = contact ? await contactTopicChoices(db, tenantId, contact.id) : new Map();
  // Only what changes in effect is written (and audited), so a repeated click is a no-op.
  const changed = {
    ...(write.unsubscribed !== undefined && write.unsubscribed !== (contact?.unsubscribed === 1)
      ? { unsubscribed: write.unsubscribed }
      : {}),
    topics: write.topics.filter(
      (topic) => (choices.get(topic.id) ?? defaults.get(topic.id)) !== topic.subscription,
    ),
  };
  if (!contact || changed.unsubscribed !== undefined || changed.topics.length > 0) {
    const contactId = contact?.id ?? crypto.randomUUID();
    await applyPreferences(db, env.DB, tenantId, address, contactId, changed, {
      created: !contact,
      email_id: emailId,
    });
    if (!contact) await emitContactEvent(env, tenantId, 'contact.created', contactId);
    else if (changed.unsubscribed !== undefined)
      await emitContactEvent(env, tenantId, 'contact.updated', contactId);
    if (changed.topics.length > 0) await emitContactTopicsEvent(env, tenantId, address, changed.topics);
  }
  return preferencesOf(db, tenantId, address);
}

async function preferencesOf(db: Db, tenantId: string, email: string): Promise<ContactPreferences> {
  const [tenant, contact, topics] = await Promise.all([
    getTenantRow(db, tenantId),
    findContact(db, tenantId, email),
    listTopics(db, tenantId),
  ]);
  if (!tenant) throw new AppError('not_found', `Tenant ${tenantId} not found.`);
  const choices = contact ? await contactTopicChoices(db, tenantId, contact.id) : new Map();
  return {
    sender: tenant.name,
    email,
    unsubscribed: contact?.unsubscribed === 1,
    // Public topics for everyone; a private one only while the contact is opted in to it (Resend's rule).
    topics: topics
      .map((topic) => ({
        id: topic.id,
        name: topic.name,
        description: topic.description,
        subscribed: (choices.get(topic.id) ?? topic.default_subscription) === 'opt_in',
        visibility: topic.visibility,
      }))
      .filter((topic) => topic.visibility === 'public' || topic.subscribed)
      .map(({ visibility: _, ...topic }) => topic),
  };
}

function normalEmail(email: string): string {
  const parsed = v.safeParse(ContactEmail, email);
  if (!parsed.success) throw new AppError('invalid_parameter', `email: ${parsed.issues[0].message}.`);
  return parsed.output;
}

// The change crosses RPC from another worker, so its shape is checked here too.
function checkChange(change: PreferencesChange): {
  unsubscribed?: boolean;
  topics: { id: string; subscription: TopicSubscription }[];
} {
  if (change.unsubscribed !== undefined && typeof change.unsubscribed !== 'boolean') {
    throw new AppError('invalid_parameter', 'unsubscribed must be true or false.');
  }
  const topics = change.topics ?? [];
  if (
    !Array.isArray(topics) ||
    topics.some((t) => typeof t?.id !== 'string' || typeof t.subscribed !== 'boolean')
  ) {
    throw new AppError('invalid_parameter', 'topics must be a list of { id, subscribed }.');
  }
  return {
    ...(change.unsubscribed === undefined ? {} : { unsubscribed: change.unsubscribed }),
    topics: topics.map((topic) => ({ id: topic.id, subscription: topic.subscribed ? 'opt_in' : 'opt_out' })),
  };
}
