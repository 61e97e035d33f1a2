// Contacts: create (with segments and topic choices), read by id or email, list, update, delete, and
// a contact's segments and topic subscriptions. Property values are checked against the tenant's
// declarations before anything is written.
import {
  AppError,
  type AudienceListQuery,
  type Caller,
  type ContactList,
  type ContactObject,
  type ContactPropertyValue,
  type ContactResponse,
  type ContactSegmentChange,
  type ContactSegmentList,
  type ContactSummary,
  type ContactTopicList,
  type CreateContactRequest,
  type DeletedContact,
  pageInMemory,
  type UpdateContactRequest,
  type UpdateContactTopicsRequest,
  unknownCursor,
} from '@mailgrid/contracts';
import {
  type ContactChanges,
  type ContactPropertyRow,
  type ContactRow,
  contactPropertiesByKey,
  contactTopicChoices,
  createDb,
  type Db,
  deleteContact as deleteContactRow,
  removeContactFromSegment as deleteSegmentMember,
  existingSegmentIds,
  findContact,
  insertContact,
  addContactToSegment as insertSegmentMember,
  isEmailTaken,
  isInSegment,
  listContacts as listContactRows,
  listSegments,
  listTopics,
  setContactTopics,
  type TopicSubscription,
  updateContact as updateContactRow,
} from '@mailgrid/db';
import type { Env } from '../env';
import { emitWebhookEvent } from '../webhook-events';
import { contactDeletedData, emitContactEvent, emitContactTopicsEvent } from './audience-events';
import { checkPropertyValues } from './properties';
import { existingSegment, toSegmentSummary } from './segments';

export async function createContact(
  env: Env,
  caller: Caller,
  input: CreateContactRequest,
): Promise<ContactResponse> {
  const db = createDb(env.DB);
  const declared = await contactPropertiesByKey(db, caller.tenant_id);
  const properties = checkPropertyValues(input.properties ?? {}, declared, 'skip');
  const segmentIds = await checkSegments(
    db,
    caller,
    (input.segments ?? []).map((segment) => segment.id),
  );
  const topics = await checkTopics(db, caller, input.topics ?? [], 'topics');
  try {
    const id = await insertContact(
      db,
      env.DB,
      caller,
      {
        email: input.email,
        first_name: input.first_name || null,
        last_name: input.last_name || null,
        unsubscribed: input.unsubscribed ?? false,
        properties: JSON.stringify(properties),
      },
      segmentIds,
      topics,
    );
    await emitContactEvent(env, caller.tenant_id, 'contact.created', id);
    return { object: 'contact', id };
  } catch (err) {
    if (isEmailTaken(err)) {
      throw new AppError(
        'conflict',
        `A contact with the email ${input.email} already exists; change it with PATCH /contacts/${input.email}.`,
      );
    }
    throw err;
  }
}

export async function getContact(env: Env, caller: Caller, ref: string): Promise<ContactObject> {
  const db = createDb(env.DB);
  const row = await existingContact(db, caller, ref);
  const declared = await contactPropertiesByKey(db, caller.tenant_id);
  return { object: 'contact', ...toContactSummary(row), properties: typedProperties(row, declared) };
}

export async function listContacts(env: Env, caller: Caller, query: AudienceListQuery): Promise<ContactList> {
  const page = await listContactRows(createDb(env.DB), caller.tenant_id, query);
  if (!page) throw unknownCursor(query, 'contact');
  return { object: 'list', has_more: page.has_more, data: page.rows.map(toContactSummary) };
}

export async function updateContact(
  env: Env,
  caller: Caller,
  ref: string,
  input: UpdateContactRequest,
): Promise<ContactResponse> {
  const db = createDb(env.DB);
  const row = await existingContact(db, caller, ref);
  const changes: ContactChanges = {};
  // `undefined` leaves a field as it is; `null` (or '') clears a name.
  if (input.first_name !== undefined) changes.first_name = input.first_name || null;
  if (input.last_name !== undefined) changes.last_name = input.last_name || null;
  if (input.unsubscribed !== undefined && input.unsubscribed !== null)
    changes.unsubscribed = input.unsubscribed;
  if (input.properties) {
    const declared = await contactPropertiesByKey(db, caller.tenant_id);
    const patch = checkPropertyValues(input.properties, declared, 'remove');
    if (Object.keys(patch).length > 0) changes.properties_patch = patch;
  }
  if (Object.keys(changes).length > 0) {
    await updateContactRow(db, env.DB, caller, row.id, changes);
    await emitContactEvent(env, caller.tenant_id, 'contact.updated', row.id);
  }
  return { object: 'contact', id: row.id };
}

export async function deleteContact(env: Env, caller: Caller, ref: string): Promise<DeletedContact> {
  const db = createDb(env.DB);
  const row = await existingContact(db, caller, ref);
  const eventData = await contactDeletedData(env, caller.tenant_id, row);
  await deleteContactRow(db, env.DB, caller, row);
  if (eventData) await emitWebhookEvent(env, caller.tenant_id, 'contact.deleted', eventData);
  return { object: 'contact', contact: row.id, deleted: true };
}

