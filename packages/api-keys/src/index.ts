// API key material: `mg_<env>_<40 random base62 characters>` (about 238 bits).
// The key is shown once; only its SHA-256 and its lookup prefix (`mg_<env>_` + the first 8 random
// characters) are stored. A plain hash is enough because the key is random, not a password.
// Runs in Workers and in Node (Web Crypto only).

export const KEY_ENVIRONMENTS = ['live', 'test', 'dev'] as const;
export type KeyEnvironment = (typeof KEY_ENVIRONMENTS)[number];

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const RANDOM_LENGTH = 40;
const PREFIX_RANDOM_LENGTH = 8;
const KEY_PATTERN = /^mg_(live|test|dev)_([A-Za-z0-9]{40})$/;

export interface NewApiKey {
  /** The whole key, to show the caller once. */
  token: string;
  prefix: string;
  hash: string;
}

export interface ParsedApiKey {
  environment: KeyEnvironment;
  prefix: string;
}

export async function generateApiKey(environment: KeyEnvironment): Promise<NewApiKey> {
  const token = `mg_${environment}_${randomBase62(RANDOM_LENGTH)}`;
  const parsed = parseApiKey(token);
  if (!parsed) throw new Error('generated an unparseable key');
  return { token, prefix: parsed.prefix, hash: await hashApiKey(token) };
}

/** Null when the string cannot be a Mailgrid key (so it is refused without a lookup). */
export function parseApiKey(token: string): ParsedApiKey | null {
  const match = KEY_PATTERN.exec(token);
  if (!match) return null;
  const [, environment, random] = match as unknown as [string, KeyEnvironment, string];
  return { environment, prefix: `mg_${environment}_${random.slice(0, PREFIX_RANDOM_LENGTH)}` };
}

export function hashApiKey(token: string): Promise<string> {
  return sha256Hex(token);
}

/** SHA-256 as lower-case hex: of keys, tokens, request bodies and files alike. */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  // Node's types want an ArrayBuffer-backed view; every Uint8Array here is one.
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Compares two hex digests in time that does not depend on where they differ. */
export function digestsEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

function randomBase62(length: number): string {
  // 248 = 4 * 62: bytes at or above it are dropped so every character is equally likely.
  let out = '';
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}
