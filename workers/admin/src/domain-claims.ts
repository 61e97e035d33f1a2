// Domain claims (Resend's POST /domains/claim, GET /domains/:id/claim, POST /domains/:id/claim/verify).
// A tenant that finds its domain registered by another tenant proves control over DNS — a TXT record
// `mailgrid-domain-verification=<token>` at the domain's apex, looked up over DNS-over-HTTPS as every
// domain check is (domains-dns.ts) — and takes the domain over:
//   - the claim starts a placeholder domain on the claimant's side (no SES identity of its own: SES
//     has one per name, and it is still the owner's);
//   - verify, once the record is there, re-creates the SES identity (fresh DKIM tokens, so the
//     previous owner's published records no longer sign anything) and moves the domain in one D1
//     batch: the previous owner's row becomes a tombstone (history kept, sending refused) with
//     `domain.claimed_away` in its audit log, the placeholder becomes a domain to publish and verify.
// A claim is blocked (pending_scheduled_emails) while the owner still has mail from the domain that
// has not reached SES, so nothing it accepted is stranded; verify again once that mail has gone.
import {
  AppError,
  type Caller,
  type ClaimDomainRequest,
  DEFAULT_RETURN_PATH,
  DOMAIN_CLAIM_TTL_DAYS,
  type DomainClaimObject,
  domainConfigurationSet,
} from '@mailgrid/contracts';
import {
  createDb,
  type DomainClaimRow,
  findDomainRowByName,
  hasUnsentEmailsFrom,
  latestDomainClaim,
  setDomainClaimState,
  startDomainClaim,
} from '@mailgrid/db';
import { findDomainHeldElsewhere, transferClaimedDomain } from '@mailgrid/db/cross-tenant';
import { ownDomain } from './domains';
import { lookup } from './domains-dns';
import { createIdentity, deleteIdentity, setMailFrom, setTlsPolicy } from './domains-ses';
import { config, type Env } from './env';

export const CLAIM_TXT_PREFIX = 'mailgrid-domain-verification=';

export async function claimDomain(
  env: Env,
  caller: Caller,
  input: ClaimDomainRequest,
): Promise<DomainClaimObject> {
  const db = createDb(env.DB);
  const { SES_REGION } = config(env);
  const region = input.region ?? SES_REGION;
  if (region !== SES_REGION) {
    throw new AppError(
      'invalid_parameter',
      `region: ${region} is not available here; this Mailgrid sends through SES in ${SES_REGION}.`,
    );
  }
  const own = await findDomainRowByName(db, caller.tenant_id, input.name);
  if (own && own.deleted_at === null) {
    throw new AppError(
      'conflict',
      own.pending_claim_id
        ? `You already have a claim on ${input.name} (domain ${own.id}); verify it, or delete that domain to cancel it.`
        : `You already have the domain ${input.name} (${own.id}).`,
    );
  }
  if (!(await findDomainHeldElsewhere(db, caller.tenant_id, input.name))) {
    throw new AppError(
      'conflict',
      `No other account has the domain ${input.name}: add it with POST /domains instead of claiming it.`,
    );
  }
  const claimId = crypto.randomUUID();
  const expires = new Date(Date.now() + DOMAIN_CLAIM_TTL_DAYS * 86_400_000).toISOString();
  const domainId = await startDomainClaim(
    db,
    env.DB,
    caller,
    {
      name: input.name,
      region,
      custom_return_path: input.custom_return_path ?? DEFAULT_RETURN_PATH,
      open_tracking: flag(input.open_tracking),
      click_tracking: flag(input.click_tracking),
      tracking_hostname: input.tracking_subdomain ? `${input.tracking_subdomain}.${input.name}` : null,
      dkim_tokens: [],
    },
    { id: claimId, token: randomToken(), expires_at: expires },
    own?.id ?? null,
  );
  return getDomainClaim(env, caller, domainId);
}

export async function getDomainClaim(env: Env, caller: Caller, domainId: string): Promise<DomainClaimObject> {
  return toObject(await ownClaim(env, caller, domainId));
}

