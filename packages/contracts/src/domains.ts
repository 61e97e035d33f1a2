// Resend's Domains API (POST/GET /domains, GET/PATCH/DELETE /domains/:id, POST /domains/:id/verify)
// plus Mailgrid's extra `tracking_hostname`. A domain is an SES identity with Easy DKIM and a custom
// MAIL FROM subdomain; its `records` are the DNS records to publish, each with what the last verify saw.
import * as v from 'valibot';
import type { Caller } from './caller';
import { pageQuery, UuidId } from './paging';
import type { RpcResult } from './rpc-result';
import { DeletedRef, ListOf } from './shapes';

/** Resend's regions. A Mailgrid deployment sends through one SES region (checked by admin). */
export const DOMAIN_REGIONS = ['us-east-1', 'eu-west-1', 'sa-east-1', 'ap-northeast-1'] as const;
export type DomainRegion = (typeof DOMAIN_REGIONS)[number];

/** The MAIL FROM label when none is given, as Resend's. */
export const DEFAULT_RETURN_PATH = 'send';

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
/** Two labels or more, the last one alphabetic (or punycode): `example.com`, `mail.example.co.uk`. */
export const HOSTNAME_PATTERN = new RegExp(`^(?:${LABEL}\\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$`);
const LABEL_PATTERN = new RegExp(`^${LABEL}$`);

const Hostname = (field: string, example: string) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.toLowerCase(),
    v.maxLength(253, `${field} must be at most 253 characters`),
    v.regex(HOSTNAME_PATTERN, `${field} must be a host name such as ${example}`),
  );
const Label = (field: string, example: string) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.toLowerCase(),
    v.regex(
      LABEL_PATTERN,
      `${field} must be one DNS label (letters, digits, inner hyphens), e.g. ${example}`,
    ),
  );

/** Resend's `tls`: SES's TLS policy for the domain's mail (OPTIONAL / REQUIRE). */
export const DOMAIN_TLS = ['opportunistic', 'enforced'] as const;
export type DomainTls = (typeof DOMAIN_TLS)[number];
const Tls = v.picklist(DOMAIN_TLS, `tls must be one of ${DOMAIN_TLS.join(', ')}`);

/**
 * The SES configuration set of a domain with `tls: enforced` (TlsPolicy REQUIRE): admin creates it,
 * send sends that domain's mail with it. Named by the domain's id: SES allows 64 characters.
 */
export function domainConfigurationSet(domainId: string): string {
  return `mailgrid-domain-${domainId}`;
}

export const CAPABILITY_STATUSES = ['enabled', 'disabled'] as const;
export type CapabilityStatus = (typeof CAPABILITY_STATUSES)[number];
const Capability = (field: string) =>
  v.picklist(CAPABILITY_STATUSES, `capabilities.${field} must be enabled or disabled`);
/** Resend's `capabilities`, either half may be left out. */
const CapabilitiesInput = v.strictObject(
  { sending: v.optional(Capability('sending')), receiving: v.optional(Capability('receiving')) },
  'capabilities takes only sending and receiving',
);

export const CreateDomainRequest = v.strictObject({
  name: Hostname('name', 'example.com'),
  region: v.optional(v.picklist(DOMAIN_REGIONS, `region must be one of ${DOMAIN_REGIONS.join(', ')}`)),
  custom_return_path: v.optional(Label('custom_return_path', DEFAULT_RETURN_PATH)),
  open_tracking: v.optional(v.boolean('open_tracking must be true or false')),
  click_tracking: v.optional(v.boolean('click_tracking must be true or false')),
  /** Resend's: a label under the domain (`links` → links.example.com). */
  tracking_subdomain: v.optional(Label('tracking_subdomain', 'links')),
  /** Mailgrid's: the whole host, which must be the domain's own subdomain. */
  tracking_hostname: v.optional(Hostname('tracking_hostname', 'links.example.com')),
  tls: v.optional(Tls),
  capabilities: v.optional(CapabilitiesInput),
});
export type CreateDomainRequest = v.InferOutput<typeof CreateDomainRequest>;

/** `undefined` leaves a field as it is; `null` clears a tracking setting back to "not set". */
export const UpdateDomainRequest = v.strictObject({
  open_tracking: v.nullish(v.boolean('open_tracking must be true or false')),
  click_tracking: v.nullish(v.boolean('click_tracking must be true or false')),
  tracking_subdomain: v.nullish(Label('tracking_subdomain', 'links')),
  tracking_hostname: v.nullish(Hostname('tracking_hostname', 'links.example.com')),
  custom_return_path: v.optional(Label('custom_return_path', DEFAULT_RETURN_PATH)),
  tls: v.optional(Tls),
  capabilities: v.optional(CapabilitiesInput),
});
export type UpdateDomainRequest = v.InferOutput<typeof UpdateDomainRequest>;

