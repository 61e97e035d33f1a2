import { asciiDomain, formatAddress } from './address';
import { base64Body } from './base64';
import { assertHeaderValue, foldHeader, foldText } from './header';
import { htmlToText } from './html-to-text';
import { encodeParameter } from './parameters';
import { encodeQuotedPrintable } from './quoted-printable';
import type { Address, Attachment, MimeMessage } from './types';
import {
  bareContentId,
  contentIdProblem,
  contentTypeProblem,
  headerNameProblem,
  headerTextProblem,
} from './validate';

export { RESERVED_HEADERS } from './validate';

/** Throws `<what> <problem>` when a check of validate.ts found one. */
function assertNoProblem(what: string, problem: string | null): void {
  if (problem !== null) throw new Error(`${what} ${problem}`);
}

/** A MIME entity: its header fields (already folded) and its encoded body (no trailing CRLF). */
interface Part {
  headers: string[];
  body: string;
}

const render = (part: Part): string => `${part.headers.join('\r\n')}\r\n\r\n${part.body}`;

/** A text/plain or text/html part; `terminated` when it is the whole message body (see encodeQuotedPrintable). */
function textPart(subtype: 'plain' | 'html', content: string, terminated: boolean): Part {
  return {
    headers: [`Content-Type: text/${subtype}; charset=utf-8`, 'Content-Transfer-Encoding: quoted-printable'],
    body: encodeQuotedPrintable(content, terminated),
  };
}

function attachmentPart(attachment: Attachment): Part {
  const { filename, contentType, contentId, content } = attachment;
  assertNoProblem(`Attachment filename ${JSON.stringify(filename)}`, headerTextProblem(filename));
  assertNoProblem(`Attachment content type ${JSON.stringify(contentType)}`, contentTypeProblem(contentType));
  if (contentId !== undefined) {
    assertNoProblem(`Attachment content id ${JSON.stringify(contentId)}`, contentIdProblem(contentId));
  }
  const type = contentType.trim().replace(/;\s*$/, '');
  const headers = [
    foldHeader('Content-Type', [type, ...encodeParameter('name', filename)].join('; ')),
    'Content-Transfer-Encoding: base64',
    foldHeader(
      'Content-Disposition',
      [contentId === undefined ? 'attachment' : 'inline', ...encodeParameter('filename', filename)].join(
        '; ',
      ),
    ),
  ];
  if (contentId !== undefined) headers.push(foldHeader('Content-ID', `<${bareContentId(contentId)}>`));
  return { headers, body: base64Body(content) };
}

