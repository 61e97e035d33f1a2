// Contacts (Resend's global contacts): one per lower-cased address per tenant, with custom
// properties as a JSON object, segment memberships and explicit topic choices. Every read and write
// names the tenant; every change is written in one D1 batch with its audit entry.
import type { Caller } from '@mailgrid/contracts';
import { type SqlBool, sql } from 'kysely';
import { runBatch } from '../batch';
import { type Db, nowIso } from '../client';
import { listNewestFirst, type Page, type PageRequest } from '../pagination';
import type { ContactRow, TopicSubscription } from '../schema';
import { auditEntry } from './audit-log';

/** A contact by id, or by address when `ref` holds an `@` (compared lower-cased). */
export async function findContact(db: Db, tenantId: string, ref: string): Promise<ContactRow | undefined> {
  const query = db.selectFrom('contacts').selectAll().where('tenant_id', '=', tenantId);
  return (
    ref.includes('@') ? query.where('email', '=', ref.trim().toLowerCase()) : query.where('id', '=', ref)
  ).executeTakeFirst();
}

/** Newest first; with `segmentId`, only that segment's contacts. Null for an unknown cursor. */
export async function listContacts(
  db: Db,
  tenantId: string,
  page: PageRequest,
  segmentId?: string,
): Promise<Page<ContactRow> | null> {
  const filter = segmentId
    ? sql<SqlBool>`id IN (SELECT contact_id FROM segment_contacts WHERE tenant_id = ${tenantId} AND segment_id = ${segmentId})`
    : undefined;
  return listNewestFirst(db, tenantId, 'contacts', page, filter);
}

export interface NewContact {
  email: string;
  first_name: string | null;
  last_name: string | null;
  unsubscribed: boolean;
  /** JSON object of property values. */
  properties: string;
}

/** Inserts the contact with its segments and topic choices; a taken address fails the UNIQUE index (see isEmailTaken). */
export async function insertContact(
  db: Db,
  d1: D1Database,
  caller: Caller,
  contact: NewContact,
  segmentIds: string[],
  topics: { id: string; subscription: TopicSubscription }[],
): Promise<string> {
  const id = crypto.randomUUID();
  const now = nowIso();
  const tenantId = caller.tenant_id;
  await runBatch(d1, [
    db.insertInto('contacts').values({
      id,
      tenant_id: tenantId,
      ...contact,
      unsubscribed: contact.unsubscribed ? 1 : 0,
      created_at: now,
      updated_at: now,
    }),
    ...segmentIds.map((segmentId) =>
      db
        .insertInto('segment_contacts')
        .values({ tenant_id: tenantId, segment_id: segmentId, contact_id: id, created_at: now })
        .onConflict((oc) => oc.doNothing()),
    ),
    ...topics.map((topic) => topicChoiceUpsert(db, tenantId, id, topic.id, topic.subscription, now)),
    auditEntry(db, caller, {
      action: 'contact.created',
      target_type: 'contact',
      target_id: id,
      summary: {
        email: contact.email,
        ...(segmentIds.length > 0 ? { segments: segmentIds } : {}),
        ...(topics.length > 0 ? { topics } : {}),
      },
    }),
  ]);
  return id;
}

export interface ContactChanges {
  first_name?: string | null;
  last_name?: string | null;
  unsubscribed?: boolean;
  /**
   * A JSON merge patch (RFC 7396) for the properties: a key set to null is removed. Applied by the
   * UPDATE itself, so two updates of different keys never lose each other's.
   */
  properties_patch?: Record<string, string | number | null>;
}

export async function updateContact(
  db: Db,
  d1: D1Database,
  caller: Caller,
  id: string,
  changes: ContactChanges,
): Promise<void> {
  const { properties_patch, unsubscribed, ...names } = changes;
  await runBatch(d1, [
    db
      .updateTable('contacts')
      .set({
        ...names,
        ...(unsubscribed === undefined ? {} : { unsubscribed: unsubscribed ? 1 : 0 }),
        ...(properties_patch === undefined
          ? {}
          : { properties: sql<string>`json_patch(properties, ${JSON.stringify(properties_patch)})` }),
        updated_at: nowIso(),
      })
      .where('tenant_id', '=', caller.tenant_id)
      .where('id', '=', id),
    auditEntry(db, caller, {
      action: 'contact.updated',
      target_type: 'contact',
      target_id: id,
      summary: {
        fields: Object.keys(changes).map((field) => (field === 'properties_patch' ? 'properties' : field)),
        ...(unsubscribed === undefined ? {} : { unsubscribed }),
        ...(properties_patch === undefined ? {} : { properties: Object.keys(properties_patch) }),
      },
    }),
  ]);
}

