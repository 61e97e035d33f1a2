// Signed links to an email's attachment or to a read-only view of it: `<key id>.<payload>.<signature>`
// (base64url), the signature HMAC-SHA256 over `<key id>.<payload>`. The keys are the tracking keys
// (TRACKING_SIGNING_KEYS: one id signs, every listed id verifies, so rotation works as for tracking
// tokens), but never used as they are: each is first turned into a key of its own for these links,
// HMAC(secret, "mailgrid email links v1"), so a tracking token can never pass for a link or back.
import { AppError } from '@mailgrid/contracts';
import { signingKeysOf } from '@mailgrid/tracking-tokens';
import type { Env } from './env';

export type LinkClaims =
  | { kind: 'attachment'; tenant_id: string; email_id: string; attachment_id: string; expires_at: number }
  | { kind: 'share'; tenant_id: string; email_id: string; expires_at: number };

interface Payload {
  k: 'a' | 's';
  t: string;
  e: string;
  a?: string;
  /** Unix seconds. */
  x: number;
}

const encoder = new TextEncoder();
const DERIVE_LABEL = 'mailgrid email links v1';
const keyCache = new Map<string, Promise<CryptoKey>>();

export async function signLink(env: Env, claims: LinkClaims): Promise<string> {
  const keys = signingKeysOf(env);
  const payload: Payload = {
    k: claims.kind === 'attachment' ? 'a' : 's',
    t: claims.tenant_id,
    e: claims.email_id,
    ...(claims.kind === 'attachment' ? { a: claims.attachment_id } : {}),
    x: claims.expires_at,
  };
  const signed = `${keys.current}.${toBase64Url(encoder.encode(JSON.stringify(payload)))}`;
  const key = await linkKey(keys.current, keys.secrets[keys.current] as string);
  return `${signed}.${toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(signed))))}`;
}

/**
 * The claims of a link of `kind`, or an AppError: `invalid_signature` for anything not signed by a
 * known key (tampered, truncated, another kind) and for a signed link past its time.
 */
export async function verifyLink<K extends LinkClaims['kind']>(
  env: Env,
  token: string,
  kind: K,
  nowMs = Date.now(),
): Promise<Extract<LinkClaims, { kind: K }>> {
  const refused = new AppError('invalid_signature', 'This link is not valid: it was changed or cut short.');
  const parts = token.split('.');
  if (parts.length !== 3) throw refused;
  const [keyId, payloadPart, signaturePart] = parts as [string, string, string];
  const keys = signingKeysOf(env);
  const secret = Object.hasOwn(keys.secrets, keyId) ? keys.secrets[keyId] : undefined;
  const signature = fromBase64Url(signaturePart);
  if (!secret || !signature || !fromBase64Url(payloadPart)) throw refused;
  // crypto.subtle.verify compares in constant time.
  const valid = await crypto.subtle.verify(
    'HMAC',
    await linkKey(keyId, secret),
    signature,
    encoder.encode(`${keyId}.${payloadPart}`),
  );
  if (!valid) throw refused;
  const payload = JSON.parse(new TextDecoder().decode(fromBase64Url(payloadPart) as Uint8Array)) as Payload;
  const claims: LinkClaims =
    payload.k === 'a'
      ? {
          kind: 'attachment',
          tenant_id: payload.t,
          email_id: payload.e,
          attachment_id: payload.a ?? '',
          expires_at: payload.x,
        }
      : { kind: 'share', tenant_id: payload.t, email_id: payload.e, expires_at: payload.x };
  if (claims.kind !== kind) throw refused;
  if (claims.expires_at * 1000 <= nowMs) {
    throw new AppError(
      'invalid_signature',
      `This link expired at ${new Date(claims.expires_at * 1000).toISOString()}; ask for a new one.`,
    );
  }
  return claims as Extract<LinkClaims, { kind: K }>;
}

function linkKey(id: string, secret: string): Promise<CryptoKey> {
  const cacheKey = `${id}\u0000${secret}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = (async () => {
      const master = await crypto.subtle.importKey(
        'raw',
        encoder.encode(secret),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign'],
      );
      const derived = await crypto.subtle.sign('HMAC', master, encoder.encode(DERIVE_LABEL));
      return crypto.subtle.importKey('raw', derived, { name: 'HMAC', hash: 'SHA-256' }, false, [
        'sign',
        'verify',
      ]);
    })();
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
  return Uint8Array.from(atob(text.replaceAll('-', '+').replaceAll('_', '/')), (char) => char.charCodeAt(0));
}
