// Uploaded attachment files (the bytes are in R2 at `r2_key`; D1 holds what lists and sends need).
// Writes run with their audit entry in one D1 batch.
import type { Caller } from '@mailgrid/contracts';
import { runBatch } from '../batch';
import type { Db } from '../client';
import { inJsonList } from '../json-list';
import { listNewestFirst, type Page, type PageRequest } from '../pagination';
import type { FileRow } from '../schema';
import { auditEntry } from './audit-log';

export function fileKey(tenantId: string, id: string): string {
  return `files/${tenantId}/${id}`;
}

export async function insertFile(db: Db, d1: D1Database, caller: Caller, file: FileRow): Promise<void> {
  await runBatch(d1, [
    db.insertInto('files').values({ ...file, tenant_id: caller.tenant_id }),
    auditEntry(db, caller, {
      action: 'file.created',
      target_type: 'file',
      target_id: file.id,
      summary: {
        filename: file.filename,
        content_type: file.content_type,
        size: file.size,
        sha256: file.sha256,
      },
    }),
  ]);
}

export async function getFile(db: Db, tenantId: string, id: string): Promise<FileRow | undefined> {
  return db
    .selectFrom('files')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The tenant's files of these ids, for an accept's read batch (not run here). */
export function findFilesQuery(db: Db, tenantId: string, ids: readonly string[]) {
  return db.selectFrom('files').selectAll().where('tenant_id', '=', tenantId).where(inJsonList('id', ids));
}

/** Newest first, Resend's cursors; null when the cursor is not one of the tenant's files. */
export async function listFiles(db: Db, tenantId: string, page: PageRequest): Promise<Page<FileRow> | null> {
  return listNewestFirst(db, tenantId, 'files', page);
}

export async function deleteFile(db: Db, d1: D1Database, caller: Caller, file: FileRow): Promise<void> {
  await runBatch(d1, [
    db.deleteFrom('files').where('tenant_id', '=', caller.tenant_id).where('id', '=', file.id),
    auditEntry(db, caller, {
      action: 'file.deleted',
      target_type: 'file',
      target_id: file.id,
      summary: { filename: file.filename, size: file.size },
    }),
  ]);
}
