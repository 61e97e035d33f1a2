// The DNS records a domain publishes (Resend's `records`), and how one verify judges them: each
// record against what DNS-over-HTTPS finds and what SES reports, then the domain as a whole.
import type { DomainRecord, DomainRecordStatus, DomainStatus } from '@mailgrid/contracts';
import { type Lookup, lookup, type RecordType } from './domains-dns';
import type { SesIdentity } from './domains-ses';
import type { Env } from './env';

export const SPF_VALUE = 'v=spf1 include:amazonses.com ~all';
export const DMARC_VALUE = 'v=DMARC1; p=none;';

export interface DomainDns {
  name: string;
  region: string;
  returnPath: string;
  dkimTokens: string[];
  /** The domain's own tracking host and the tracking worker's host it must CNAME to, when both are set. */
  tracking: { hostname: string; target: string } | null;
}

/** A record to publish, with its stable key (record_status is stored by it) and its full name. */
export interface PlannedRecord extends Omit<DomainRecord, 'status'> {
  key: string;
  fqdn: string;
  /** Required for `verified`; the DMARC suggestion is not. */
  required: boolean;
}

export function plannedRecords(domain: DomainDns): PlannedRecord[] {
  const mailFrom = `${domain.returnPath}.${domain.name}`;
  const records: PlannedRecord[] = [
    {
      key: 'spf_mx',
      record: 'SPF',
      name: domain.returnPath,
      fqdn: mailFrom,
      type: 'MX',
      value: `feedback-smtp.${domain.region}.amazonses.com`,
      priority: 10,
      ttl: 'Auto',
      required: true,
    },
    {
      key: 'spf_txt',
      record: 'SPF',
      name: domain.returnPath,
      fqdn: mailFrom,
      type: 'TXT',
      value: SPF_VALUE,
      ttl: 'Auto',
      required: true,
    },
    ...domain.dkimTokens.map(
      (token, index): PlannedRecord => ({
        key: `dkim:${index}`,
        record: 'DKIM',
        name: `${token}._domainkey`,
        fqdn: `${token}._domainkey.${domain.name}`,
        type: 'CNAME',
        value: `${token}.dkim.amazonses.com`,
        ttl: 'Auto',
        required: true,
      }),
    ),
    {
      key: 'dmarc',
      record: 'DMARC',
      name: '_dmarc',
      fqdn: `_dmarc.${domain.name}`,
      type: 'TXT',
      value: DMARC_VALUE,
      ttl: 'Auto',
      required: false,
    },
  ];
  if (domain.tracking) {
    // Links and pixels of this domain's emails point at its own host, which must reach the tracking
    // worker. Not required for sending: until it resolves, tracked links would not, so the status shows it.
    records.push({
      key: 'tracking',
      record: 'Tracking',
      name: domain.tracking.hostname.slice(0, -domain.name.length - 1),
      fqdn: domain.tracking.hostname,
      type: 'CNAME',
      value: domain.tracking.target,
      ttl: 'Auto',
      required: false,
    });
  }
  return records;
}

/** The records as the API shows them: each with its status from the last verify (else not_started). */
export function shownRecords(
  domain: DomainDns,
  statuses: Record<string, DomainRecordStatus>,
): DomainRecord[] {
  return plannedRecords(domain).map(({ key, fqdn, required, ...record }) => ({
    ...record,
    status: statuses[key] ?? 'not_started',
  }));
}

export interface Verification {
  status: DomainStatus;
  records: Record<string, DomainRecordStatus>;
}

export async function verifyRecords(
  env: Env,
  domain: DomainDns,
  identity: SesIdentity,
): Promise<Verification> {
  const planned = plannedRecords(domain);
  const found = await Promise.all(
    planned.map(async (record) =>
      isPublished(record, await lookup(env, record.fqdn, record.type as RecordType)),
    ),
  );
  const records: Record<string, DomainRecordStatus> = {};
  planned.forEach((record, index) => {
    const published = found[index] ?? null;
    const sesStatus =
      record.record === 'DKIM'
        ? identity.dkimStatus
        : record.record === 'SPF'
          ? identity.mailFromStatus
          : null;
    records[record.key] = recordStatus(published, record.record === 'DKIM', sesStatus);
  });
  const required = planned.filter((record) => record.required).map((record) => records[record.key]);
  let status: DomainStatus;
  if (
    identity.dkimStatus === 'SUCCESS' &&
    domain.dkimTokens.length > 0 &&
    required.every((s) => s === 'verified')
  ) {
    status = 'verified';
  } else if (identity.dkimStatus === 'FAILED') {
    status = 'failed';
  } else if (identity.dkimStatus === 'TEMPORARY_FAILURE' || required.includes('temporary_failure')) {
    status = 'temporary_failure';
  } else {
    status = 'pending';
  }
  return { status, records };
}

/** Published: true/false; null when the resolver could not answer. */
function isPublished(record: PlannedRecord, values: Lookup): boolean | null {
  if (values === null) return null;
  switch (record.key) {
    case 'spf_mx':
      // `10 feedback-smtp.us-east-1.amazonses.com`: any priority will do.
      return values.some((value) => value.split(/\s+/).at(-1) === record.value);
    case 'spf_txt':
      return values.some((value) => /^v=spf1\s/i.test(value) && /\binclude:amazonses\.com\b/i.test(value));
    case 'dmarc':
      return values.some((value) => /^v=DMARC1\s*;/i.test(value));
    default:
      return values.includes(record.value);
  }
}

function recordStatus(
  published: boolean | null,
  isDkim: boolean,
  ses: SesIdentity['dkimStatus'] | null,
): DomainRecordStatus {
  if (published === null) return 'temporary_failure';
  if (published) {
    // A DKIM record counts once SES has seen it too (SES signs only then).
    return !isDkim || ses === 'SUCCESS' ? 'verified' : 'pending';
  }
  return ses === 'FAILED' ? 'failed' : 'pending';
}
