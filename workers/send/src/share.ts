// POST /emails/:id/share and the page behind its link: a signed, expiring token naming one email of
// one tenant. Opening it reads that email only (tenant-scoped like every read) and hands the gateway
// its envelope and bodies to show.
import {
  AppError,
  type Caller,
  SHARE_DEFAULT_SECONDS,
  SHARE_MAX_SECONDS,
  type SharedEmail,
  type ShareEmailRequest,
  type ShareEmailResponse,
} from '@mailgrid/contracts';
import { createDb, getEmail } from '@mailgrid/db';
import { readBody } from './body-store';
import { personalise } from './broadcasts/content';
import { signLink, verifyLink } from './email-links';
import type { Env } from './env';

const UNIT_SECONDS: Record<string, number> = {
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
  w: 604_800,
  week: 604_800,
  weeks: 604_800,
};

/** Resend's `expires_in` ("2 hours", "30 minutes", "7d"): seconds, at least a minute, at most 30 days. */
export function parseExpiresIn(value: string | undefined): number {
  if (value === undefined) return SHARE_DEFAULT_SECONDS;
  const match = /^\s*(\d{1,6})\s*([a-z]+)\s*$/i.exec(value);
  const unit = match ? UNIT_SECONDS[(match[2] as string).toLowerCase()] : undefined;
  if (!match || unit === undefined || Number(match[1]) === 0) {
    throw new AppError(
      'validation_error',
      `expires_in must be a number and a unit, such as "2 hours", "30 minutes" or "7 days" (got ${JSON.stringify(value)}).`,
    );
  }
  const seconds = Number(match[1]) * unit;
  if (seconds > SHARE_MAX_SECONDS) {
    throw new AppError(
      'validation_error',
      `expires_in may be at most 30 days (got ${JSON.stringify(value)}).`,
    );
  }
  return seconds;
}

export async function shareEmail(
  env: Env,
  caller: Caller,
  emailId: string,
  input: ShareEmailRequest,
  origin: string,
  now = new Date(),
): Promise<ShareEmailResponse> {
  const seconds = parseExpiresIn(input.expires_in);
  const row = await getEmail(createDb(env.DB), caller.tenant_id, emailId);
  if (!row) throw new AppError('not_found', `Email ${emailId} not found.`);
  const expiresAt = Math.floor(now.getTime() / 1000) + seconds;
  const token = await signLink(env, {
    kind: 'share',
    tenant_id: row.tenant_id,
    email_id: row.id,
    expires_at: expiresAt,
  });
  return {
    object: 'email',
    id: row.id,
    url: `${origin}/api/public/emails/${token}`,
    expires_at: new Date(expiresAt * 1000).toISOString(),
  };
}

export async function openSharedEmail(env: Env, token: string): Promise<SharedEmail> {
  const claims = await verifyLink(env, token, 'share');
  const row = await getEmail(createDb(env.DB), claims.tenant_id, claims.email_id);
  if (!row) throw new AppError('not_found', 'This email no longer exists.');
  const body = await readBody(env, row);
  // A broadcast recipient's copy shows its own merge values; the unsubscribe link is left out.
  const shown = body ? personalise(body, row, '') : { subject: row.subject, html: null, text: null };
  return {
    id: row.id,
    from: row.from_address,
    to: JSON.parse(row.to_addresses) as string[],
    subject: shown.subject,
    date: row.sent_at ?? row.created_at,
    html: shown.html,
    text: shown.text,
    expires_at: new Date(claims.expires_at * 1000).toISOString(),
  };
}
