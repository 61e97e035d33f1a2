// Segments: create, read, list, rename, delete, and the contacts in one.
import {
  AppError,
  type AudienceListQuery,
  type Caller,
  type ContactList,
  type CreateSegmentRequest,
  type CreateSegmentResponse,
  type DeletedSegment,
  type SegmentList,
  type SegmentObject,
  type SegmentSummary,
  type UpdateSegmentRequest,
  unknownCursor,
} from '@mailgrid/contracts';
import {
  createDb,
  type Db,
  deleteSegment as deleteSegmentRow,
  findSegment,
  insertSegment,
  listContacts,
  listSegments as listSegmentRows,
  renameSegment,
  type SegmentRow,
} from '@mailgrid/db';
import type { Env } from '../env';
import { toContactSummary } from './contacts';

export async function createSegment(
  env: Env,
  caller: Caller,
  input: CreateSegmentRequest,
): Promise<CreateSegmentResponse> {
  const id = await insertSegment(createDb(env.DB), env.DB, caller, input.name);
  return { object: 'segment', id, name: input.name };
}

export async function getSegment(env: Env, caller: Caller, id: string): Promise<SegmentObject> {
  return { object: 'segment', ...toSegmentSummary(await existingSegment(createDb(env.DB), caller, id)) };
}

export async function listSegments(env: Env, caller: Caller, query: AudienceListQuery): Promise<SegmentList> {
  const page = await listSegmentRows(createDb(env.DB), caller.tenant_id, query);
  if (!page) throw unknownCursor(query, 'segment');
  return { object: 'list', has_more: page.has_more, data: page.rows.map(toSegmentSummary) };
}

export async function updateSegment(
  env: Env,
  caller: Caller,
  id: string,
  input: UpdateSegmentRequest,
): Promise<{ object: 'segment'; id: string }> {
  const db = createDb(env.DB);
  const row = await existingSegment(db, caller, id);
  if (row.name !== input.name) await renameSegment(db, env.DB, caller, row.id, input.name);
  return { object: 'segment', id: row.id };
}

export async function deleteSegment(env: Env, caller: Caller, id: string): Promise<DeletedSegment> {
  const db = createDb(env.DB);
  const row = await existingSegment(db, caller, id);
  await deleteSegmentRow(db, env.DB, caller, row);
  return { object: 'segment', id: row.id, deleted: true };
}

export async function listSegmentContacts(
  env: Env,
  caller: Caller,
  id: string,
  query: AudienceListQuery,
): Promise<ContactList> {
  const db = createDb(env.DB);
  const segment = await existingSegment(db, caller, id);
  const page = await listContacts(db, caller.tenant_id, query, segment.id);
  if (!page) throw unknownCursor(query, 'contact');
  return { object: 'list', has_more: page.has_more, data: page.rows.map(toContactSummary) };
}

export async function existingSegment(db: Db, caller: Caller, id: string): Promise<SegmentRow> {
  const row = await findSegment(db, caller.tenant_id, id);
  if (!row) throw new AppError('not_found', `Segment ${id} not found.`);
  return row;
}

export function toSegmentSummary(row: SegmentRow): SegmentSummary {
  return { id: row.id, name: row.name, created_at: row.created_at };
}