export const ListDomainsQuery = pageQuery(UuidId('a domain'));
export type ListDomainsQuery = v.InferOutput<typeof ListDomainsQuery>;

export const DOMAIN_STATUSES = ['not_started', 'pending', 'verified', 'failed', 'temporary_failure'] as const;
export type DomainStatus = (typeof DOMAIN_STATUSES)[number];
export const DOMAIN_RECORD_STATUSES = [
  'not_started',
  'pending',
  'verified',
  'failed',
  'temporary_failure',
] as const;
export type DomainRecordStatus = (typeof DOMAIN_RECORD_STATUSES)[number];

/** One DNS record to publish, in Resend's shape; `name` is relative to the domain, as Resend's. */
export const DomainRecord = v.pipe(
  v.object({
    /** DMARC is Mailgrid's suggestion: shown and checked, but not required for `verified`. */
    record: v.picklist(['SPF', 'DKIM', 'DMARC', 'Tracking']),
    name: v.string(),
    type: v.picklist(['MX', 'TXT', 'CNAME']),
    value: v.string(),
    ttl: v.string(),
    status: v.picklist(DOMAIN_RECORD_STATUSES),
    priority: v.optional(v.number()),
  }),
  v.title('DomainRecord'),
  v.description(
    'One DNS record to publish, with what the last verify found; `name` is relative to the domain.',
  ),
);
export type DomainRecord = v.InferOutput<typeof DomainRecord>;

export const DomainSummary = v.pipe(
  v.object({
    object: v.literal('domain'),
    id: v.string(),
    name: v.string(),
    status: v.picklist(DOMAIN_STATUSES),
    region: v.string(),
    created_at: v.string(),
    /** Sending may be switched off; Mailgrid does not receive mail, so receiving is always disabled. */
    capabilities: v.object({ sending: v.picklist(CAPABILITY_STATUSES), receiving: v.literal('disabled') }),
    /** SES's TLS policy for its mail: `enforced` delivers only over TLS. */
    tls: v.picklist(DOMAIN_TLS),
    open_tracking: v.boolean(),
    click_tracking: v.boolean(),
    /** The tracking host's label under the domain, as Resend's `tracking_subdomain`; null if default. */
    tracking_subdomain: v.nullable(v.string()),
    /** Mailgrid extra: the whole tracking host, or null for the default one. */
    tracking_hostname: v.nullable(v.string()),
    /** The MAIL FROM label: bounces return to `<custom_return_path>.<name>`. */
    custom_return_path: v.string(),
  }),
  v.title('DomainSummary'),
  v.description('A sending domain as listed, without its DNS records.'),
);
export type DomainSummary = v.InferOutput<typeof DomainSummary>;

export const DomainObject = v.pipe(
  v.object({
    ...DomainSummary.entries,
    records: v.array(DomainRecord),
    /** Mailgrid extra: when the records were last checked (verify), or null. */
    last_checked_at: v.nullable(v.string()),
  }),
  v.title('DomainObject'),
  v.description('A sending domain (an SES identity) with the DNS records to publish.'),
);
export type DomainObject = v.InferOutput<typeof DomainObject>;

export const DomainList = v.pipe(
  ListOf(DomainSummary),
  v.title('DomainList'),
  v.description('A page of sending domains.'),
);
export type DomainList = v.InferOutput<typeof DomainList>;

export const DeletedDomain = DeletedRef('domain');
export type DeletedDomain = v.InferOutput<typeof DeletedDomain>;

export interface DomainsAdminRpc {
  /** Registers the SES identity (Easy DKIM, custom MAIL FROM) and returns the records to publish. */
  createDomain(caller: Caller, input: CreateDomainRequest): Promise<RpcResult<DomainObject>>;
  listDomains(caller: Caller, query: ListDomainsQuery): Promise<RpcResult<DomainList>>;
  getDomain(caller: Caller, id: string): Promise<RpcResult<DomainObject>>;
  updateDomain(caller: Caller, id: string, input: UpdateDomainRequest): Promise<RpcResult<DomainObject>>;
  /** Checks every record over DNS-over-HTTPS and the identity at SES, and stores what it found. */
  verifyDomain(caller: Caller, id: string): Promise<RpcResult<DomainObject>>;
  /** Refused (conflict) while a live API key is restricted to the domain. */
  deleteDomain(caller: Caller, id: string): Promise<RpcResult<DeletedDomain>>;
}