export async function verifyDomainClaim(
  env: Env,
  caller: Caller,
  domainId: string,
): Promise<DomainClaimObject> {
  const db = createDb(env.DB);
  const claim = await ownClaim(env, caller, domainId);
  if (!['pending', 'blocked', 'failed'].includes(claim.status)) return toObject(claim);
  if (isExpired(claim)) {
    await setDomainClaimState(db, caller.tenant_id, claim.id, { status: 'expired' });
    return getDomainClaim(env, caller, domainId);
  }
  const record = recordOf(claim);
  const found = await lookup(env, claim.name, 'TXT');
  if (found === null || !found.includes(record.value)) {
    await setDomainClaimState(db, caller.tenant_id, claim.id, {
      status: 'pending',
      failure_reason:
        found === null
          ? 'The DNS lookup of the TXT record failed; verify again in a moment.'
          : `No TXT record "${record.value}" at ${record.name} yet. Publish it, then verify again.`,
    });
    return getDomainClaim(env, caller, domainId);
  }
  const holder = await findDomainHeldElsewhere(db, caller.tenant_id, claim.name);
  if (holder && (await hasUnsentEmailsFrom(db, holder.tenant_id, holder.id))) {
    await setDomainClaimState(db, caller.tenant_id, claim.id, {
      status: 'blocked',
      blocked_reason: 'pending_scheduled_emails',
    });
    return getDomainClaim(env, caller, domainId);
  }
  // SES first: the identity is re-made for the claimant (fresh DKIM tokens). If SES fails midway the
  // claim stays pending and verifying again finishes the job (a missing identity is fine to delete).
  const placeholder = await ownDomain(env, caller, domainId);
  if (holder) {
    if (holder.tls === 'enforced') {
      await setTlsPolicy(env, domainConfigurationSet(holder.id), 'opportunistic');
    }
    await deleteIdentity(env, claim.name);
  }
  const identity = await createIdentity(env, claim.name);
  const returnPath = placeholder.custom_return_path ?? DEFAULT_RETURN_PATH;
  await setMailFrom(env, claim.name, `${returnPath}.${claim.name}`);
  await transferClaimedDomain(db, env.DB, caller, {
    claim_id: claim.id,
    name: claim.name,
    domain_id: domainId,
    dkim_tokens: identity.dkimTokens,
    previous: holder ? { tenant_id: holder.tenant_id, id: holder.id } : null,
  });
  return getDomainClaim(env, caller, domainId);
}

async function ownClaim(env: Env, caller: Caller, domainId: string): Promise<DomainClaimRow> {
  const claim = await latestDomainClaim(createDb(env.DB), caller.tenant_id, domainId);
  if (!claim) throw new AppError('not_found', `No claim for domain ${domainId}.`);
  return claim;
}

function isExpired(claim: DomainClaimRow): boolean {
  return Date.parse(claim.expires_at) < Date.now();
}

function recordOf(claim: DomainClaimRow): DomainClaimObject['record'] {
  return { type: 'TXT', name: claim.name, value: `${CLAIM_TXT_PREFIX}${claim.token}`, ttl: 'Auto' };
}

function toObject(claim: DomainClaimRow): DomainClaimObject {
  // A claim still open past its window reads as expired before anyone verifies it again.
  const open = ['pending', 'blocked', 'failed'].includes(claim.status);
  return {
    object: 'domain_claim',
    id: claim.id,
    name: claim.name,
    status: open && isExpired(claim) ? 'expired' : claim.status,
    domain_id: claim.domain_id,
    region: claim.region,
    record: recordOf(claim),
    blocked_reason: claim.blocked_reason as DomainClaimObject['blocked_reason'],
    failure_reason: claim.failure_reason,
    created_at: claim.created_at,
    expires_at: claim.expires_at,
  };
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function flag(value: boolean | undefined): number | null {
  return value === undefined ? null : value ? 1 : 0;
}
