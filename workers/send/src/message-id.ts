// The Message-ID an email's recipients got, for GET /emails/:id (`message_id`). deliver.ts writes
// `<email id@sending domain>`, and a local SES keeps it; Amazon SES replaces any Message-ID it is
// given with its own, `<SES message id@email.amazonses.com>` (us-east-1) or `@<region>.amazonses.com`.
// Both halves are stored already (the row's id and from address; `ses_message_id` once sent), so the
// header is derived, not stored twice. An email sent as one copy per reader reports its first copy's.

import type { EmailRow } from '@mailgrid/db';
import { parseAddress } from '@mailgrid/mime';
import { config, type Env } from './env';

/** The header Mailgrid writes (deliver.ts): the email's id at its sending domain. */
export function ownMessageId(row: Pick<EmailRow, 'id' | 'from_address'>): string | null {
  const from = parseAddress(row.from_address);
  if (!from) return null;
  return `<${row.id}@${from.email.slice(from.email.lastIndexOf('@') + 1)}>`;
}

export function messageIdOf(
  env: Env,
  row: Pick<EmailRow, 'id' | 'from_address' | 'ses_message_id'>,
): string | null {
  if (!row.ses_message_id) return null;
  const { SES_ENDPOINT, SES_REGION } = config(env);
  if (!isAmazonSes(SES_ENDPOINT)) return ownMessageId(row);
  const host = SES_REGION === 'us-east-1' ? 'email' : SES_REGION;
  return `<${row.ses_message_id}@${host}.amazonses.com>`;
}

function isAmazonSes(endpoint: string): boolean {
  const { hostname } = new URL(endpoint);
  return hostname.endsWith('.amazonaws.com') || hostname.endsWith('.amazonaws.com.cn');
}
