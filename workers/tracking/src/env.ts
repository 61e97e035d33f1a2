import type { PreferencesRpc, QueueMessageBase, RpcBinding } from '@mailgrid/contracts';
import { parseConfig, vars } from '@mailgrid/runtime';
import * as v from 'valibot';

/** Tracking's vars and secrets, as `config(env)` gives them: validated. */
export const Config = v.object({
  ENVIRONMENT: vars.environment(),
  /**
   * JSON `{ "<key id>": "<secret>" }`: every key that may verify a token (a secret outside dev).
   * Required: every path verifies a token. Its contents are checked by @mailgrid/tracking-tokens.
   */
  TRACKING_SIGNING_KEYS: vars.text(),
  /** The key id send signs with; tracking only needs it to be one of the keys. */
  TRACKING_SIGNING_KEY_ID: vars.text(),
  /**
   * The local stack only: the place every hit is recorded at, labelled as local. `wrangler dev` has no
   * real location to give and would otherwise report its built-in default (a US city) as if it were one.
   */
  LOCAL_GEO: vars.optional(
    vars.json(
      v.object({
        country: v.nullable(v.string()),
        region: v.nullable(v.string()),
        city: v.nullable(v.string()),
      }),
    ),
  ),
});
export type Config = v.InferOutput<typeof Config>;

/** The bindings, and the vars as they arrive (strings); read the vars through `config(env)`. */
export interface Env extends v.InferInput<typeof Config> {
  /** Opens, clicks and unsubscribes go here; tracking never writes D1 on the request path. */
  EVENTS_QUEUE: Queue<QueueMessageBase>;
  /** admin's PreferencesService: a contact's topic preferences, all tracking may reach in admin. */
  PREFERENCES: RpcBinding<PreferencesRpc>;
}

/** The vars, parsed once per env object; throws at first use naming each missing or malformed one. */
export function config(env: Env): Config {
  return parseConfig(Config, env);
}
