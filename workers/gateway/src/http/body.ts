// Reading a JSON body: the content type, the size (checked before and while reading, so a body
// without Content-Length cannot get past it), the encoding (UTF-8, refused rather than repaired),
// the nesting depth, the syntax and the text of every string each fail with their own clear 4xx.
import { AppError, JSON_LIMITS } from '@mailgrid/contracts';
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
  // Before parsing: a few MB of `[` would otherwise become millions of nested arrays.
  const tooDeep = nestingBeyond(text, JSON_LIMITS.body_depth);
  if (tooDeep !== null) {
    const limit = `more than ${JSON_LIMITS.body_depth} levels deep`;
    throw new AppError(
      'invalid_parameter',
      tooDeep
        ? `${tooDeep}: nests objects and arrays ${limit} (a request body may nest at most ${JSON_LIMITS.body_depth}).`
        : `The request body nests objects and arrays ${limit}.`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof SyntaxError ? `: ${err.message}` : '';
    throw new AppError('invalid_json', `The request body is not valid JSON${detail}.`);
  }
  const problem = unrepresentable(json);
  if (problem) throw new AppError('invalid_parameter', `${problem.path || 'body'}: ${problem.message}.`);
  return { json, text };
}

/**
 * Where `text` (JSON, not yet parsed) opens an object or array deeper than `limit`: the field it is
 * in (`properties`, `0.headers`; '' when the body nests without keys), or null when it does not.
 * A linear scan that only tracks strings and brackets; anything malformed is left to JSON.parse.
 */
export function nestingBeyond(text: string, limit: number): string | null {
  const objects: boolean[] = [];
  const keys: (string | number)[] = [];
  let expectKey = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x22) {
      const end = stringEnd(text, index);
      if (end < 0) return null;
      if (expectKey) {
        keys[keys.length - 1] = text.slice(index + 1, end);
        expectKey = false;
      }
      index = end;
    } else if (code === 0x7b || code === 0x5b) {
      if (objects.length >= limit) return fieldOf(keys);
      objects.push(code === 0x7b);
      keys.push(code === 0x7b ? '' : 0);
      expectKey = code === 0x7b;
    } else if (code === 0x7d || code === 0x5d) {
      objects.pop();
      keys.pop();
      expectKey = false;
    } else if (code === 0x2c && objects.length > 0) {
      const top = objects.length - 1;
      if (objects[top]) expectKey = true;
      else keys[top] = (keys[top] as number) + 1;
    }
  }
  return null;
}

/** The index of the quote that ends the string opening at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return quote;
    from = quote + 1;
  }
}

/** The field a path is in: up to its first key (`properties`, `0.template`), as the key was written. */
function fieldOf(keys: readonly (string | number)[]): string {
  const first = keys.findIndex((key) => typeof key === 'string');
  const path = first < 0 ? [] : keys.slice(0, first + 1);
  return path.map((key) => (typeof key === 'string' ? unescapeKey(key) : String(key))).join('.');
}

function unescapeKey(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

/**
 * The first value JSON can spell but JavaScript cannot hold as sent, which would otherwise be
 * silently changed: a string (value or key) with an unpaired surrogate (`"\\ud800"` is valid JSON
 * but no text; stored as UTF-8 it becomes U+FFFD) or a number too large for a double (`1e400`
 * parses as Infinity, which JSON.stringify writes as null). Iterative; run on a depth-checked body.
 */
function unrepresentable(json: unknown): { path: string; message: string } | null {
  const surrogate =
    'contains an unpaired UTF-16 surrogate (a \\ud800-\\udfff escape without its pair), which is not text';
  const stack: { value: unknown; path: string }[] = [{ value: json, path: '' }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, path } = item;
    if (typeof value === 'string') {
      if (!value.isWellFormed()) return { path, message: surrogate };
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) return { path, message: 'is a number too large to represent' };
    } else if (Array.isArray(value)) {
      value.forEach((child, index) => {
        stack.push({ value: child, path: join(path, String(index)) });
      });
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        if (!key.isWellFormed()) return { path: join(path, key), message: surrogate };
        stack.push({ value: child, path: join(path, key) });
      }
    }
  }
  return null;
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

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
  // The same inside the body: a list where an object belongs would read as its fields missing.
  const at = issue?.path?.at(-1);
  if (at?.type === 'object' && Array.isArray(at.input)) {
    const parent = (issue?.path ?? []).slice(0, -1).map((item) => String(item.key));
    throw new AppError('invalid_parameter', `${parent.join('.') || 'body'}: must be an object, not a list.`);
  }
  if (issue?.kind === 'schema' && issue.input === undefined && path) {
    throw new AppError('missing_required_field', `Missing required field: ${path}.`);
  }
  if (issue?.type === 'strict_object' && issue.input !== undefined) {
    const key = issue.path?.at(-1)?.key;
    throw new AppError('invalid_parameter', `Unknown field: ${shortened(String(key ?? path), 100)}.`);
  }
  throw new AppError(
    'invalid_parameter',
    `${path ?? 'body'}: ${shortened(issue?.message ?? 'invalid value')}.`,
  );
}

/** valibot's own messages quote the value they got: a 1 MB value is not repeated back whole. */
function shortened(message: string, max = 300): string {
  return message.length > max ? `${message.slice(0, max)}…` : message;
}

const OBJECT_SCHEMAS = new Set(['object', 'strict_object', 'loose_object', 'object_with_rest']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The body as text, refused with 413 as soon as it passes `maxBytes` (Content-Length or not), and
 * with 400 when it is not UTF-8: bytes that are not text are refused, never replaced with U+FFFD.
 */
export async function readCapped(request: Request, maxBytes: number): Promise<string> {
  return decodeUtf8(await readBytes(request, maxBytes));
}

/** Strict UTF-8 (a leading byte order mark is dropped); anything else is 400 invalid_json. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new AppError(
      'invalid_json',
      `The request body is not valid UTF-8 (the first bad byte is at offset ${firstInvalidUtf8(bytes)}); send JSON as UTF-8 text.`,
    );
  }
}

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index] as number;
    const [length, low, high] =
      lead < 0x80
        ? [1, 0x80, 0xbf]
        : lead >= 0xc2 && lead <= 0xdf
          ? [2, 0x80, 0xbf]
          : lead === 0xe0
            ? [3, 0xa0, 0xbf]
            : lead === 0xed
              ? [3, 0x80, 0x9f]
              : lead >= 0xe1 && lead <= 0xef
                ? [3, 0x80, 0xbf]
                : lead === 0xf0
                  ? [4, 0x90, 0xbf]
                  : lead === 0xf4
                    ? [4, 0x80, 0x8f]
                    : lead >= 0xf1 && lead <= 0xf3
                      ? [4, 0x80, 0xbf]
                      : [0, 0, 0];
    if (length === 0) return index;
    for (let next = 1; next < length; next++) {
      const byte = bytes[index + next];
      const [min, max] = next === 1 ? [low, high] : [0x80, 0xbf];
      if (byte === undefined || byte < min || byte > max) return index;
    }
    index += length;
  }
  return index;
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
