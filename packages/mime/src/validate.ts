// What buildMime refuses to write, as checks that return the problem instead of throwing. buildMime
// runs exactly these (and throws with their words); the send worker runs the same ones when it
// accepts an email, so anything it accepts can be built. Each problem reads after a field's name:
// `subject: must not contain control characters`.

/** Headers buildMime writes itself; a custom header of one of these names is refused. */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
]);

/** The longest custom header name: with `: ` it fills the 78-character line RFC 5322 recommends. */
export const MAX_HEADER_NAME_LENGTH = 76;

/** Longest `content_type` and Content-ID: far within a 998-character header line. */
export const MAX_CONTENT_TYPE_LENGTH = 255;
export const MAX_CONTENT_ID_LENGTH = 255;

/** True when the text holds a control character other than tab: C0 (CR and LF included), DEL or C1. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

/**
 * Header text (a subject, a custom header's value, a file name): any length and any Unicode text
 * (written as RFC 2047 encoded words or RFC 2231 parameters when needed), but no line break (header
 * injection) and no other control character (NUL, ESC, DEL, the C1 controls U+0080–U+009F), which
 * no reader shows sensibly. A tab is header whitespace (RFC 5322 WSP) and allowed.
 */
export function headerTextProblem(value: string): string | null {
  if (/[\r\n]/.test(value)) return 'must not contain line breaks (CR, LF)';
  if (hasControlCharacter(value)) return 'must not contain control characters (such as NUL, ESC or DEL)';
  return null;
}

/** A custom header's name: an RFC 5322 field name, not one buildMime writes itself (RESERVED_HEADERS). */
export function headerNameProblem(name: string): string | null {
  if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name))
    return 'is not a header name (printable ASCII, no spaces or ":")';
  if (name.length > MAX_HEADER_NAME_LENGTH) return `is longer than ${MAX_HEADER_NAME_LENGTH} characters`;
  if (RESERVED_HEADERS.has(name.toLowerCase())) return 'cannot be set as a custom header';
  return null;
}

/** `type/subtype` with optional `; parameters` in printable ASCII (checked trimmed). */
const CONTENT_TYPE = /^[A-Za-z0-9][\w!#$&^.+-]*\/[A-Za-z0-9][\w!#$&^.+-]*(?:\s*;[\x20-\x7e]*)?$/;

/** An attachment's media type: `type/subtype`, optionally with `; parameters`. */
export function contentTypeProblem(value: string): string | null {
  const problem = headerTextProblem(value);
  if (problem !== null) return problem;
  if (value.length > MAX_CONTENT_TYPE_LENGTH) return `is longer than ${MAX_CONTENT_TYPE_LENGTH} characters`;
  if (!CONTENT_TYPE.test(value.trim())) return 'is not a media type such as application/pdf';
  return null;
}

/** RFC 5322 msg-id characters: printable ASCII without spaces, `<` or `>`. */
const CONTENT_ID = /^[\x21-\x3b\x3d\x3f-\x7e]+$/;

/** An inline attachment's Content-ID, with or without its angle brackets (`logo` or `<logo>`). */
export function contentIdProblem(value: string): string | null {
  const problem = headerTextProblem(value);
  if (problem !== null) return problem;
  const id = bareContentId(value);
  if (id.length > MAX_CONTENT_ID_LENGTH) return `is longer than ${MAX_CONTENT_ID_LENGTH} characters`;
  if (!CONTENT_ID.test(id)) return 'must be printable ASCII without spaces, "<" or ">" (such as logo@acme)';
  return null;
}

/** The Content-ID without the angle brackets it may have been given with. */
export function bareContentId(value: string): string {
  return value.replace(/^<(.*)>$/, '$1');
}
