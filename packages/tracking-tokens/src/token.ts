// Signing and verifying tracking tokens: `<key id>.<base64url payload>.<base64url HMAC-SHA256>`.
import type { SigningKeys } from './keys.ts';

export type TokenAction = 'open' | 'click' | 'unsubscribe';

export interface TrackingClaims {
  action: TokenAction;
  tenant_id: string;
  email_id: string;
  recipient: string;
  /** The original link (clicks only). */
  url?: string;
  /** What the email was about (unsubscribes): its topic, else the stream is unsubscribed from. */
  topic_id?: string;
  /** Unix seconds after which the token is refused. */
  expires_at: number;
  /**
   * Unix seconds when the email was sent (signed at send time): a click a few seconds later is a
   * link scanner's, not a human's.
   */
  issued_at?: number;
}

// Short field names keep links short: a token travels in every rewritten link.
interface Payload {
  a: 'o' | 'c' | 'u';
  t: string;
  e: string;
  r: string;
  u?: string;
  p?: string;
  x: number;
  i?: number;
}

const ACTION_CODES = { open: 'o', click: 'c', unsubscribe: 'u' } as const;
const ACTIONS = { o: 'open', c: 'click', u: 'unsubscribe' } as const;
const encoder = new TextEncoder();
const keyCache = new Map<string, Promise<CryptoKey>>();

export async function signToken(keys: SigningKeys, claims: TrackingClaims): Promise<string> {
  const payload: Payload = {
    a: ACTION_CODES[claims.action],
    t: claims.tenant_id,
    e: claims.email_id,
    r: claims.recipient,
    ...(claims.url === undefined ? {} : { u: claims.url }),
    ...(claims.topic_id === undefined ? {} : { p: claims.topic_id }),
    x: claims.expires_at,
    ...(claims.issued_at === undefined ? {} : { i: claims.issued_at }),
  };
  const signed = `${keys.current}.${toBase64Url(encoder.encode(JSON.stringify(payload)))}`;
  const key = await hmacKey(keys.current, keys.secrets[keys.current] as string);
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(signed)));
  return `${signed}.${toBase64Url(signature)}`;
}

/** The claims, or null for anything not signed by a known key, malformed, or expired. */
export async function verifyToken(
  keys: SigningKeys,
  token: string,
  nowMs = Date.now(),
): Promise<TrackingClaims | null> {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [keyId, payloadPart, signaturePart] = parts as [string, string, string];
  const secret = Object.hasOwn(keys.secrets, keyId) ? keys.secrets[keyId] : undefined;
  const signature = fromBase64Url(signaturePart);
  const payloadBytes = fromBase64Url(payloadPart);
  if (!secret || !signature || !payloadBytes) return null;
  // crypto.subtle.verify compares in constant time.
  const valid = await crypto.subtle.verify(
    'HMAC',
    await hmacKey(keyId, secret),
    signature,
    encoder.encode(`${keyId}.${payloadPart}`),
  );
  if (!valid) return null;
  const payload = parsePayload(payloadBytes);
  if (!payload || payload.x * 1000 <= nowMs) return null;
  return {
    action: ACTIONS[payload.a],
    tenant_id: payload.t,
    email_id: payload.e,
    recipient: payload.r,
    ...(payload.u === undefined ? {} : { url: payload.u }),
    ...(payload.p === undefined ? {} : { topic_id: payload.p }),
    expires_at: payload.x,
    ...(payload.i === undefined ? {} : { issued_at: payload.i }),
  };
}

function parsePayload(bytes: Uint8Array): Payload | null {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const p = value as Record<string, unknown>;
  const strings = ['t', 'e', 'r'].every((field) => typeof p[field] === 'string');
  const optional = ['u', 'p'].every((field) => p[field] === undefined || typeof p[field] === 'string');
  const issued = p.i === undefined || typeof p.i === 'number';
  if (
    !strings ||
    !optional ||
    !issued ||
    typeof p.x !== 'number' ||
    !(typeof p.a === 'string' && p.a in ACTIONS)
  ) {
    return null;
  }
  // A click token without a URL, or a URL that is not http(s), must never become a redirect.
  if (p.a === 'c' && !isHttpUrl(p.u as string | undefined)) return null;
  return p as unknown as Payload;
}

function isHttpUrl(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

function hmacKey(id: string, secret: string): Promise<CryptoKey> {
  // Keyed by id and secret, so a rotated secret under the same id is never served from the cache.
  const cacheKey = `${id}\u0000${secret}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    keyCache.set(cacheKey, key);
  }
  return key;
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}
