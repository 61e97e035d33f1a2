// Reading imports: one import's progress, the tenant's imports newest first, an import's row errors.
import {
  AppError,
  type Caller,
  type ContactImportError,
  type ContactImportErrorList,
  type ContactImportList,
  type ContactImportObject,
  type ImportErrorReason,
  type ListImportErrorsQuery,
  type ListImportsQuery,
} from '@mailgrid/contracts';
import {
  type ContactImportRow,
  createDb,
  getContactImport as getContactImportRow,
  listContactImportErrors as listContactImportErrorRows,
  listContactImports as listContactImportRows,
} from '@mailgrid/db';
import type { Env } from '../env';
import { readOptions } from './options';

export async function getContactImport(env: Env, caller: Caller, id: string): Promise<ContactImportObject> {
  return toObject(await ownImport(env, caller, id));
}

export async function listContactImports(
  env: Env,
  caller: Caller,
  query: ListImportsQuery,
): Promise<ContactImportList> {
  const page = await listContactImportRows(createDb(env.DB), caller.tenant_id, query);
  if (!page) throw new AppError('not_found', `No import ${query.after ?? query.before}.`);
  return { object: 'list', has_more: page.has_more, data: page.rows.map(toObject) };
}

export async function listContactImportErrors(
  env: Env,
  caller: Caller,
  id: string,
  query: ListImportErrorsQuery,
): Promise<ContactImportErrorList> {
  await ownImport(env, caller, id);
  const rows = await listContactImportErrorRows(
    createDb(env.DB),
    caller.tenant_id,
    id,
    query.after ?? 0,
    query.limit,
  );
  return {
    object: 'list',
    has_more: rows.length > query.limit,
    data: rows.slice(0, query.limit).map(
      (row): ContactImportError => ({
        row: row.row,
        email: row.email,
        reason: row.reason as ImportErrorReason,
        message: row.message,
      }),
    ),
  };
}

async function ownImport(env: Env, caller: Caller, id: string): Promise<ContactImportRow> {
  const found = await getContactImportRow(createDb(env.DB), caller.tenant_id, id);
  if (!found) throw new AppError('not_found', `No import ${id}.`);
  return found;
}

function toObject(row: ContactImportRow): ContactImportObject {
  const options = readOptions(row.options, row.segment_id);
  return {
    object: 'contact_import',
    id: row.id,
    status: row.status,
    segment_id: row.segment_id,
    columns: JSON.parse(row.columns) as string[],
    unknown_columns: JSON.parse(row.unknown_columns) as string[],
    total_rows: row.total_rows,
    processed: row.processed,
    created: row.created,
    updated: row.updated,
    unchanged: row.unchanged,
    failed: row.failed,
    counts: {
      total: row.total_rows,
      created: row.created,
      updated: row.updated,
      skipped: row.unchanged,
      failed: row.failed,
    },
    on_conflict: options.on_conflict,
    segments: options.segments.map((id) => ({ id })),
    topics: options.topics,
    error: row.error,
    created_at: row.created_at,
    started_at: row.started_at,
    completed_at: row.completed_at,
  };
}
