// The signing keys: every key that may verify, and the one that signs new tokens.

export interface SigningKeys {
  /** Key id → secret. */
  secrets: Record<string, string>;
  /** The id new tokens are signed with. */
  current: string;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,16}$/;
/** Shorter secrets make the HMAC guessable offline from one token; refuse them at start-up. */
const MIN_SECRET_LENGTH = 32;

/** Reads TRACKING_SIGNING_KEYS / TRACKING_SIGNING_KEY_ID; throws with what is wrong (a deploy error). */
export function parseSigningKeys(json: string | undefined, current: string | undefined): SigningKeys {
  let secrets: unknown;
  try {
    secrets = JSON.parse(json ?? '');
  } catch {
    throw new Error('TRACKING_SIGNING_KEYS must be JSON: {"<key id>": "<secret>"}.');
  }
  if (typeof secrets !== 'object' || secrets === null || Array.isArray(secrets)) {
    throw new Error('TRACKING_SIGNING_KEYS must be a JSON object: {"<key id>": "<secret>"}.');
  }
  for (const [id, secret] of Object.entries(secrets)) {
    if (!KEY_ID.test(id)) throw new Error(`Tracking key id "${id}" must be 1-16 of [A-Za-z0-9_-].`);
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
      throw new Error(`Tracking key "${id}" must be a string of at least ${MIN_SECRET_LENGTH} characters.`);
    }
  }
  if (!current || !(current in secrets)) {
    throw new Error(`TRACKING_SIGNING_KEY_ID "${current ?? ''}" is not a key in TRACKING_SIGNING_KEYS.`);
  }
  return { secrets: secrets as Record<string, string>, current };
}

let cached: { json: string | undefined; id: string | undefined; keys: SigningKeys } | undefined;

/**
 * The keys from a worker's TRACKING_SIGNING_KEYS / TRACKING_SIGNING_KEY_ID, parsed once per isolate
 * (and again only if the variables change). Throws as parseSigningKeys does: a deploy fault.
 */
export function signingKeysOf(env: {
  TRACKING_SIGNING_KEYS?: string;
  TRACKING_SIGNING_KEY_ID?: string;
}): SigningKeys {
  if (!cached || cached.json !== env.TRACKING_SIGNING_KEYS || cached.id !== env.TRACKING_SIGNING_KEY_ID) {
    const keys = parseSigningKeys(env.TRACKING_SIGNING_KEYS, env.TRACKING_SIGNING_KEY_ID);
    cached = { json: env.TRACKING_SIGNING_KEYS, id: env.TRACKING_SIGNING_KEY_ID, keys };
  }
  return cached.keys;
}