/** 16 random bytes as hex after `=_`, which can occur neither in quoted-printable nor in base64. */
function randomBoundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `=_mg_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** A seeded boundary names its layer (a message has each at most once) and counts past any clash. */
function multipart(subtype: string, parts: Part[], parameters = '', seed?: string): Part {
  const rendered = parts.map(render);
  let tries = 0;
  const next = () => (seed === undefined ? randomBoundary() : `=_mg_${seed}_${subtype}${tries++ || ''}`);
  let boundary = next();
  while (rendered.some((part) => part.includes(boundary))) boundary = next();
  return {
    headers: [foldHeader('Content-Type', `multipart/${subtype}; boundary="${boundary}"${parameters}`)],
    body: `${rendered.map((part) => `--${boundary}\r\n${part}\r\n`).join('')}--${boundary}--`,
  };
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 §3.3 date-time in UTC: `Thu, 13 Feb 2025 09:05:00 +0000`. */
export function formatDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new Error('Invalid Date header value');
  const pad = (n: number): string => String(n).padStart(2, '0');
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return `${DAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${time} +0000`;
}

/**
 * The Message-ID as written, with an IDN right-hand side (`<id@bücher.de>`, as a sending domain gives
 * it) in punycode. Throws unless it is `<left@right>` in printable ASCII without spaces or brackets.
 */
function asciiMessageId(messageId: string): string {
  assertHeaderValue('Message-ID', messageId);
  let id = messageId;
  const parts = /^<([^<>@\s]+)@([^<>@\s]+)>$/.exec(messageId);
  if (parts !== null && /[^\x20-\x7e]/.test(parts[2] as string)) {
    const domain = asciiDomain(parts[2] as string);
    if (domain !== null) id = `<${parts[1]}@${domain}>`;
  }
  if (!/^<[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+>$/.test(id)) {
    throw new Error(`Invalid Message-ID: ${JSON.stringify(messageId)}`);
  }
  return id;
}

function addressList(name: string, addresses: Address[]): string {
  return foldHeader(name, addresses.map(formatAddress).join(', '));
}

/**
 * The message's top-level entity. Structure, outermost first, with only the layers that apply:
 * multipart/mixed (regular attachments) > multipart/related (inline attachments, when there is html)
 * > multipart/alternative (text, then html). Without html, inline attachments go into the mixed
 * layer, as there is no html to reference them.
 */
function bodyEntity(message: MimeMessage): Part {
  const hasHtml = typeof message.html === 'string';
  const hasText = typeof message.text === 'string';
  if (!hasHtml && !hasText) throw new Error('A message needs html or text');
  const text = hasText ? (message.text as string) : htmlToText(message.html as string);

  // A text derived from html that says nothing (an image-only email) is left out.
  const withText = hasText || text.trim() !== '';
  const single = (withText ? 1 : 0) + (hasHtml ? 1 : 0) === 1 && message.attachments.length === 0;
  const bodies: Part[] = [];
  if (withText) bodies.push(textPart('plain', text, single));
  if (hasHtml) bodies.push(textPart('html', message.html as string, single));
  const seed = message.boundarySeed;
  let entity = bodies.length === 1 ? (bodies[0] as Part) : multipart('alternative', bodies, '', seed);

  const inline = message.attachments.filter((a) => a.contentId !== undefined);
  const regular = message.attachments.filter((a) => a.contentId === undefined);
  if (hasHtml && inline.length > 0) {
    const rootType = bodies.length === 1 ? 'text/html' : 'multipart/alternative';
    entity = multipart('related', [entity, ...inline.map(attachmentPart)], `; type="${rootType}"`, seed);
  } else {
    regular.unshift(...inline);
  }
  if (regular.length > 0) entity = multipart('mixed', [entity, ...regular.map(attachmentPart)], '', seed);
  return entity;
}

/**
 * The whole message as RFC 5322 text: CRLF line endings, 7-bit clean, no line over 998 octets
 * (headers folded at 78 where whitespace allows, a word too long to fold as encoded words, bodies in
 * quoted-printable or base64 at 76). Throws on invalid addresses, on what the checks of validate.ts
 * refuse (a line break or other control character in the subject, a header value or a file name; an
 * invalid or reserved custom header name, content type or content id) and on an invalid Message-ID
 * or Date.
 */
export function buildMime(message: MimeMessage): string {
  assertHeaderValue('Subject', message.subject);
  const messageId = asciiMessageId(message.messageId);

  const headers = [addressList('From', [message.from])];
  if (message.to.length > 0) headers.push(addressList('To', message.to));
  if (message.cc.length > 0) headers.push(addressList('Cc', message.cc));
  if (message.replyTo.length > 0) headers.push(addressList('Reply-To', message.replyTo));
  headers.push(
    foldText('Subject', message.subject),
    foldHeader('Date', formatDate(message.date)),
    foldHeader('Message-ID', messageId),
    'MIME-Version: 1.0',
  );
  for (const [name, value] of Object.entries(message.headers)) {
    assertNoProblem(`Header ${JSON.stringify(name)}`, headerNameProblem(name));
    if (typeof value !== 'string') throw new Error(`Header ${name} must be a string`);
    assertHeaderValue(name, value);
    headers.push(foldText(name, value.trim()));
  }

  const entity = bodyEntity(message);
  const end = entity.body === '' || entity.body.endsWith('\r\n') ? '' : '\r\n';
  return `${render({ headers: [...headers, ...entity.headers], body: entity.body })}${end}`;
}
