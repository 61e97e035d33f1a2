import { encodeHeaderWord, needsEncoding } from './encoded-word';
import type { Address } from './types';

/** RFC 5322 atext: what an unquoted local part (dot-atom) and an unquoted display name may hold. */
const ATEXT = "A-Za-z0-9!#$%&'*+/=?^_`{|}~-";
const LOCAL_PART = new RegExp(`^[${ATEXT}]+(?:\\.[${ATEXT}]+)*$`);
const PHRASE = new RegExp(`^[${ATEXT}]+(?: [${ATEXT}]+)*$`);
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** A top-level domain: letters, or an IDN label. Rejects IP addresses and numeric endings. */
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
/** Characters that would make `new URL()` read more than a host, or that no domain has. */
const NOT_IN_DOMAIN = /[\s/\\?#@:[\]%<>"'(),;!$&*+=^`{|}~]/;

/** True when the text holds a C0 control character (CR, LF, NUL, tab, ...) or DEL. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * The domain in ASCII (punycode for IDN labels, lower case) through WHATWG URL host parsing, which
 * Workers and Node both implement; null when it is not a usable internet domain name.
 */
export function asciiDomain(domain: string): string | null {
  if (domain === '' || NOT_IN_DOMAIN.test(domain) || hasControlCharacter(domain)) return null;
  let host: string;
  try {
    host = new URL(`http://${domain}`).hostname;
  } catch {
    return null;
  }
  if (host.length > 253) return null;
  const labels = host.split('.');
  if (labels.length < 2) return null;
  if (!labels.every((label) => LABEL.test(label))) return null;
  return TLD.test(labels[labels.length - 1] as string) ? host : null;
}

/** The address with its domain in ASCII, or null when it is not a valid address. */
function asciiEmailOrNull(email: string): string | null {
  const at = email.lastIndexOf('@');
  if (at < 1) return null;
  const local = email.slice(0, at);
  // SES takes 7-bit local parts only (no SMTPUTF8), and no quoted local parts here.
  if (local.length > 64 || !LOCAL_PART.test(local)) return null;
  const domain = asciiDomain(email.slice(at + 1));
  if (domain === null) return null;
  const ascii = `${local}@${domain}`;
  return ascii.length > 254 ? null : ascii;
}

/** True when `email` is a bare address this package can send to (IDN domains included). */
export function isValidEmail(email: string): boolean {
  return asciiEmailOrNull(email) !== null;
}

/** The address with its domain converted to punycode (`ab@bücher.de` → `ab@xn--bcher-kva.de`). Throws when invalid. */
export function toAsciiEmail(email: string): string {
  const ascii = asciiEmailOrNull(email);
  if (ascii === null) throw new Error(`Invalid email address: ${JSON.stringify(email)}`);
  return ascii;
}

/**
 * Parses one address: `a@b.com`, `<a@b.com>`, `Name <a@b.com>` or `"Quoted, Name" <a@b.com>`.
 * Returns null when the input is not a valid single address, holds a control character (CR, LF, ...)
 * or has a malformed display name. The email is returned as written (not punycoded).
 */
export function parseAddress(input: string): Address | null {
  if (typeof input !== 'string' || hasControlCharacter(input)) return null;
  const value = input.trim();
  let name: string | undefined;
  let email: string;
  if (value.endsWith('>')) {
    const open = value.lastIndexOf('<');
    if (open < 0) return null;
    email = value.slice(open + 1, -1).trim();
    const display = value.slice(0, open).trim();
    if (display !== '') {
      const parsed = parseDisplayName(display);
      if (parsed === null) return null;
      name = parsed === '' ? undefined : parsed;
    }
  } else {
    email = value;
  }
  if (!isValidEmail(email)) return null;
  return name === undefined ? { email } : { name, email };
}

/** A quoted-string (with `\` escapes) or a plain phrase without `"`, `<` or `>`. */
function parseDisplayName(display: string): string | null {
  if (display.startsWith('"')) {
    if (display.length < 2 || !display.endsWith('"')) return null;
    let out = '';
    const inner = display.slice(1, -1);
    for (let i = 0; i < inner.length; i++) {
      const char = inner[i] as string;
      if (char === '\\') {
        i++;
        if (i >= inner.length) return null;
        out += inner[i];
      } else if (char === '"') {
        return null;
      } else {
        out += char;
      }
    }
    return out.trim();
  }
  return /["<>]/.test(display) ? null : display.replace(/\s+/g, ' ');
}

/**
 * Header form of one address: `a@b.com`, `Name <a@b.com>`, `"Doe, Jane" <a@b.com>` or
 * `=?UTF-8?B?...?= <a@b.com>` for a non-ASCII name; the domain in punycode. Throws on an invalid
 * address or a name holding CR, LF or NUL.
 */
export function formatAddress(address: Address): string {
  const email = toAsciiEmail(address.email);
  if (/[\r\n\0]/.test(address.name ?? '')) throw new Error('Display name must not contain CR, LF or NUL');
  const name = address.name?.trim() ?? '';
  if (name === '') return email;
  let phrase: string;
  if (needsEncoding(name)) phrase = encodeHeaderWord(name);
  else if (PHRASE.test(name)) phrase = name;
  else phrase = `"${name.replace(/[\\"]/g, '\\$&')}"`;
  return `${phrase} <${email}>`;
}
