// Attachment files: uploaded once into R2 (FILES), named by id in any send, listed, read, deleted.
// The send worker copies a file's bytes into the email at accept, so a delete never breaks an email
// already accepted.
import { sha256Hex } from '@mailgrid/api-keys';
import {
  AppError,
  attachmentProblem,
  type Caller,
  type DeletedFile,
  FILE_MAX_BYTES,
  type FileList,
  type FileObject,
  type FileUpload,
  guessContentType,
  type ListFilesQuery,
  unknownCursor,
} from '@mailgrid/contracts';
import {
  createDb,
  deleteFile as deleteFileRow,
  type FileRow,
  fileKey,
  getFile as getFileRow,
  insertFile,
  listFiles as listFileRows,
  nowIso,
} from '@mailgrid/db';
import type { Env } from './env';

export async function uploadFile(env: Env, caller: Caller, upload: FileUpload): Promise<FileObject> {
  const content = upload.content;
  if (content.byteLength === 0) throw new AppError('invalid_attachment', 'The file is empty.');
  if (content.byteLength > FILE_MAX_BYTES) {
    throw new AppError(
      'payload_too_large',
      `A file may be at most ${FILE_MAX_BYTES / 1024 / 1024} MB (its base64 must fit in one 40 MB email).`,
    );
  }
  const problem = attachmentProblem(upload.filename, content.subarray(0, 8));
  if (problem) throw new AppError('invalid_attachment', `${upload.filename}: ${problem}.`);
  const id = crypto.randomUUID();
  const row: FileRow = {
    tenant_id: caller.tenant_id,
    id,
    filename: upload.filename,
    content_type: upload.content_type ?? guessContentType(upload.filename),
    size: content.byteLength,
    sha256: await sha256Hex(content),
    r2_key: fileKey(caller.tenant_id, id),
    created_at: nowIso(),
  };
  // R2 first: a row is never listed without its bytes. Should D1 fail, the bytes go again.
  await env.FILES.put(row.r2_key, content, {
    httpMetadata: { contentType: row.content_type },
    sha256: row.sha256,
  });
  try {
    await insertFile(createDb(env.DB), env.DB, caller, row);
  } catch (err) {
    await env.FILES.delete(row.r2_key).catch(() => {});
    throw err;
  }
  return toObject(row);
}

export async function listFiles(env: Env, caller: Caller, query: ListFilesQuery): Promise<FileList> {
  const page = await listFileRows(createDb(env.DB), caller.tenant_id, query);
  if (!page) throw unknownCursor(query, 'file');
  return { object: 'list', has_more: page.has_more, data: page.rows.map(toObject) };
}

export async function getFile(env: Env, caller: Caller, id: string): Promise<FileObject> {
  return toObject(await ownFile(env, caller, id));
}

export async function deleteFile(env: Env, caller: Caller, id: string): Promise<DeletedFile> {
  const file = await ownFile(env, caller, id);
  // D1 first: once the row is gone no new send can name the file, then the bytes go.
  await deleteFileRow(createDb(env.DB), env.DB, caller, file);
  await env.FILES.delete(file.r2_key);
  return { object: 'file', id, deleted: true };
}

async function ownFile(env: Env, caller: Caller, id: string): Promise<FileRow> {
  const file = await getFileRow(createDb(env.DB), caller.tenant_id, id);
  if (!file) throw new AppError('not_found', `No file ${id}.`);
  return file;
}

function toObject(row: FileRow): FileObject {
  return {
    object: 'file',
    id: row.id,
    filename: row.filename,
    content_type: row.content_type,
    size: row.size,
    sha256: row.sha256,
    created_at: row.created_at,
  };
}
