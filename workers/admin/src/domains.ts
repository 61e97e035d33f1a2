// Domains: create (registers the SES identity and returns the DNS records to publish), list, read,
// update (tracking, return path, TLS policy, sending on/off), verify (DNS-over-HTTPS + SES's own
// verdict), delete. A claim's placeholder domain (domain-claims.ts) can only be read or deleted.
import {
  AppError,
  type Caller,
  type CreateDomainRequest,
  DEFAULT_RETURN_PATH,
  type DeletedDomain,
  type DomainList,
  type DomainObject,
  type DomainRecordStatus,
  type DomainSummary,
  domainConfigurationSet,
  type ListDomainsQuery,
  type UpdateDomainRequest,
  unknownCursor,
} from '@mailgrid/contracts';
import {
  cancelDomainClaims,
  changeDomain,
  createDb,
  type DomainChanges,
  type DomainRow,
  deleteDomainRow,
  findDomainRowByName,
  getDomainRow,
  insertDomain,
  keysRestrictedToDomain,
  listDomainRows,
  nowIso,
} from '@mailgrid/db';
import { domainNameTakenElsewhere } from '@mailgrid/db/cross-tenant';
import { emitDomainEvent } from './domain-events';
import { type DomainDns, shownRecords, verifyRecords } from './domains-records';
import {
  createIdentity,
  deleteIdentity,
  getIdentity,
  type SesIdentity,
  setMailFrom,
  setTlsPolicy,
} from './domains-ses';
import { config, type Env } from './env';

export async function createDomain(
  env: Env,
  caller: Caller,
  input: CreateDomainRequest,
): Promise<DomainObject> {
  const db = createDb(env.DB);
  const { SES_REGION } = config(env);
  const region = input.region ?? SES_REGION;
  if (region !== SES_REGION) {
    throw new AppError(
      'invalid_parameter',
      `region: ${region} is not available here; this Mailgrid sends through SES in ${SES_REGION}.`,
    );
  }
  const trackingHostname = trackingHost(input.name, input.tracking_subdomain, input.tracking_hostname);
  const existing = await findDomainRowByName(db, caller.tenant_id, input.name);
  if (existing && existing.deleted_at === null) {
    throw new AppError('conflict', `You already have the domain ${input.name} (${existing.id}).`);
  }
  if (await domainNameTakenElsewhere(db, caller.tenant_id, input.name)) {
    throw new AppError(
      'conflict',
      `The domain ${input.name} is registered by another account. If it is yours, claim it: POST /domains/claim proves it over DNS and moves it to you.`,
    );
  }
  const sending = capabilitiesOf(input.capabilities);
  const returnPath = input.custom_return_path ?? DEFAULT_RETURN_PATH;
  const identity = await createIdentity(env, input.name);
  await setMailFrom(env, input.name, `${returnPath}.${input.name}`);
  const newId = existing?.id ?? crypto.randomUUID();
  const tls = input.tls ?? 'opportunistic';
  if (tls === 'enforced') await setTlsPolicy(env, domainConfigurationSet(newId), tls);
  let id: string;
  try {
    id = await insertDomain(
      db,
      env.DB,
      caller,
      {
        id: newId,
        tls,
        sending: sending ?? 'enabled',
        name: input.name,
        region,
        custom_return_path: returnPath,
        open_tracking: flag(input.open_tracking),
        click_tracking: flag(input.click_tracking),
        tracking_hostname: trackingHostname ?? null,
        dkim_tokens: identity.dkimTokens,
      },
      existing?.id ?? null,
    );
  } catch (err) {
    // Two creates of one name at once: the table's unique (tenant, name) lets one through.
    if (/UNIQUE constraint failed/i.test(String(err))) {
      throw new AppError('conflict', `You already have the domain ${input.name}.`);
    }
    throw err;
  }
  const created = toObject(env, await ownDomain(env, caller, id));
  await emitDomainEvent(env, caller.tenant_id, 'domain.created', created);
  return created;
}

export async function listDomains(env: Env, caller: Caller, query: ListDomainsQuery): Promise<DomainList> {
  const page = await listDomainRows(createDb(env.DB), caller.tenant_id, query);
  if (!page) throw unknownCursor(query, 'domain');
  return { object: 'list', has_more: page.has_more, data: page.rows.map(toSummary) };
}

export async function getDomain(env: Env, caller: Caller, id: string): Promise<DomainObject> {
  return toObject(env, await ownDomain(env, caller, id));
}