/** Its memberships and topic choices go with it (ON DELETE CASCADE); a suppression of the address stays. */
export async function deleteContact(
  db: Db,
  d1: D1Database,
  caller: Caller,
  contact: Pick<ContactRow, 'id' | 'email'>,
): Promise<void> {
  await runBatch(d1, [
    db.deleteFrom('contacts').where('tenant_id', '=', caller.tenant_id).where('id', '=', contact.id),
    auditEntry(db, caller, {
      action: 'contact.deleted',
      target_type: 'contact',
      target_id: contact.id,
      summary: { email: contact.email },
    }),
  ]);
}

export async function isInSegment(db: Db, tenantId: string, contactId: string, segmentId: string) {
  const row = await db
    .selectFrom('segment_contacts')
    .select('contact_id')
    .where('tenant_id', '=', tenantId)
    .where('segment_id', '=', segmentId)
    .where('contact_id', '=', contactId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function addContactToSegment(
  db: Db,
  d1: D1Database,
  caller: Caller,
  contactId: string,
  segmentId: string,
): Promise<void> {
  await runBatch(d1, [
    db
      .insertInto('segment_contacts')
      .values({
        tenant_id: caller.tenant_id,
        segment_id: segmentId,
        contact_id: contactId,
        created_at: nowIso(),
      })
      .onConflict((oc) => oc.doNothing()),
    auditEntry(db, caller, {
      action: 'contact.segment_added',
      target_type: 'contact',
      target_id: contactId,
      summary: { segment_id: segmentId },
    }),
  ]);
}

export async function removeContactFromSegment(
  db: Db,
  d1: D1Database,
  caller: Caller,
  contactId: string,
  segmentId: string,
): Promise<void> {
  await runBatch(d1, [
    db
      .deleteFrom('segment_contacts')
      .where('tenant_id', '=', caller.tenant_id)
      .where('segment_id', '=', segmentId)
      .where('contact_id', '=', contactId),
    auditEntry(db, caller, {
      action: 'contact.segment_removed',
      target_type: 'contact',
      target_id: contactId,
      summary: { segment_id: segmentId },
    }),
  ]);
}

/** The contact's explicit topic choices, by topic id. */
export async function contactTopicChoices(
  db: Db,
  tenantId: string,
  contactId: string,
): Promise<Map<string, TopicSubscription>> {
  const rows = await db
    .selectFrom('contact_topics')
    .select(['topic_id', 'subscription'])
    .where('tenant_id', '=', tenantId)
    .where('contact_id', '=', contactId)
    .execute();
  return new Map(rows.map((row) => [row.topic_id, row.subscription]));
}

export async function setContactTopics(
  db: Db,
  d1: D1Database,
  caller: Caller,
  contactId: string,
  topics: { id: string; subscription: TopicSubscription }[],
): Promise<void> {
  const now = nowIso();
  await runBatch(d1, [
    ...topics.map((topic) =>
      topicChoiceUpsert(db, caller.tenant_id, contactId, topic.id, topic.subscription, now),
    ),
    auditEntry(db, caller, {
      action: 'contact.topics_updated',
      target_type: 'contact',
      target_id: contactId,
      summary: { topics },
    }),
  ]);
}

/** Records one explicit choice, replacing an earlier one. */
export function topicChoiceUpsert(
  db: Db,
  tenantId: string,
  contactId: string,
  topicId: string,
  subscription: TopicSubscription,
  now: string,
) {
  return db
    .insertInto('contact_topics')
    .values({ tenant_id: tenantId, contact_id: contactId, topic_id: topicId, subscription, updated_at: now })
    .onConflict((oc) =>
      oc.columns(['contact_id', 'topic_id']).doUpdateSet({ subscription, updated_at: now }),
    );
}

/** True when a write failed because the tenant already has a contact with that address. */
export function isEmailTaken(err: unknown): boolean {
  const message = err instanceof Error ? `${err.message} ${String(err.cause ?? '')}` : String(err);
  return /UNIQUE constraint failed: contacts\.tenant_id, contacts\.email/.test(message);
}

/** The ids of the segments the contact is in (for contact.* webhook events). */
export async function contactSegmentIds(db: Db, tenantId: string, contactId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('segment_contacts')
    .select('segment_id')
    .where('tenant_id', '=', tenantId)
    .where('contact_id', '=', contactId)
    .orderBy('segment_id')
    .execute();
  return rows.map((row) => row.segment_id);
}
