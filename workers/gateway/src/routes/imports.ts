// POST /api/contacts/imports: the CSV is the raw request body (`Content-Type: text/csv`), handed to
// admin in one RPC; the import runs in the background and the answer is 202 with its id.
import { AppError, type CreateImportQuery, unwrap } from '@mailgrid/contracts';
import type { CallContext } from '../api/route';
import { config } from '../env';
import { readBytes } from '../http/body';
import { json } from '../http/responses';

/**
 * Workers RPC carries at most 32 MiB per call, and the file crosses to admin in one: imports stop
 * short of that whatever MAX_IMPORT_BYTES / MAX_BODY_BYTES allow.
 */
const RPC_CEILING = 30 * 1024 * 1024;
const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain'];

export const CSV_BODY = Object.fromEntries(
  CSV_TYPES.map((type) => [
    type,
    {
      schema: {
        type: 'string',
        description: 'A header row naming an `email` column, then one row per contact.',
      },
    },
  ]),
);

export async function createContactImport({
  request,
  env,
  caller,
  query,
  maxBodyBytes,
}: CallContext<string, 'full_access', typeof CreateImportQuery, undefined>) {
  const contentType = request.headers.get('content-type') ?? '';
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!CSV_TYPES.includes(mediaType)) {
    throw new AppError(
      'unsupported_media_type',
      `Send the CSV file as the raw request body with "Content-Type: text/csv"${contentType ? ` (got "${contentType}")` : ''}.`,
    );
  }
  const limit = Math.min(config(env).MAX_IMPORT_BYTES ?? maxBodyBytes, RPC_CEILING);
  const csv = await readBytes(request, limit);
  if (csv.byteLength === 0) {
    throw new AppError(
      'validation_error',
      'The CSV is empty: send a header row naming an "email" column, then one row per contact.',
    );
  }
  return json(unwrap(await env.AUDIENCE.createContactImport(caller, csv, query)), 202);
}
