/** RFC 5322 §2.1.1: lines SHOULD stay within 78 characters and MUST stay within 998. */
const SOFT_LIMIT = 78;
const HARD_LIMIT = 998;

/** Throws on CR, LF or NUL in a header value: defense in depth against header injection. */
export function assertHeaderValue(name: string, value: string): void {
  if (/[\r\n\0]/.test(value)) throw new Error(`Header ${name} must not contain CR, LF or NUL`);
}

/** RFC 5322 §3.6.8 field name: printable ASCII other than the colon. */
export function isHeaderName(name: string): boolean {
  return /^[\x21-\x39\x3b-\x7e]+$/.test(name);
}

/**
 * One header field as lines joined with CRLF (no trailing CRLF). The value must already be 7-bit
 * (encoded words, punycode, ...). Long fields are folded before whitespace, greedily within 78
 * characters, right after the colon when the first word does not fit beside the name; a word that
 * cannot fit within 998 characters throws.
 */
export function foldHeader(name: string, value: string): string {
  if (!isHeaderName(name)) throw new Error(`Invalid header name: ${JSON.stringify(name)}`);
  assertHeaderValue(name, value);
  if (/[^\t\x20-\x7e]/.test(value)) throw new Error(`Header ${name} must be 7-bit before folding`);
  const trimmed = value.trim();
  const first = trimmed === '' ? `${name}:` : `${name}: `;
  // Segments: the first word, then each run of whitespace with the word after it. A fold goes
  // before a segment, so every continuation line starts with whitespace and holds a word.
  const segments = trimmed.match(/^\S*|[\t ]+\S+/g) ?? [];
  const lines: string[] = [];
  let line = first + (segments[0] ?? '');
  // A first word that does not fit after the name (a 75-character encoded word) starts the next line.
  if (line.length > SOFT_LIMIT && segments[0] !== '') {
    lines.push(`${name}:`);
    line = ` ${segments[0]}`;
  }
  for (const segment of segments.slice(1)) {
    if (line.length + segment.length > SOFT_LIMIT && line.trim().length > 0) {
      lines.push(line);
      line = segment;
    } else {
      line += segment;
    }
  }
  lines.push(line);
  for (const l of lines) {
    if (l.length > HARD_LIMIT) {
      throw new Error(`Header ${name} has a word too long to fold within ${HARD_LIMIT} characters`);
    }
  }
  return lines.join('\r\n');
}
