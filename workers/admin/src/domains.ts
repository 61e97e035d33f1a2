// Domains: create (registers the SES identity and returns the DNS records to publish), list, read,
// update (tracking, return path), verify (DNS-over-HTTPS + SES's own verdict), delete.
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
  type ListDomainsQuery,
  type UpdateDomainRequest,
  unknownCursor,
} from '@mailgrid/contracts';
import {
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
import { type DomainDns, shownRecords, verifyRecords } from './domains-records';
import { createIdentity, deleteIdentity, getIdentity, type SesIdentity, setMailFrom } from './domains-ses';
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
    throw new AppError('conflict', `The domain ${input.name} is registered by another account.`);
  }
  const returnPath = input.custom_return_path ?? DEFAULT_RETURN_PATH;
  const identity = await createIdentity(env, input.name);
  await setMailFrom(env, input.name, `${returnPath}.${input.name}`);
  let id: string;
  try {
    id = await insertDomain(
      db,
      env.DB,
      caller,
      {
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
  return toObject(env, await ownDomain(env, caller, id));
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
  if (Object.values(input).every((field) => field === undefined)) {
    throw new AppError(
      'missing_required_field',
      'Give at least one of open_tracking, click_tracking, tracking_subdomain, tracking_hostname, custom_return_path.',
    );
  }
  const changes: DomainChanges = {};
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
  return toObject(env, await ownDomain(env, caller, id));
}

export async function verifyDomain(env: Env, caller: Caller, id: string): Promise<DomainObject> {
  const row = await ownDomain(env, caller, id);
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
  return toObject(env, await ownDomain(env, caller, id));
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
  // SES first: if it fails nothing has changed and the caller can try again.
  await deleteIdentity(env, row.name);
  await deleteDomainRow(db, env.DB, caller, row);
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

async function ownDomain(env: Env, caller: Caller, id: string): Promise<DomainRow> {
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
    capabilities: { sending: 'enabled', receiving: 'disabled' },
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
