// Domain claims (migration 0022): a tenant's claim on a domain name another tenant registered. The
// claim starts with a placeholder domain on the claimant's side (a domains row whose
// pending_claim_id names the claim: it cannot send or be verified) and completes by the transfer in
// cross-tenant.ts (transferClaimedDomain), the one write that touches both tenants.
import type { Caller } from '@mailgrid/contracts';
import { type Db, nowIso } from '../client';
import type { DomainClaimStatus, DomainClaimsTable } from '../schema';
import { auditEntry } from './audit-log';
import { insertDomain, type NewDomain } from './domains';

export type DomainClaimRow = DomainClaimsTable & { status: DomainClaimStatus };

export interface NewDomainClaim {
  id: string;
  token: string;
  expires_at: string;
}

/** The placeholder domain and its claim, with their audit entries, in one batch. Returns the domain id. */
export async function startDomainClaim(
  db: Db,
  d1: D1Database,
  caller: Caller,
  placeholder: NewDomain,
  claim: NewDomainClaim,
  tombstoneId: string | null,
): Promise<string> {
  const now = nowIso();
  return insertDomain(
    db,
    d1,
    caller,
    { ...placeholder, pending_claim_id: claim.id },
    tombstoneId,
    (domainId) => [
      db.insertInto('domain_claims').values({
        id: claim.id,
        tenant_id: caller.tenant_id,
        domain_id: domainId,
        name: placeholder.name,
        region: placeholder.region,
        token: claim.token,
        status: 'pending',
        blocked_reason: null,
        failure_reason: null,
        previous_tenant_id: null,
        previous_domain_id: null,
        created_at: now,
        expires_at: claim.expires_at,
        updated_at: now,
      }),
      auditEntry(db, caller, {
        action: 'domain.claim_started',
        target_type: 'domain',
        target_id: domainId,
        summary: { name: placeholder.name, claim_id: claim.id },
      }),
    ],
  );
}

/** The newest claim of one of the tenant's placeholder domains (Resend's "latest claim for a domain"). */
export async function latestDomainClaim(
  db: Db,
  tenantId: string,
  domainId: string,
): Promise<DomainClaimRow | undefined> {
  return (await db
    .selectFrom('domain_claims')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('domain_id', '=', domainId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst()) as DomainClaimRow | undefined;
}

export interface DomainClaimChanges {
  status: DomainClaimStatus;
  blocked_reason?: string | null;
  failure_reason?: string | null;
}

/** A claim's new state (one that does not move the domain: pending again, blocked, expired…). */
export async function setDomainClaimState(
  db: Db,
  tenantId: string,
  id: string,
  changes: DomainClaimChanges,
): Promise<void> {
  await db
    .updateTable('domain_claims')
    .set({ blocked_reason: null, failure_reason: null, ...changes, updated_at: nowIso() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

/** Cancels the open claims of a placeholder domain being deleted (Resend: delete = cancel). */
export async function cancelDomainClaims(db: Db, tenantId: string, domainId: string) {
  return db
    .updateTable('domain_claims')
    .set({ status: 'canceled', updated_at: nowIso() })
    .where('tenant_id', '=', tenantId)
    .where('domain_id', '=', domainId)
    .where('status', 'in', ['pending', 'blocked', 'verified'])
    .execute();
}
