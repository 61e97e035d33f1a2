// Attachments given by `path`: fetched once, when the email is accepted, so a dead link is the
// caller's 422 now rather than a failed email later. Production fetches only https URLs on public
// host names (no IP literals, no localhost: the worker must not be a way into private networks);
// local development also allows http, so tests and the dev stack can serve files on loopback.
import { AppError } from '@mailgrid/contracts';
import { base64, headerTextProblem } from '@mailgrid/mime';

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
  let url: URL;
  try {
    url = new URL(path);
  } catch {
    throw new AppError('invalid_attachment', `${field}.path must be a URL.`);
  }
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
  return {
    filename: filenameOf(url),
    contentType: response.headers.get('content-type')?.split(';')[0]?.trim() || null,
    content: base64(bytes),
  };
}

/**
 * The file name the URL's last path segment gives, percent-decoded (`Gr%C3%BC%C3%9Fe.pdf` →
 * `Grüße.pdf`). A segment that does not decode (a malformed escape: `file%ZZ`, or one that is not
 * UTF-8) or that decodes to something a header cannot carry (`%00`, a line break) is used as it is
 * written, still escaped: the URL parser left it printable ASCII. An empty one is `attachment`.
 */
export function filenameOf(url: URL): string {
  const raw = url.pathname.split('/').pop() ?? '';
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    name = raw;
  }
  if (headerTextProblem(name) !== null) name = raw;
  return name || 'attachment';
}

function tooLarge(field: string): AppError {
  return new AppError(
    'invalid_attachment',
    `${field}.path: the file is larger than the 40 MB a message may hold.`,
  );
}
