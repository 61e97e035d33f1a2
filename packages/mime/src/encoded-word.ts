import { base64 } from './base64';

const PREFIX = '=?UTF-8?B?';
const SUFFIX = '?=';
/** 75 characters per encoded word (RFC 2047 §2) leave 63 for base64: 15 quads, 45 bytes. */
const MAX_WORD_BYTES = ((75 - PREFIX.length - SUFFIX.length) >> 2) * 3;

const encoder = new TextEncoder();

/**
 * True when a header text has to be written as encoded words: it has a character outside printable
 * ASCII (space and tab are fine), or it holds `=?`, which a reader would take for an encoded word.
 */
export function needsEncoding(value: string): boolean {
  return /[^\t\x20-\x7e]/.test(value) || value.includes('=?');
}

/**
 * RFC 2047 encoding of header text. Printable ASCII comes back unchanged (unless `always`); anything
 * else becomes `=?UTF-8?B?...?=` words of at most 75 characters, separated by a space (which readers
 * drop between two encoded words), each holding whole UTF-8 characters only. `always` encodes
 * printable ASCII too: the way to fold a word longer than a header line may be (see foldText).
 */
export function encodeHeaderWord(value: string, always = false): string {
  if (!always && !needsEncoding(value)) return value;
  const words: string[] = [];
  let chunk: number[] = [];
  for (const char of value) {
    const bytes = encoder.encode(char);
    if (chunk.length + bytes.length > MAX_WORD_BYTES) {
      words.push(PREFIX + base64(Uint8Array.from(chunk)) + SUFFIX);
      chunk = [];
    }
    chunk.push(...bytes);
  }
  if (chunk.length > 0) words.push(PREFIX + base64(Uint8Array.from(chunk)) + SUFFIX);
  return words.join(' ');
}