export async function updateDomain(
  env: Env,
  caller: Caller,
  id: string,
  input: UpdateDomainRequest,
): Promise<DomainObject> {
  const row = await ownDomain(env, caller, id);
  refuseIfClaimPending(row, 'changed');
  if (Object.values(input).every((field) => field === undefined)) {
    throw new AppError(
      'missing_required_field',
      'Give at least one of open_tracking, click_tracking, tracking_subdomain, tracking_hostname, custom_return_path, tls, capabilities.',
    );
  }
  const changes: DomainChanges = {};
  const sending = capabilitiesOf(input.capabilities);
  if (sending !== undefined && sending !== row.sending) changes.sending = sending;
  if (input.tls !== undefined && input.tls !== row.tls) {
    // SES first: if it refuses, nothing has changed here.
    await setTlsPolicy(env, domainConfigurationSet(row.id), input.tls);
    changes.tls = input.tls;
  }
  if (input.open_tracking !== undefined) changes.open_tracking = flag(input.open_tracking);
  if (input.click_tracking !== undefined) changes.click_tracking = flag(input.click_tracking);
  if (input.tracking_subdomain !== undefined || input.tracking_hostname !== undefined) {
    const cleared = input.tracking_subdomain === null || input.tracking_hostname === null;
    const host = trackingHost(
      row.name,
      input.tracking_subdomain ?? undefined,
      input.tracking_hostname ?? undefined,
    );
    changes.tracking_hostname = host ?? (cleared ? null : row.tracking_hostname);
  }
  if (input.custom_return_path !== undefined && input.custom_return_path !== returnPathOf(row)) {
    changes.custom_return_path = input.custom_return_path;
    await setMailFrom(env, row.name, `${input.custom_return_path}.${row.name}`);
    // The new MAIL FROM's records are unchecked: they start over.
    const statuses = recordStatuses(row);
    delete statuses.spf_mx;
    delete statuses.spf_txt;
    changes.record_status = JSON.stringify(statuses);
  }
  // The same values again change nothing and are not audited.
  if (Object.keys(changes).length === 0) return toObject(env, row);
  const { record_status: _, ...summary } = changes;
  await changeDomain(createDb(env.DB), env.DB, caller, id, changes, { action: 'domain.updated', summary });
  const updated = toObject(env, await ownDomain(env, caller, id));
  await emitDomainEvent(env, caller.tenant_id, 'domain.updated', updated);
  return updated;
}

export async function verifyDomain(env: Env, caller: Caller, id: string): Promise<DomainObject> {
  const row = await ownDomain(env, caller, id);
  refuseIfClaimPending(row, 'verified');
  const identity = await ensureIdentity(env, row);
  const dns: DomainDns = { ...dnsOf(env, row), dkimTokens: identity.dkimTokens };
  const verification = await verifyRecords(env, dns, identity);
  const now = nowIso();
  await changeDomain(
    createDb(env.DB),
    env.DB,
    caller,
    id,
    {
      status: verification.status,
      record_status: JSON.stringify(verification.records),
      last_checked_at: now,
      dkim_tokens: JSON.stringify(identity.dkimTokens),
      // Kept across re-checks while it stays verified; gone once it is not.
      verified_at: verification.status === 'verified' ? (row.verified_at ?? now) : null,
    },
    {
      action: 'domain.verification_checked',
      summary: { status: { from: row.status, to: verification.status }, records: verification.records },
    },
  );
  const checked = toObject(env, await ownDomain(env, caller, id));
  // A check that moves the status (to verified, or back to failed) is a change a webhook hears of.
  if (verification.status !== row.status) {
    await emitDomainEvent(env, caller.tenant_id, 'domain.updated', checked);
  }
  return checked;
}

export async function deleteDomain(env: Env, caller: Caller, id: string): Promise<DeletedDomain> {
  const row = await ownDomain(env, caller, id);
  const db = createDb(env.DB);
  const keys = await keysRestrictedToDomain(db, caller.tenant_id, id);
  if (keys.length > 0) {
    throw new AppError(
      'conflict',
      `API key${keys.length > 1 ? 's' : ''} ${keys.map((name) => `"${name}"`).join(', ')} may only send from ${row.name}; delete ${keys.length > 1 ? 'them' : 'it'} first.`,
    );
  }
  if (row.pending_claim_id) {
    // Deleting a claim's placeholder cancels the claim (as Resend's); the SES identity is the
    // current owner's and stays.
    await cancelDomainClaims(db, caller.tenant_id, id);
    await deleteDomainRow(db, env.DB, caller, row);
    await emitDomainEvent(env, caller.tenant_id, 'domain.deleted', toObject(env, row));
    return { object: 'domain', id, deleted: true };
  }
  // SES first: if it fails nothing has changed and the caller can try again.
  if (row.tls === 'enforced') await setTlsPolicy(env, domainConfigurationSet(row.id), 'opportunistic');
  await deleteIdentity(env, row.name);
  await deleteDomainRow(db, env.DB, caller, row);
  await emitDomainEvent(env, caller.tenant_id, 'domain.deleted', toObject(env, row));
  return { object: 'domain', id, deleted: true };
}

