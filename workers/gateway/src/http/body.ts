// Reading a JSON body: the content type, the size (checked before and while reading, so a body
// without Content-Length cannot get past it) and the syntax each fail with their own clear 4xx.
import { AppError } from '@mailgrid/contracts';
import * as v from 'valibot';

export async function readJson(request: Request, maxBytes: number): Promise<unknown> {
  return (await readJsonWithText(request, maxBytes)).json;
}

/** The parsed body and its exact text (whose hash an idempotency key is bound to). */
export async function readJsonWithText(
  request: Request,
  maxBytes: number,
): Promise<{ json: unknown; text: string }> {
  const contentType = request.headers.get('content-type') ?? '';
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType !== 'application/json' && !mediaType.endsWith('+json')) {
    throw new AppError(
      'unsupported_media_type',
      `Send the request body as JSON with "Content-Type: application/json"${contentType ? ` (got "${contentType}")` : ''}.`,
    );
  }
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);

  const text = await readCapped(request, maxBytes);
  if (text.trim() === '')
    throw new AppError('invalid_json', 'The request body is empty; send a JSON object.');
  try {
    return { json: JSON.parse(text), text };
  } catch (err) {
    const detail = err instanceof SyntaxError ? `: ${err.message}` : '';
    throw new AppError('invalid_json', `The request body is not valid JSON${detail}.`);
  }
}

/** Validates a parsed body; the first problem is reported with the field it is about. */
export function parseBody<TSchema extends v.GenericSchema>(
  schema: TSchema,
  body: unknown,
): v.InferOutput<TSchema> {
  // valibot's object schemas take an array for an object (and report its missing fields), so the
  // body's own shape is checked first.
  if (OBJECT_SCHEMAS.has(schema.type) && !isPlainObject(body)) {
    throw new AppError('validation_error', 'The request body must be a JSON object.');
  }
  const result = v.safeParse(schema, body);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = issue ? v.getDotPath(issue) : null;
  if (!path && !isPlainObject(body)) {
    throw new AppError('validation_error', 'The request body must be a JSON object.');
  }
  if (issue?.kind === 'schema' && issue.input === undefined && path) {
    throw new AppError('missing_required_field', `Missing required field: ${path}.`);
  }
  if (issue?.type === 'strict_object' && issue.input !== undefined) {
    const key = issue.path?.at(-1)?.key;
    throw new AppError('invalid_parameter', `Unknown field: ${String(key ?? path)}.`);
  }
  throw new AppError('invalid_parameter', `${path ?? 'body'}: ${issue?.message ?? 'invalid value'}.`);
}

const OBJECT_SCHEMAS = new Set(['object', 'strict_object', 'loose_object', 'object_with_rest']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The body as text, refused with 413 as soon as it passes `maxBytes` (Content-Length or not). */
export async function readCapped(request: Request, maxBytes: number): Promise<string> {
  return new TextDecoder().decode(await readBytes(request, maxBytes));
}

/**
 * A non-JSON body (a file upload, a CSV import) as bytes, with the same 413 rules as JSON bodies.
 * The caller checks the content type it accepts.
 */
export async function readBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(maxBytes: number): AppError {
  return new AppError('payload_too_large', `The request body is larger than ${maxBytes} bytes.`);
}
