// Resend's Suppressions API: GET/POST /suppressions, GET/DELETE /suppressions/:id_or_email,
// POST /suppressions/batch/add|remove. The list sends are filtered through: an address on it is left
// out of every send of the tenant from the next one on.
import * as v from 'valibot';
import { pageQuery, TextId, UUID_PATTERN } from './paging';
import { DeletedRef, ListOf } from './shapes';
import { NoControlChars } from './text';

const Address = (what: string) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.toLowerCase(),
    v.maxLength(320),
    v.email(`${what} must be an email address`),
  );

export const CreateSuppressionRequest = v.strictObject({
  email: Address('email'),
  /** Mailgrid extra: why, for the tenant's own records. Defaults to `manual`. */
  reason: v.optional(v.pipe(v.string(), NoControlChars, v.trim(), v.minLength(1), v.maxLength(200))),
});
export type CreateSuppressionRequest = v.InferOutput<typeof CreateSuppressionRequest>;

/** Resend's origins; `reason` keeps Mailgrid's detail (e.g. `bounce:Permanent/General`). */
export const SUPPRESSION_ORIGINS = ['bounce', 'complaint', 'manual'] as const;
export type SuppressionOrigin = (typeof SUPPRESSION_ORIGINS)[number];

/** The events consumer writes `bounce:<type>/<subtype>` and `complaint`; anything else was added by hand. */
export function suppressionOrigin(reason: string): SuppressionOrigin {
  if (reason.startsWith('bounce')) return 'bounce';
  if (reason === 'complaint') return 'complaint';
  return 'manual';
}

/** A suppression's id (a UUID) or its address (without control or format characters). */
const SUPPRESSION_REF =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[^\s@\p{Cc}\p{Cf}]{1,64}@[^\s@\p{Cc}\p{Cf}]{1,255})$/iu;

// The cursors are suppressions' ids; an address is taken as well (ids came in 0019).
export const ListSuppressionsQuery = pageQuery(
  TextId('A suppression', SUPPRESSION_REF, 'a suppression id (a UUID) or a suppressed address'),
  {
    origin: v.optional(
      v.picklist(SUPPRESSION_ORIGINS, `origin must be one of ${SUPPRESSION_ORIGINS.join(', ')}`),
    ),
  },
);
export type ListSuppressionsQuery = v.InferOutput<typeof ListSuppressionsQuery>;

const BATCH_MAX = 100;
const batchOf = <T extends v.GenericSchema<unknown, string>>(item: T, what: string) =>
  v.pipe(
    v.array(item),
    v.minLength(1, `${what} must list 1 to ${BATCH_MAX} entries`),
    v.maxLength(BATCH_MAX, `${what} must list 1 to ${BATCH_MAX} entries`),
  );

export const BatchAddSuppressionsRequest = v.strictObject({
  emails: batchOf(Address('each of emails'), 'emails'),
});
export type BatchAddSuppressionsRequest = v.InferOutput<typeof BatchAddSuppressionsRequest>;

/** Either `emails` or `ids`, not both (Resend's rule). */
export const BatchRemoveSuppressionsRequest = v.pipe(
  v.strictObject({
    emails: v.optional(batchOf(Address('each of emails'), 'emails')),
    ids: v.optional(
      batchOf(
        v.pipe(
          v.string(),
          v.regex(UUID_PATTERN, 'each of ids must be a suppression id (a UUID)'),
          v.toLowerCase(),
        ),
        'ids',
      ),
    ),
  }),
  v.check(
    (input) => (input.emails === undefined) !== (input.ids === undefined),
    'give either emails or ids, not both',
  ),
);
export type BatchRemoveSuppressionsRequest = v.InferOutput<typeof BatchRemoveSuppressionsRequest>;

export const SuppressionObject = v.pipe(
  v.object({
    object: v.literal('suppression'),
    /** A UUID; the address names it as well (one tenant has one suppression per address). */
    id: v.string(),
    email: v.string(),
    origin: v.picklist(SUPPRESSION_ORIGINS),
    /** The email whose bounce or complaint added it; null when added by hand. */
    source_id: v.nullable(v.string()),
    /** Mailgrid extra: the detail behind the origin (`bounce:Permanent/General`, `complaint`, or the tenant's own). */
    reason: v.string(),
    created_at: v.string(),
  }),
  v.title('SuppressionObject'),
  v.description('An address every send of the tenant leaves out, and why.'),
);
export type SuppressionObject = v.InferOutput<typeof SuppressionObject>;

export const SuppressionList = v.pipe(
  ListOf(SuppressionObject),
  v.title('SuppressionList'),
  v.description('A page of suppressed addresses.'),
);
export type SuppressionList = v.InferOutput<typeof SuppressionList>;

export const DeletedSuppression = DeletedRef('suppression');
export type DeletedSuppression = v.InferOutput<typeof DeletedSuppression>;

export const BatchAddedSuppressions = v.pipe(
  v.object({ data: v.array(v.object({ object: v.literal('suppression'), id: v.string() })) }),
  v.title('BatchAddedSuppressions'),
  v.description(
    'The suppression of each address, in the order given (an address already there keeps its own).',
  ),
);
export type BatchAddedSuppressions = v.InferOutput<typeof BatchAddedSuppressions>;

export const BatchRemovedSuppressions = v.pipe(
  v.object({
    data: v.array(v.object({ object: v.literal('suppression'), id: v.string(), deleted: v.boolean() })),
  }),
  v.title('BatchRemovedSuppressions'),
  v.description(
    'Per id or address given, in order: the suppression removed, or `deleted: false` (and what was given as `id`) when there was none.',
  ),
);
export type BatchRemovedSuppressions = v.InferOutput<typeof BatchRemovedSuppressions>;
