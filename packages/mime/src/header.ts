import { encodeHeaderWord } from './encoded-word';
import { headerTextProblem } from './validate';

/** RFC 5322 §2.1.1: lines SHOULD stay within 78 characters and MUST stay within 998. */
const SOFT_LIMIT = 78;
const HARD_LIMIT = 998;

/**
 * Throws on what no header value may hold: CR or LF (header injection) and the other control
 * characters (NUL, ESC, DEL, ...; a tab is whitespace and allowed). See headerTextProblem.
 */
export function assertHeaderValue(name: string, value: string): void {
  const problem = headerTextProblem(value);
  if (problem !== null) throw new Error(`Header ${name} ${problem}`);
}

/** RFC 5322 §3.6.8 field name: printable ASCII other than the colon. */
export function isHeaderName(name: string): boolean {
  return /^[\x21-\x39\x3b-\x7e]+$/.test(name);
}

/**
 * The value's fold segments: the first word, then each run of whitespace with the word after it. A
 * fold goes before a segment, so every continuation line starts with whitespace and holds a word.
 */
function segmentsOf(value: string): string[] {
  return value.trim().match(/^\S*|[\t ]+\S+/g) ?? [];
}

/**
 * True when foldHeader can fold the value within 998 characters a line: the first word fits on a
 * line of its own after one space, and every later whitespace-and-word segment fits on its own.
 */
export function canFold(value: string): boolean {
  return segmentsOf(value).every((segment, index) => segment.length + (index === 0 ? 1 : 0) <= HARD_LIMIT);
}

/**
 * One header field as lines joined with CRLF (no trailing CRLF). The value must already be 7-bit
 * (encoded words, punycode, ...). Long fields are folded before whitespace, greedily within 78
 * characters, right after the colon when the first word does not fit beside the name; a word that
 * cannot fit within 998 characters throws (foldText encodes such a word instead).
 */
export function foldHeader(name: string, value: string): string {
  if (!isHeaderName(name)) throw new Error(`Invalid header name: ${JSON.stringify(name)}`);
  assertHeaderValue(name, value);
  if (/[^\t\x20-\x7e]/.test(value)) throw new Error(`Header ${name} must be 7-bit before folding`);
  const first = value.trim() === '' ? `${name}:` : `${name}: `;
  const segments = segmentsOf(value);
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

/**
 * An unstructured header field (Subject, a custom header's text) of any length: RFC 2047 encoded
 * words where the text needs them (non-ASCII, `=?`), and also when a word is too long to fold within
 * 998 characters (a 998-character subject without a space), so every value without control
 * characters can be written. Then folded by foldHeader.
 */
export function foldText(name: string, value: string): string {
  assertHeaderValue(name, value);
  const plain = encodeHeaderWord(value);
  return foldHeader(name, canFold(plain) ? plain : encodeHeaderWord(value, true));
}
