// CSV import of contacts (Mailgrid extra): POST /api/contacts/imports takes the CSV as the raw body
// (`Content-Type: text/csv`, optional `?segment_id=`) and answers 202 with the import's id; GET
// /api/contacts/imports[/:id[/errors]] report progress and the rows that failed. Forwarded to `admin`.
import {
  AppError,
  CreateImportQuery,
  ListImportErrorsQuery,
  ListImportsQuery,
  unwrap,
} from '@mailgrid/contracts';
import { parseBody, readBytes } from '../http/body';
import { json } from '../http/responses';
import type { RouteContext } from '../router';

/**
 * Workers RPC carries at most 32 MiB per call, and the file crosses to admin in one: imports stop
 * short of that whatever MAX_IMPORT_BYTES / MAX_BODY_BYTES allow.
 */
const RPC_CEILING = 30 * 1024 * 1024;
const CSV_TYPES = new Set(['text/csv', 'application/csv', 'text/plain']);

export async function createImport({ request, env, caller, maxBodyBytes }: RouteContext): Promise<Response> {
  const contentType = request.headers.get('content-type') ?? '';
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!CSV_TYPES.has(mediaType)) {
    throw new AppError(
      'unsupported_media_type',
      `Send the CSV file as the raw request body with "Content-Type: text/csv"${contentType ? ` (got "${contentType}")` : ''}.`,
    );
  }
  const query = parseBody(CreateImportQuery, Object.fromEntries(new URL(request.url).searchParams));
  const limit = Math.min(Number(env.MAX_IMPORT_BYTES ?? maxBodyBytes) || maxBodyBytes, RPC_CEILING);
  const csv = await readBytes(request, limit);
  if (csv.byteLength === 0) {
    throw new AppError(
      'validation_error',
      'The CSV is empty: send a header row naming an "email" column, then one row per contact.',
    );
  }
  return json(unwrap(await env.ADMIN.createContactImport(caller, csv, query)), 202);
}

export async function listImports({ request, env, caller }: RouteContext): Promise<Response> {
  const query = parseBody(ListImportsQuery, Object.fromEntries(new URL(request.url).searchParams));
  return json(unwrap(await env.ADMIN.listContactImports(caller, query)));
}

export async function getImport({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.getContactImport(caller, importId(params.id))));
}

export async function listImportErrors({ request, env, caller, params }: RouteContext): Promise<Response> {
  const id = importId(params.id);
  const query = parseBody(ListImportErrorsQuery, Object.fromEntries(new URL(request.url).searchParams));
  return json(unwrap(await env.ADMIN.listContactImportErrors(caller, id, query)));
}

/** Import ids are UUIDs: anything else names no import, so admin is not asked. */
function importId(id: string | undefined): string {
  if (!id || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
    throw new AppError('not_found', `No import ${id ?? ''}.`);
  }
  return id;
}
