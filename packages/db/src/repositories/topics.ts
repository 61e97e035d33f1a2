// Topics a tenant's contacts opt in to or out of. Every read and write names the tenant; every change
// is written in one D1 batch with its audit entry.
import type { Caller } from '@mailgrid/contracts';
import { runBatch } from '../batch';
import { type Db, nowIso } from '../client';
import type { TopicRow, TopicSubscription } from '../schema';
import { auditEntry } from './audit-log';

export async function findTopic(db: Db, tenantId: string, id: string): Promise<TopicRow | undefined> {
  return db
    .selectFrom('topics')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Every topic of the tenant, newest first (a tenant has a handful, and Resend does not page them). */
export async function listTopics(db: Db, tenantId: string): Promise<TopicRow[]> {
  return db
    .selectFrom('topics')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export interface TopicFields {
  name: string;
  description: string | null;
  default_subscription: TopicSubscription;
  visibility: 'public' | 'private';
}

export async function insertTopic(
  db: Db,
  d1: D1Database,
  caller: Caller,
  topic: TopicFields,
): Promise<string> {
  const id = crypto.randomUUID();
  const now = nowIso();
  await runBatch(d1, [
    db
      .insertInto('topics')
      .values({ id, tenant_id: caller.tenant_id, ...topic, created_at: now, updated_at: now }),
    auditEntry(db, caller, {
      action: 'topic.created',
      target_type: 'topic',
      target_id: id,
      summary: { ...topic },
    }),
  ]);
  return id;
}

export async function updateTopic(
  db: Db,
  d1: D1Database,
  caller: Caller,
  id: string,
  changes: Partial<Pick<TopicFields, 'name' | 'description' | 'visibility'>>,
): Promise<void> {
  await runBatch(d1, [
    db
      .updateTable('topics')
      .set({ ...changes, updated_at: nowIso() })
      .where('tenant_id', '=', caller.tenant_id)
      .where('id', '=', id),
    auditEntry(db, caller, {
      action: 'topic.updated',
      target_type: 'topic',
      target_id: id,
      summary: { ...changes },
    }),
  ]);
}

/** Contacts' choices about it go with it (ON DELETE CASCADE). */
export async function deleteTopic(db: Db, d1: D1Database, caller: Caller, topic: TopicRow): Promise<void> {
  await runBatch(d1, [
    db.deleteFrom('topics').where('tenant_id', '=', caller.tenant_id).where('id', '=', topic.id),
    auditEntry(db, caller, {
      action: 'topic.deleted',
      target_type: 'topic',
      target_id: topic.id,
      summary: { name: topic.name },
    }),
  ]);
}