export async function listContactSegments(
  env: Env,
  caller: Caller,
  ref: string,
  query: AudienceListQuery,
): Promise<ContactSegmentList> {
  const db = createDb(env.DB);
  const contact = await existingContact(db, caller, ref);
  const page = await listSegments(db, caller.tenant_id, query, contact.id);
  if (!page) throw unknownCursor(query, 'segment');
  return { object: 'list', has_more: page.has_more, data: page.rows.map(toSegmentSummary) };
}

export async function addContactToSegment(
  env: Env,
  caller: Caller,
  ref: string,
  segmentId: string,
): Promise<ContactSegmentChange> {
  const db = createDb(env.DB);
  const contact = await existingContact(db, caller, ref);
  const segment = await existingSegment(db, caller, segmentId);
  // Already a member: nothing changes, so nothing is written or audited.
  if (!(await isInSegment(db, caller.tenant_id, contact.id, segment.id))) {
    await insertSegmentMember(db, env.DB, caller, contact.id, segment.id);
  }
  return { object: 'contact_segment', id: segment.id, contact_id: contact.id, segment_id: segment.id };
}

export async function removeContactFromSegment(
  env: Env,
  caller: Caller,
  ref: string,
  segmentId: string,
): Promise<ContactSegmentChange> {
  const db = createDb(env.DB);
  const contact = await existingContact(db, caller, ref);
  const segment = await existingSegment(db, caller, segmentId);
  if (!(await isInSegment(db, caller.tenant_id, contact.id, segment.id))) {
    throw new AppError('not_found', `Contact ${ref} is not in segment ${segment.id}.`);
  }
  await deleteSegmentMember(db, env.DB, caller, contact.id, segment.id);
  return {
    object: 'contact_segment',
    id: segment.id,
    contact_id: contact.id,
    segment_id: segment.id,
    deleted: true,
  };
}

export async function listContactTopics(
  env: Env,
  caller: Caller,
  ref: string,
  query: AudienceListQuery,
): Promise<ContactTopicList> {
  const db = createDb(env.DB);
  const contact = await existingContact(db, caller, ref);
  const [topics, choices] = await Promise.all([
    listTopics(db, caller.tenant_id),
    contactTopicChoices(db, caller.tenant_id, contact.id),
  ]);
  const rows = topics.map((topic) => ({
    id: topic.id,
    name: topic.name,
    description: topic.description,
    subscription: choices.get(topic.id) ?? topic.default_subscription,
  }));
  return { object: 'list', ...pageInMemory(rows, query, 'topic') };
}

export async function updateContactTopics(
  env: Env,
  caller: Caller,
  ref: string,
  input: UpdateContactTopicsRequest,
): Promise<{ id: string }> {
  const db = createDb(env.DB);
  const contact = await existingContact(db, caller, ref);
  const topics = await checkTopics(db, caller, input, '');
  await setContactTopics(db, env.DB, caller, contact.id, topics);
  if (topics.length > 0) await emitContactTopicsEvent(env, caller.tenant_id, contact.email, topics);
  return { id: contact.id };
}

export async function existingContact(db: Db, caller: Caller, ref: string): Promise<ContactRow> {
  const row = await findContact(db, caller.tenant_id, ref);
  if (!row) throw new AppError('not_found', `Contact ${ref} not found.`);
  return row;
}

export function toContactSummary(row: ContactRow): ContactSummary {
  return {
    id: row.id,
    email: row.email,
    first_name: row.first_name,
    last_name: row.last_name,
    unsubscribed: row.unsubscribed === 1,
    created_at: row.created_at,
  };
}

/** The contact's own values, each with its declared type (the SDK's `{ type, value }`). */
function typedProperties(
  row: ContactRow,
  declared: Map<string, ContactPropertyRow>,
): Record<string, ContactPropertyValue> {
  const values = JSON.parse(row.properties) as Record<string, string | number>;
  const typed: Record<string, ContactPropertyValue> = {};
  for (const [key, value] of Object.entries(values)) {
    const type = declared.get(key)?.type ?? (typeof value === 'number' ? 'number' : 'string');
    typed[key] = type === 'number' ? { type, value: Number(value) } : { type, value: String(value) };
  }
  return typed;
}

/** The given segment ids, once each; a segment that is not the tenant's is not_found, naming the field. */
async function checkSegments(db: Db, caller: Caller, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  const found = await existingSegmentIds(db, caller.tenant_id, unique);
  const missing = ids.findIndex((id) => !found.has(id));
  if (missing >= 0)
    throw new AppError('not_found', `segments[${missing}].id: segment ${ids[missing]} not found.`);
  return unique;
}

/** The choices, the last one per topic winning; a topic that is not the tenant's is not_found. */
async function checkTopics(
  db: Db,
  caller: Caller,
  choices: { id: string; subscription: TopicSubscription }[],
  field: string,
): Promise<{ id: string; subscription: TopicSubscription }[]> {
  if (choices.length === 0) return [];
  const known = new Set((await listTopics(db, caller.tenant_id)).map((topic) => topic.id));
  const missing = choices.findIndex((choice) => !known.has(choice.id));
  if (missing >= 0) {
    const at = field ? `${field}[${missing}].id` : `[${missing}].id`;
    throw new AppError('not_found', `${at}: topic ${choices[missing]?.id} not found.`);
  }
  return [...new Map(choices.map((choice) => [choice.id, choice])).values()];
}
