// The send consumer's claim on emails and the outcomes it records, a queue batch at a time. A queue
// batch mixes tenants, so the batch-wide reads and writes (claimSendBatch, recordSendOutcomes) are in
// cross-tenant.ts, each row matched by its (tenant_id, id) pair; here are their shapes and the one
// per-email write, the claim's renewal between copies.
import type { EmailRow } from '../schema';
import type { SendSettings } from './send-settings';

export interface SendRef {
  tenant_id: string;
  id: string;
}

export interface EmailToSend {
  /** The row as it was before this batch's claim. */
  row: EmailRow;
  /** Undefined when the email's domain is gone. */
  settings: SendSettings | undefined;
}

export interface BatchClaim {
  /** This delivery's claim token, for every email it claims. */
  token: string;
  now: Date;
  /** The claim's lease ends at now + this. */
  leaseMs: number;
  /** How long a claim found run out settles from now (SEND_SETTLE_AFTER_SECONDS). */
  settleMs: number;
}

export interface ClaimedBatch {
  /** Each existing email of the refs, by `refKey`, as read before the claim. */
  found: Map<string, EmailToSend>;
  /** Emails now held under the claim token (sending; `message_date` set if it was not). */
  claimed: Set<string>;
  /** Emails whose run-out claim this batch turned into `settling` (see claims.ts). */
  settling: Set<string>;
}

export const refKey = (ref: SendRef): string => `${ref.tenant_id}/${ref.id}`;

/**
 * Extends a claim this delivery still holds, and records the SES receipts of the copies sent so far
 * (whoever holds the claim now: they are facts, and a longer list never gives way to a shorter). False
 * when another delivery has taken the email since.
 */
export async function renewClaim(
  d1: D1Database,
  tenantId: string,
  id: string,
  token: string,
  leaseMs: number,
  receipts: string[],
): Promise<boolean> {
  const row = await d1
    .prepare(
      `UPDATE emails SET
         claimed_until = CASE WHEN status = 'sending' AND claim_token = ?3 THEN ?4 ELSE claimed_until END,
         ses_receipts = CASE WHEN json_array_length(coalesce(ses_receipts, '[]')) < ?6 THEN ?5 ELSE ses_receipts END
       WHERE tenant_id = ?1 AND id = ?2
       RETURNING status = 'sending' AND claim_token = ?3 AS held`,
    )
    .bind(
      tenantId,
      id,
      token,
      new Date(Date.now() + leaseMs).toISOString(),
      JSON.stringify(receipts),
      receipts.length,
    )
    .first<{ held: number }>();
  return row?.held === 1;
}

/** What one claimed email's attempt came to, to be recorded under its claim token. */
export type SendOutcome = SendRef & {
  token: string;
  /** The message's Date, for a row whose claim did not set it (a broadcast's dispatch). */
  message_date: string;
  /** SES's message ids of the copies it took, in order, when there are any. */
  receipts?: string[];
} & (
    | { kind: 'sent'; ses_message_id: string }
    /** Handed back to the queue for a retry. */
    | { kind: 'released'; error: string }
    /** Outcome unknown: `settling` until `settle_until`, while SES's Send event arrives. */
    | { kind: 'settling'; error: string; settle_until: string }
    | { kind: 'failed'; error: string }
  );