/**
 * The identity SES has for the domain. Rows from before the Domains API (seeded verified domains)
 * may have none: verifying one registers it, as a create would have.
 */
async function ensureIdentity(env: Env, row: DomainRow): Promise<SesIdentity> {
  const mailFrom = `${returnPathOf(row)}.${row.name}`;
  let identity = await getIdentity(env, row.name);
  if (!identity) {
    identity = await createIdentity(env, row.name);
  }
  if (identity.mailFromDomain !== mailFrom) {
    await setMailFrom(env, row.name, mailFrom);
    identity = { ...identity, mailFromDomain: mailFrom, mailFromStatus: 'PENDING' };
  }
  return identity;
}

/** A claim's placeholder has no identity of its own yet: it waits for its claim (domain-claims.ts). */
function refuseIfClaimPending(row: DomainRow, what: string): void {
  if (!row.pending_claim_id) return;
  throw new AppError(
    'conflict',
    `Domain ${row.id} is the placeholder of a pending claim on ${row.name}: it cannot be ${what} until the claim completes (POST /domains/${row.id}/claim/verify).`,
  );
}

/**
 * Resend's capabilities as Mailgrid has them: sending on or off (undefined: not given). Mailgrid
 * does not receive mail, so asking for receiving is refused rather than shown and not done.
 */
function capabilitiesOf(
  capabilities: CreateDomainRequest['capabilities'],
): 'enabled' | 'disabled' | undefined {
  if (capabilities?.receiving === 'enabled') {
    throw new AppError(
      'invalid_parameter',
      'capabilities.receiving: Mailgrid does not receive email; only sending can be enabled.',
    );
  }
  return capabilities?.sending;
}

export async function ownDomain(env: Env, caller: Caller, id: string): Promise<DomainRow> {
  const row = await getDomainRow(createDb(env.DB), caller.tenant_id, id);
  if (!row) throw new AppError('not_found', `Domain ${id} not found.`);
  return row;
}

/** The tracking host from Resend's label or Mailgrid's whole host; it must be the domain's own. */
function trackingHost(domain: string, subdomain?: string, hostname?: string): string | undefined {
  if (subdomain !== undefined && hostname !== undefined && hostname !== `${subdomain}.${domain}`) {
    throw new AppError('invalid_parameter', 'Give tracking_subdomain or tracking_hostname, not both.');
  }
  if (subdomain !== undefined) return `${subdomain}.${domain}`;
  if (hostname !== undefined && !hostname.endsWith(`.${domain}`)) {
    throw new AppError(
      'invalid_parameter',
      `tracking_hostname must be a subdomain of ${domain}, e.g. links.${domain}.`,
    );
  }
  return hostname;
}

function flag(value: boolean | null | undefined): number | null {
  return value === undefined || value === null ? null : value ? 1 : 0;
}

function returnPathOf(row: DomainRow): string {
  return row.custom_return_path ?? DEFAULT_RETURN_PATH;
}

function dnsOf(env: Env, row: DomainRow): DomainDns {
  const { TRACKING_CNAME_TARGET } = config(env);
  return {
    name: row.name,
    region: row.region,
    returnPath: returnPathOf(row),
    tracking:
      row.tracking_hostname && TRACKING_CNAME_TARGET
        ? { hostname: row.tracking_hostname, target: TRACKING_CNAME_TARGET }
        : null,
    dkimTokens: row.dkim_tokens ? (JSON.parse(row.dkim_tokens) as string[]) : [],
  };
}

function recordStatuses(row: DomainRow): Record<string, DomainRecordStatus> {
  return JSON.parse(row.record_status || '{}') as Record<string, DomainRecordStatus>;
}

function toSummary(row: DomainRow): DomainSummary {
  const tracking = row.tracking_hostname;
  return {
    object: 'domain',
    id: row.id,
    name: row.name,
    status: row.status,
    region: row.region,
    created_at: row.created_at,
    capabilities: { sending: row.sending, receiving: 'disabled' },
    tls: row.tls,
    open_tracking: row.open_tracking === 1,
    click_tracking: row.click_tracking === 1,
    tracking_subdomain: tracking?.endsWith(`.${row.name}`) ? tracking.slice(0, -row.name.length - 1) : null,
    tracking_hostname: tracking,
    custom_return_path: returnPathOf(row),
  };
}

function toObject(env: Env, row: DomainRow): DomainObject {
  return {
    ...toSummary(row),
    records: shownRecords(dnsOf(env, row), recordStatuses(row)),
    last_checked_at: row.last_checked_at,
  };
}
