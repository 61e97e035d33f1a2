// Attachments given by `path`: fetched once, when the email is accepted, so a dead link is the
// caller's 422 now rather than a failed email later. Production fetches only https URLs on public
// host names (no IP literals, no localhost: the worker must not be a way into private networks);
// local development also allows http, so tests and the dev stack can serve files on loopback.
import { AppError } from '@mailgrid/contracts';
import { base64 } from '@mailgrid/mime';

const FETCH_TIMEOUT_MS = 10_000;

export interface FetchedFile {
  filename: string;
  contentType: string | null;
  /** Base64. */
  content: string;
}

export async function fetchAttachment(
  path: string,
  field: string,
  maxBytes: number,
  allowLocal: boolean,
): Promise<FetchedFile> {
  const url = new URL(path);
  const local = url.hostname === 'localhost' || /^[\d.]+$/.test(url.hostname) || url.hostname.startsWith('[');
  if (!allowLocal && (url.protocol !== 'https:' || local)) {
    throw new AppError('invalid_attachment', `${field}.path must be an https URL on a public host name.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AppError('invalid_attachment', `${field}.path must be an http(s) URL.`);
  }
  let response: Response;
  try {
    response = await fetch(url, {
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      redirect: allowLocal ? 'follow' : 'error',
    });
  } catch (err) {
    throw new AppError(
      'invalid_attachment',
      `${field}.path could not be fetched: ${err instanceof Error ? err.message : err}.`,
    );
  }
  if (!response.ok) throw new AppError('invalid_attachment', `${field}.path answered ${response.status}.`);
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(field);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > maxBytes) throw tooLarge(field);
  const name = decodeURIComponent(url.pathname.split('/').pop() ?? '') || 'attachment';
  return {
    filename: name,
    contentType: response.headers.get('content-type')?.split(';')[0]?.trim() || null,
    content: base64(bytes),
  };
}

function tooLarge(field: string): AppError {
  return new AppError(
    'invalid_attachment',
    `${field}.path: the file is larger than the 40 MB a message may hold.`,
  );
}
