import { type ParsedMail, simpleParser } from 'mailparser';
import type { MimeMessage } from '../src/index';

/** A minimal valid message; tests override what they exercise. */
export function message(overrides: Partial<MimeMessage> = {}): MimeMessage {
  return {
    from: { name: 'Mailgrid', email: 'hello@mail.example.com' },
    to: [{ email: 'ada@example.org' }],
    cc: [],
    replyTo: [],
    subject: 'Hello',
    text: 'Hello there',
    headers: {},
    attachments: [],
    messageId: '<0b9e3a52-7c1f-4a8e-9d35-2f6c1e0a7b44@mail.example.com>',
    date: new Date('2025-02-13T09:05:07Z'),
    ...overrides,
  };
}

/** Parsed by mailparser, keeping `cid:` links in the html as written. */
export function parse(raw: string): Promise<ParsedMail> {
  return simpleParser(raw, { keepCidLinks: true });
}

export interface MimeNode {
  /** Lower-case `type/subtype`. */
  type: string;
  /** Unfolded header fields, names in lower case. */
  headers: Map<string, string>;
  children: MimeNode[];
  /** The raw entity text (headers and body). */
  raw: string;
}

/**
 * The MIME tree of a message, read by the RFC 2046 rules: a body part runs from after a delimiter
 * line to the CRLF before the next one. Throws when a multipart is not well formed.
 */
export function mimeTree(raw: string): MimeNode {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) throw new Error('no header/body separator');
  const headers = new Map<string, string>();
  for (const line of raw
    .slice(0, split)
    .replace(/\r\n(?=[ \t])/g, '')
    .split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const contentType = headers.get('content-type') ?? 'text/plain';
  const type = (contentType.split(';')[0] as string).trim().toLowerCase();
  const children: MimeNode[] = [];
  if (type.startsWith('multipart/')) {
    const boundary = /boundary="([^"]+)"/.exec(contentType)?.[1];
    if (boundary === undefined) throw new Error('multipart without boundary');
    const segments = `\r\n${raw.slice(split + 4)}`.split(`\r\n--${boundary}`);
    const closing = segments[segments.length - 1] as string;
    if (!closing.startsWith('--')) throw new Error('multipart without close delimiter');
    for (const segment of segments.slice(1, -1)) {
      if (!segment.startsWith('\r\n')) throw new Error('delimiter line with trailing text');
      children.push(mimeTree(segment.slice(2)));
    }
    if (children.length === 0) throw new Error('multipart without parts');
  }
  return { type, headers, children, raw };
}

/** The tree as nested types, e.g. `['multipart/mixed', [['multipart/alternative', ...], 'image/png']]`. */
export type Shape = string | [string, Shape[]];
export function shape(node: MimeNode): Shape {
  return node.children.length === 0 ? node.type : [node.type, node.children.map(shape)];
}

/** Decodes RFC 2047 B-encoded UTF-8 words, ignoring the whitespace between adjacent ones. */
export function decodeWords(value: string): string {
  const bytes: number[] = [];
  const words = value.trim().split(/\s+/);
  for (const word of words) {
    const match = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=$/.exec(word);
    if (match === null) throw new Error(`not an encoded word: ${word}`);
    bytes.push(...Buffer.from(match[1] as string, 'base64'));
  }
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Uint8Array.from(bytes));
}

/** Quoted-printable to bytes to UTF-8 (RFC 2045 §6.7), strict about escapes. */
export function decodeQuotedPrintable(encoded: string): string {
  const bytes: number[] = [];
  const body = encoded.replace(/=\r\n/g, '');
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '=') {
      const hex = body.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) throw new Error(`bad escape at ${i}: ${hex}`);
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(body.charCodeAt(i));
    }
  }
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Uint8Array.from(bytes));
}

/** Breaches of the RFC 5322 / 7-bit transport rules in a whole message (none: empty). */
export function transportProblems(raw: string, softLimit = 998): string[] {
  const problems: string[] = [];
  if (/[^\t\r\n -~]/.test(raw)) problems.push('not 7-bit printable ASCII');
  if (/\r(?!\n)|(?<!\r)\n/.test(raw)) problems.push('bare CR or LF');
  if (!raw.endsWith('\r\n')) problems.push('does not end with CRLF');
  raw.split('\r\n').forEach((line, i) => {
    if (line.length > 998) problems.push(`line ${i + 1} longer than 998: ${line.length}`);
    else if (line.length > softLimit) problems.push(`line ${i + 1} longer than ${softLimit}: ${line}`);
  });
  return problems;
}
