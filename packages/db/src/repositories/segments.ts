// Segments: named static lists of a tenant's contacts. Every read and write names the tenant; every
// change is written in one D1 batch with its audit entry.
import type { Caller } from '@mailgrid/contracts';
import { type SqlBool, sql } from 'kysely';
import { runBatch } from '../batch';
import { type Db, nowIso } from '../client';
import { listNewestFirst, type Page, type PageRequest } from '../pagination';
import type { SegmentRow } from '../schema';
import { auditEntry } from './audit-log';

export async function findSegment(db: Db, tenantId: string, id: string): Promise<SegmentRow | undefined> {
  return db
    .selectFrom('segments')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Which of these ids are the tenant's segments. */
export async function existingSegmentIds(db: Db, tenantId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('segments')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
  return new Set(rows.map((row) => row.id));
}

/** Newest first; with `contactId`, only the segments that contact is in. Null for an unknown cursor. */
export async function listSegments(
  db: Db,
  tenantId: string,
  page: PageRequest,
  contactId?: string,
): Promise<Page<SegmentRow> | null> {
  const filter = contactId
    ? sql<SqlBool>`id IN (SELECT segment_id FROM segment_contacts WHERE tenant_id = ${tenantId} AND contact_id = ${contactId})`
    : undefined;
  return listNewestFirst(db, tenantId, 'segments', page, filter);
}

export async function insertSegment(db: Db, d1: D1Database, caller: Caller, name: string): Promise<string> {
  const id = crypto.randomUUID();
  await runBatch(d1, [
    db.insertInto('segments').values({ id, tenant_id: caller.tenant_id, name, created_at: nowIso() }),
    auditEntry(db, caller, {
      action: 'segment.created',
      target_type: 'segment',
      target_id: id,
      summary: { name },
    }),
  ]);
  return id;
}

export async function renameSegment(
  db: Db,
  d1: D1Database,
  caller: Caller,
  id: string,
  name: string,
): Promise<void> {
  await runBatch(d1, [
    db.updateTable('segments').set({ name }).where('tenant_id', '=', caller.tenant_id).where('id', '=', id),
    auditEntry(db, caller, {
      action: 'segment.updated',
      target_type: 'segment',
      target_id: id,
      summary: { name },
    }),
  ]);
}

/** Memberships go with it (ON DELETE CASCADE); the contacts stay. */
export async function deleteSegment(
  db: Db,
  d1: D1Database,
  caller: Caller,
  segment: SegmentRow,
): Promise<void> {
  await runBatch(d1, [
    db.deleteFrom('segments').where('tenant_id', '=', caller.tenant_id).where('id', '=', segment.id),
    auditEntry(db, caller, {
      action: 'segment.deleted',
      target_type: 'segment',
      target_id: segment.id,
      summary: { name: segment.name },
    }),
  ]);
}
