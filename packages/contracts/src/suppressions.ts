// Resend's Suppressions API: GET/POST /suppressions, DELETE /suppressions/:email. The list sends are
// filtered through: an address on it is left out of every send of the tenant from the next one on.
import * as v from 'valibot';
import { pageQuery, TextId } from './paging';
import { DeletedRef, ListOf } from './shapes';
import { NoControlChars } from './text';

export const CreateSuppressionRequest = v.strictObject({
  email: v.pipe(
    v.string(),
    v.trim(),
    v.toLowerCase(),
    v.maxLength(320),
    v.email('email must be an email address'),
  ),
  /** Mailgrid extra: why, for the tenant's own records. Defaults to `manual`. */
  reason: v.optional(v.pipe(v.string(), NoControlChars, v.trim(), v.minLength(1), v.maxLength(200))),
});
export type CreateSuppressionRequest = v.InferOutput<typeof CreateSuppressionRequest>;

// A suppression is named by its address, so the cursors are addresses (without control or format
// characters: no stored address has them).
export const ListSuppressionsQuery = pageQuery(
  TextId('A suppressed address', /^[^\s@\p{Cc}\p{Cf}]{1,64}@[^\s@\p{Cc}\p{Cf}]{1,255}$/u, 'an email address'),
);
export type ListSuppressionsQuery = v.InferOutput<typeof ListSuppressionsQuery>;

/** Resend's origins; `reason` keeps Mailgrid's detail (e.g. `bounce:Permanent/General`). */
export const SUPPRESSION_ORIGINS = ['bounce', 'complaint', 'manual'] as const;
export type SuppressionOrigin = (typeof SUPPRESSION_ORIGINS)[number];

export const SuppressionObject = v.pipe(
  v.object({
    object: v.literal('suppression'),
    /** The address: one tenant has one suppression per address. */
    id: v.string(),
    email: v.string(),
    origin: v.picklist(SUPPRESSION_ORIGINS),
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
