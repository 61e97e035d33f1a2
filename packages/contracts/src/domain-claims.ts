// Resend's Domain Claims API (POST /domains/claim, GET /domains/:id/claim, POST
// /domains/:id/claim/verify): a tenant proves with a DNS TXT record that it controls a domain
// another tenant registered, and takes it over. `domain_id` is the claimant's placeholder domain.
import * as v from 'valibot';
import type { Caller } from './caller';
import { CreateDomainRequest } from './domains';
import type { RpcResult } from './rpc-result';

/** Resend's claim body: the create body without tls/capabilities (the claimed domain starts plain). */
export const ClaimDomainRequest = v.strictObject({
  name: CreateDomainRequest.entries.name,
  region: CreateDomainRequest.entries.region,
  custom_return_path: CreateDomainRequest.entries.custom_return_path,
  open_tracking: CreateDomainRequest.entries.open_tracking,
  click_tracking: CreateDomainRequest.entries.click_tracking,
  tracking_subdomain: CreateDomainRequest.entries.tracking_subdomain,
});
export type ClaimDomainRequest = v.InferOutput<typeof ClaimDomainRequest>;

export const DOMAIN_CLAIM_STATUSES = [
  'pending',
  'verified',
  'completed',
  'blocked',
  'expired',
  'superseded',
  'canceled',
  'failed',
] as const;
export type DomainClaimStatus = (typeof DOMAIN_CLAIM_STATUSES)[number];

export const DOMAIN_CLAIM_BLOCKED_REASONS = [
  'grace_period',
  'recent_owner_activity',
  'pending_scheduled_emails',
] as const;

/** How long a claim may wait for its TXT record before it expires (Resend's: a week). */
export const DOMAIN_CLAIM_TTL_DAYS = 7;

export const DomainClaimObject = v.pipe(
  v.object({
    object: v.literal('domain_claim'),
    id: v.string(),
    name: v.string(),
    status: v.picklist(DOMAIN_CLAIM_STATUSES),
    domain_id: v.nullable(v.string()),
    region: v.nullable(v.string()),
    record: v.object({
      type: v.literal('TXT'),
      name: v.string(),
      value: v.string(),
      ttl: v.literal('Auto'),
    }),
    blocked_reason: v.nullable(v.picklist(DOMAIN_CLAIM_BLOCKED_REASONS)),
    failure_reason: v.nullable(v.string()),
    created_at: v.string(),
    expires_at: v.string(),
  }),
  v.title('DomainClaim'),
  v.description(
    'A claim on a domain another account registered: publish `record`, then verify; `completed` moves the domain.',
  ),
);
export type DomainClaimObject = v.InferOutput<typeof DomainClaimObject>;

export interface DomainClaimsAdminRpc {
  /** Creates the placeholder domain and the claim; refused (conflict) when nobody else holds the name. */
  claimDomain(caller: Caller, input: ClaimDomainRequest): Promise<RpcResult<DomainClaimObject>>;
  /** The newest claim of a placeholder domain. */
  getDomainClaim(caller: Caller, domainId: string): Promise<RpcResult<DomainClaimObject>>;
  /** Looks the TXT record up now; found and safe, the domain moves to the claimant at once. */
  verifyDomainClaim(caller: Caller, domainId: string): Promise<RpcResult<DomainClaimObject>>;
}
