// The verifying keys, parsed once per isolate (and again only if the variables change).
import { parseSigningKeys, type SigningKeys } from '@mailgrid/tracking-tokens';
import type { Env } from './env';

let cached: { json: string; id: string; keys: SigningKeys } | undefined;

/** Throws when the variables are missing or malformed: a deploy fault, answered as a 500. */
export function signingKeys(env: Env): SigningKeys {
  if (cached?.json !== env.TRACKING_SIGNING_KEYS || cached.id !== env.TRACKING_SIGNING_KEY_ID) {
    const keys = parseSigningKeys(env.TRACKING_SIGNING_KEYS, env.TRACKING_SIGNING_KEY_ID);
    cached = { json: env.TRACKING_SIGNING_KEYS, id: env.TRACKING_SIGNING_KEY_ID, keys };
  }
  return cached.keys;
}
