// Resend's Usage API (GET /usage): this period's sends against the tenant's quotas, and its counts.
// Mailgrid has no monthly plan, contact cap, AI credits or automations. An unlimited quota is `null`
// where Resend's type allows it; where its type promises a number it is UNLIMITED, the largest
// number JSON carries exactly, so `used < limit` holds as it should.
import * as v from 'valibot';
import type { Caller } from './caller';
import type { RpcResult } from './rpc-result';

/** An unlimited quota where Resend's type has no null (Number.MAX_SAFE_INTEGER). */
export const UNLIMITED = Number.MAX_SAFE_INTEGER;

const Count = v.object({ used: v.number(), limit: v.nullable(v.number()) });
const Period = (limit: v.GenericSchema<number | null>) =>
  v.object({
    used: v.number(),
    limit,
    sent: v.number(),
    received: v.number(),
    resets_at: v.string(),
  });

export const UsageObject = v.pipe(
  v.object({
    object: v.literal('usage'),
    emails: v.object({ daily: Period(v.nullable(v.number())), monthly: Period(v.number()) }),
    contacts: v.object({ used: v.number(), limit: v.number() }),
    segments: Count,
    broadcasts: v.object({ used: v.number(), limit: v.null() }),
    ai_credits: v.object({
      used: v.number(),
      limit: v.nullable(v.number()),
      next_increase_at: v.nullable(v.string()),
    }),
    automation_runs: v.object({ used: v.number(), limit: v.number(), resets_at: v.string() }),
    domains: Count,
    rate_limit: v.object({ limit: v.number(), duration: v.string() }),
  }),
  v.title('Usage'),
  v.description("This period's sends against the account's quotas, and what it holds."),
);
export type UsageObject = v.InferOutput<typeof UsageObject>;

export interface UsageAdminRpc {
  getUsage(caller: Caller): Promise<RpcResult<UsageObject>>;
}
