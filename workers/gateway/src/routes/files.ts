// POST /api/files (Mailgrid extra): the file's bytes as the body (any type but JSON and forms; the
// name from `?filename=` or Content-Disposition) or JSON `{ filename, content (base64), content_type? }`.
import {
  AppError,
  FILE_MAX_BYTES,
  type FileUpload,
  RawUploadMeta,
  UploadFileRequest,
  unwrap,
} from '@mailgrid/contracts';
import type { CallContext } from '../api/route';
import { parseBody, readBytes, readJson } from '../http/body';
import { json } from '../http/responses';

export const FILE_BODY = {
  'application/json': { schema: UploadFileRequest, description: 'The file as base64 in `content`.' },
  'application/octet-stream': {
    schema: { type: 'string', format: 'binary' },
    description: 'The raw bytes (any type but JSON and forms), named by `?filename=` or Content-Disposition.',
  },
};

export async function uploadFile({
  request,
  env,
  caller,
  maxBodyBytes,
}: CallContext<string, 'full_access', undefined, undefined>): Promise<Response> {
  const mediaType = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const upload =
    mediaType === 'application/json' || mediaType.endsWith('+json')
      ? fromJson(parseBody(UploadFileRequest, await readJson(request, maxBodyBytes)))
      : await fromRaw(request, mediaType, Math.min(maxBodyBytes, FILE_MAX_BYTES));
  return json(unwrap(await env.MESSAGING.uploadFile(caller, upload)), 201);
}

function fromJson(input: UploadFileRequest): FileUpload {
  const content = input.content.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(content) || content.length % 4 !== 0) {
    throw new AppError('invalid_attachment', 'content is not valid base64.');
  }
  if ((content.length / 4) * 3 > FILE_MAX_BYTES + 2) throw tooLarge();
  const binary = atob(content);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return { filename: input.filename, content_type: input.content_type ?? null, content: bytes };
}

async function fromRaw(request: Request, mediaType: string, maxBytes: number): Promise<FileUpload> {
  if (mediaType === 'multipart/form-data' || mediaType === 'application/x-www-form-urlencoded') {
    throw new AppError(
      'unsupported_media_type',
      `${mediaType} is not taken: send the file's bytes as the body with its Content-Type and ?filename=, ` +
        'or JSON { "filename", "content" (base64) }.',
    );
  }
  const url = new URL(request.url);
  const filename =
    url.searchParams.get('filename') ?? dispositionFilename(request.headers.get('content-disposition'));
  if (filename === null) {
    throw new AppError(
      'missing_required_field',
      'Missing required field: filename. Give it as ?filename= or in a Content-Disposition header.',
    );
  }
  const meta = parseBody(RawUploadMeta, {
    filename,
    // Octet-stream says nothing: the type is then guessed from the filename.
    content_type: mediaType === '' || mediaType === 'application/octet-stream' ? null : mediaType,
  });
  const content = await readBytes(request, maxBytes).catch((err: unknown) => {
    throw err instanceof AppError && err.code === 'payload_too_large' && maxBytes === FILE_MAX_BYTES
      ? tooLarge()
      : err;
  });
  return { filename: meta.filename, content_type: meta.content_type, content };
}

/** `filename*=UTF-8''…` (RFC 6266/5987) wins over `filename="…"`; null when neither is there. */
function dispositionFilename(header: string | null): string | null {
  if (!header) return null;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (extended?.[1]) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      throw new AppError(
        'invalid_parameter',
        'Content-Disposition: filename* is not valid percent-encoding.',
      );
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/.exec(header);
  if (!plain) return null;
  return plain[1] !== undefined ? plain[1].replace(/\\(.)/g, '$1') : (plain[2] ?? null);
}

function tooLarge(): AppError {
  return new AppError('payload_too_large', `A file may be at most ${FILE_MAX_BYTES / 1024 / 1024} MB.`);
}
