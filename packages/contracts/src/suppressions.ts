// Resend's Suppressions API: GET/POST /suppressions, DELETE /suppressions/:email. The list sends are
// filtered through: an address on it is left out of every send of the tenant from the next one on.
import * as v from 'valibot';

export const CreateSuppressionRequest = v.strictObject({
  email: v.pipe(
    v.string(),
    v.trim(),
    v.toLowerCase(),
    v.maxLength(320),
    v.email('email must be an email address'),
  ),
  /** Mailgrid extra: why, for the tenant's own records. Defaults to `manual`. */
  reason: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200))),
});
export type CreateSuppressionRequest = v.InferOutput<typeof CreateSuppressionRequest>;

export const ListSuppressionsQuery = v.object({
  limit: v.optional(
    v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1), v.maxValue(100)),
    '20',
  ),
  // A suppression is named by its address, so the cursors are addresses.
  after: v.optional(v.pipe(v.string(), v.maxLength(320))),
  before: v.optional(v.pipe(v.string(), v.maxLength(320))),
});
export type ListSuppressionsQuery = v.InferOutput<typeof ListSuppressionsQuery>;

/** Resend's origins; `reason` keeps Mailgrid's detail (e.g. `bounce:Permanent/General`). */
export type SuppressionOrigin = 'bounce' | 'complaint' | 'manual';

export interface SuppressionObject {
  object: 'suppression';
  /** The address: one tenant has one suppression per address. */
  id: string;
  email: string;
  origin: SuppressionOrigin;
  reason: string;
  created_at: string;
}

export interface SuppressionList {
  object: 'list';
  has_more: boolean;
  data: SuppressionObject[];
}

export interface DeletedSuppression {
  object: 'suppression';
  id: string;
  deleted: true;
}
