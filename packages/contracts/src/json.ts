// Limits on the shape of JSON a client sends. Deeply nested JSON costs nothing to send and a stack
// to handle (Workers RPC's serializer overflows somewhere past a few thousand levels), so it is
// refused before anything crosses RPC: the gateway refuses any body nested deeper than
// `body_depth`, and a free-form field (one whose schema does not spell out its shape) may nest at
// most `free_form_depth` levels.
import * as v from 'valibot';

export const JSON_LIMITS = {
  /** Objects and arrays inside one another in a whole request body. */
  body_depth: 32,
  /** The same inside one free-form field (e.g. a contact's `properties`), the field itself counted. */
  free_form_depth: 8,
} as const;

/**
 * How deeply objects and arrays nest in `value` (a scalar is 0, `{}` and `[]` are 1, `{ "a": [] }`
 * is 2), counting no further than `limit + 1`: the recursion stops there, so any input is safe.
 */
export function jsonDepth(value: unknown, limit: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (limit < 0) return 1;
  let deepest = 0;
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    deepest = Math.max(deepest, jsonDepth(item, limit - 1));
    if (deepest > limit) break;
  }
  return deepest + 1;
}

/** A free-form JSON field nests at most `limit` levels of objects and arrays. */
export const MaxDepth = <TInput>(limit: number = JSON_LIMITS.free_form_depth) =>
  v.check<TInput, string>(
    (value) => jsonDepth(value, limit) <= limit,
    `must not nest objects and arrays more than ${limit} levels deep`,
  );
