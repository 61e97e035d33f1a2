// A worker's vars and secrets, validated and converted once. Each worker declares a valibot schema
// of its vars (src/env.ts) and reads them as `config(env).X`: a number is a number, a flag a boolean,
// a list an array, JSON an object, and a missing or malformed value throws at first use with the
// variable's name, instead of quietly becoming NaN, false or undefined where it is read.
import * as v from 'valibot';
import { unmetered } from './metered-env';

/** One parse per schema and env object (an isolate keeps its env; tests pass their own objects). */
const parsed = new WeakMap<object, WeakMap<object, unknown>>();

/**
 * A misconfigured worker: every problem, each naming its variable. The values of text and JSON vars
 * are never shown (they may be secrets); a bad number, flag, choice or URL is quoted.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration: ${problems.join('; ')}. Fix the vars in wrangler.jsonc or the secrets (wrangler secret put).`,
    );
  }
}

/** `schema` applied to `env`, cached per env object; throws a ConfigError naming each bad variable. */
export function parseConfig<const S extends v.GenericSchema<unknown, object>>(
  schema: S,
  env: object,
): v.InferOutput<S> {
  let bySchema = parsed.get(schema);
  if (!bySchema) {
    bySchema = new WeakMap();
    parsed.set(schema, bySchema);
  }
  // A metered env (metered-env.ts) is a new object per unit of work: cache on the env it wraps.
  const raw = unmetered(env);
  if (bySchema.has(raw)) return bySchema.get(raw) as v.InferOutput<S>;
  const result = v.safeParse(schema, raw);
  if (!result.success) throw new ConfigError(result.issues.map(describe));
  bySchema.set(raw, result.output);
  return result.output;
}

function describe(issue: v.BaseIssue<unknown>): string {
  const name = v.getDotPath(issue) ?? 'env';
  if (issue.input === undefined) return `${name} is not set`;
  return `${name} ${issue.message}`;
}

type Text = v.GenericSchema<string, unknown>;

/** The raw value's shape (a var set as a JSON number or object in wrangler.jsonc is refused). */
const raw = () => v.string('must be text (a string in wrangler.jsonc)');

const shown = (issue: v.BaseIssue<unknown>) => JSON.stringify(String(issue.input)).slice(0, 60);

/**
 * The building blocks of the workers' schemas. Each takes the raw string a var arrives as; wrap one
 * in `vars.optional` when the var may be unset.
 */
export const vars = {
  /** Any non-blank text (also secrets: their value is never shown in an error). */
  text: () =>
    v.pipe(
      raw(),
      v.check((value) => value.trim() !== '', 'is blank'),
    ),

  /** One of the given values, exactly. */
  oneOf: <const T extends readonly [string, ...string[]]>(options: T) =>
    v.pipe(
      raw(),
      v.picklist(
        options,
        (issue) =>
          `must be one of ${options.map((option) => `"${option}"`).join(', ')} (got ${shown(issue)})`,
      ),
    ),

  /** ENVIRONMENT: what a few safety checks turn on, so a typo must not pass for "production". */
  environment: () => vars.oneOf(['development', 'staging', 'production']),

  /** A whole number, at least `min` (default 1): byte limits, milliseconds. */
  wholeNumber: (min = 1) =>
    v.pipe(
      raw(),
      v.regex(/^\s*\d+\s*$/, (issue) => `must be a whole number (got ${shown(issue)})`),
      v.transform(Number),
      v.minValue(min, (issue) => `must be at least ${min} (got ${issue.input})`),
    ),

  /** A number above 0, fractions allowed: rates, scales. */
  positiveNumber: () =>
    v.pipe(
      raw(),
      v.regex(/^\s*\d*\.?\d+\s*$/, (issue) => `must be a number (got ${shown(issue)})`),
      v.transform(Number),
      v.gtValue(0, (issue) => `must be above 0 (got ${issue.input})`),
    ),

  /** "true" or "false". */
  flag: () =>
    v.pipe(
      raw(),
      v.picklist(['true', 'false'], (issue) => `must be "true" or "false" (got ${shown(issue)})`),
      v.transform((value) => value === 'true'),
    ),

  /** Comma-separated values, trimmed, empty ones dropped: `"a, b,"` is `["a", "b"]`. */
  list: () =>
    v.pipe(
      raw(),
      v.transform((value) =>
        value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean),
      ),
    ),

  /** An absolute URL, kept as written. */
  url: () =>
    v.pipe(
      raw(),
      v.check(
        (value) => URL.canParse(value),
        (issue) => `must be an absolute URL (got ${shown(issue)})`,
      ),
    ),

  /** JSON, then `schema` on the parsed value (the value is not shown: it may hold a secret). */
  json: <const S extends v.GenericSchema>(schema: S) =>
    v.pipe(
      raw(),
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        try {
          return JSON.parse(dataset.value) as unknown;
        } catch {
          addIssue({ message: 'must be valid JSON' });
          return NEVER;
        }
      }),
      schema,
    ),

  /**
   * An optional var: unset, undefined or blank is `fallback` (a raw value, converted like any other),
   * else undefined.
   */
  optional,
};

function optional<const S extends Text>(
  schema: S,
): v.OptionalSchema<v.GenericSchema<string, v.InferOutput<S>>, undefined>;
function optional<const S extends Text>(
  schema: S,
  fallback: string,
): v.OptionalSchema<v.GenericSchema<string, v.InferOutput<S>>, string>;
function optional(schema: Text, fallback?: string): unknown {
  return v.optional(
    v.pipe(
      raw(),
      v.transform((value) => (value.trim() === '' ? fallback : value)),
      v.optional(schema),
    ),
    fallback,
  );
}
