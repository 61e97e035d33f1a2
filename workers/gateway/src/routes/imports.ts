// POST /api/contacts/imports: the CSV is the raw request body (`Content-Type: text/csv`), or Resend's
// multipart form (the SDK's contacts.imports.create: a `file` part and JSON fields `column_map`,
// `on_conflict`, `segments`, `topics`). Handed to admin in one RPC; the import runs in the
// background and the answer is 202 with its id.
import {
  AppError,
  type CreateImportQuery,
  ImportColumnMap,
  type ImportOptions,
  ImportOptions as ImportOptionsSchema,
  TopicChoice,
  unwrap,
} from '@mailgrid/contracts';
import type { CallContext } from '../api/route';
import { config } from '../env';
import { parseBody, readBytes } from '../http/body';
import { json } from '../http/responses';

/**
 * Workers RPC carries at most 32 MiB per call, and the file crosses to admin in one: imports stop
 * short of that whatever MAX_IMPORT_BYTES / MAX_BODY_BYTES allow.
 */
const RPC_CEILING = 30 * 1024 * 1024;
const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain'];

const MULTIPART = 'multipart/form-data';
/** The form's JSON fields; `on_conflict` may also come as the bare word. */
const FORM_FIELDS = ['column_map', 'on_conflict', 'segments', 'topics'] as const;

export const CSV_BODY = {
  ...Object.fromEntries(
    CSV_TYPES.map((type) => [
      type,
      {
        schema: {
          type: 'string',
          description: 'A header row naming an `email` column, then one row per contact.',
        },
      },
    ]),
  ),
  [MULTIPART]: {
    description: "Resend's form (the SDK's `contacts.imports.create`): the file and JSON-encoded options.",
    schema: {
      type: 'object',
      required: ['file'],
      properties: {
        file: { type: 'string', format: 'binary', description: 'The CSV file.' },
        column_map: {
          type: 'string',
          description:
            'JSON: `{ email, first_name, last_name, unsubscribed, properties: { key: { column, type } } }`, each the header column holding it. Other columns are ignored.',
        },
        on_conflict: {
          type: 'string',
          enum: ['upsert', 'skip'],
          description: '`upsert` (default) updates existing contacts; `skip` leaves them as they are.',
        },
        segments: { type: 'string', description: 'JSON: `[{ "id": segment id }]`, joined by every contact.' },
        topics: {
          type: 'string',
          description:
            'JSON: `[{ "id": topic id, "subscription": "opt_in" | "opt_out" }]`, set on every contact.',
        },
      },
    },
  },
};

export async function createContactImport({
  request,
  env,
  caller,
  query,
  maxBodyBytes,
}: CallContext<string, 'full_access', typeof CreateImportQuery, undefined>) {
  const contentType = request.headers.get('content-type') ?? '';
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!CSV_TYPES.includes(mediaType) && mediaType !== MULTIPART) {
    throw new AppError(
      'unsupported_media_type',
      `Send the CSV file as the raw request body with "Content-Type: text/csv", or as the "file" part of a multipart/form-data body${contentType ? ` (got "${contentType}")` : ''}.`,
    );
  }
  const limit = Math.min(config(env).MAX_IMPORT_BYTES ?? maxBodyBytes, RPC_CEILING);
  const body = await readBytes(request, limit);
  const { csv, options } =
    mediaType === MULTIPART ? await readForm(body, contentType) : { csv: body, options: undefined };
  if (csv.byteLength === 0) {
    throw new AppError(
      'validation_error',
      'The CSV is empty: send a header row naming an "email" column, then one row per contact.',
    );
  }
  // A raw upload makes the same call it always did.
  const result = options
    ? await env.AUDIENCE.createContactImport(caller, csv, query, options)
    : await env.AUDIENCE.createContactImport(caller, csv, query);
  return json(unwrap(result), 202);
}

/** The multipart form (already read, within the size limit): its file and its checked options. */
async function readForm(
  body: Uint8Array,
  contentType: string,
): Promise<{ csv: Uint8Array; options: ImportOptions }> {
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new AppError(
      'validation_error',
      'The multipart/form-data body could not be read; check its boundary.',
    );
  }
  const file = form.get('file');
  if (file === null) throw new AppError('missing_required_field', 'Missing required field: file (the CSV).');
  const csv =
    typeof file === 'string' ? new TextEncoder().encode(file) : new Uint8Array(await file.arrayBuffer());
  const fields: Record<string, unknown> = {};
  for (const name of form.keys()) {
    if (name !== 'file' && !(FORM_FIELDS as readonly string[]).includes(name)) {
      throw new AppError(
        'invalid_parameter',
        `${name}: not a field of an import (file, ${FORM_FIELDS.join(', ')}).`,
      );
    }
  }
  for (const name of FORM_FIELDS) {
    const value = form.get(name);
    if (value === null) continue;
    if (typeof value !== 'string')
      throw new AppError('invalid_parameter', `${name}: must be a text field, not a file.`);
    fields[name] =
      name === 'on_conflict' && !value.trim().startsWith('"') ? value.trim() : parseField(name, value);
  }
  return { csv, options: parseBody(ImportOptionsSchema, fields) };
}

function parseField(name: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw new AppError(
      'invalid_parameter',
      `${name}: must be JSON (${FIELD_SHAPES[name] ?? 'see the API reference'}).`,
    );
  }
}

const FIELD_SHAPES: Record<string, string> = {
  column_map: `an object of ${Object.keys(ImportColumnMap.entries).join(', ')}`,
  segments: 'a list of { "id": segment id }',
  topics: `a list of { ${Object.keys(TopicChoice.entries).join(', ')} }`,
};
