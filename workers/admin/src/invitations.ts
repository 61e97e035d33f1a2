// Invitations: a one-time token (only its SHA-256 is stored) emailed through Mailgrid itself, as the
// platform tenant, with the send worker's accept over RPC.
import { sha256Hex } from '@mailgrid/api-keys';
import {
  type Caller,
  INVITATION_TTL_DAYS,
  type InvitationObject,
  SendEmailRequest,
  type UserRole,
} from '@mailgrid/contracts';
import * as v from 'valibot';
import { config, type Env } from './env';

export interface InvitationToken {
  token: string;
  hash: string;
  expiresAt: string;
}

export async function newInvitationToken(now = new Date()): Promise<InvitationToken> {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const token = `mgi_${btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')}`;
  return {
    token,
    hash: await sha256Hex(token),
    expiresAt: new Date(now.getTime() + INVITATION_TTL_DAYS * 86_400_000).toISOString(),
  };
}

export interface InvitationMail {
  invitationId: string;
  userId: string;
  email: string;
  role: UserRole;
  tenantName: string;
  token: InvitationToken;
}

/**
 * Sends the invitation and answers the invitation object. A failed send does not undo the invitation
 * (re-inviting sends a fresh token); `email_id` is null then and the failure is logged.
 */
export async function sendInvitation(
  env: Env,
  requestId: string,
  mail: InvitationMail,
): Promise<InvitationObject> {
  const invitation: InvitationObject = {
    object: 'invitation',
    id: mail.invitationId,
    user_id: mail.userId,
    email: mail.email,
    role: mail.role,
    expires_at: mail.token.expiresAt,
    email_id: null,
  };
  const platform: Caller = {
    tenant_id: config(env).PLATFORM_TENANT_ID,
    key_id: '',
    key_prefix: '',
    permission: 'sending_access',
    domain_id: null,
    request_id: requestId,
  };
  try {
    const result = await env.SEND.accept(platform, invitationEmail(env, mail), null);
    if (result.ok) return { ...invitation, email_id: result.value.id };
    console.error(
      JSON.stringify({ event: 'invitation.email_failed', request_id: requestId, error: result.error }),
    );
  } catch (err) {
    console.error(
      JSON.stringify({
        event: 'invitation.email_failed',
        request_id: requestId,
        error: err instanceof Error ? err.message : String(err),
      }),
    );
  }
  return invitation;
}

function invitationEmail(env: Env, mail: InvitationMail): SendEmailRequest {
  const article = mail.role === 'owner' || mail.role === 'admin' ? 'an' : 'a';
  const text = [
    `You have been invited to join ${mail.tenantName} on Mailgrid as ${article} ${mail.role}.`,
    '',
    `Your invitation token: ${mail.token.token}`,
    '',
    'Sign in with your identity provider, then accept it:',
    `  POST /api/invitations/accept  {"token": "${mail.token.token}"}`,
    '',
    `It can be used once, until ${mail.token.expiresAt}. If you did not expect it, ignore this email.`,
  ].join('\n');
  return v.parse(SendEmailRequest, {
    from: config(env).INVITE_FROM,
    to: [mail.email],
    subject: `You're invited to ${mail.tenantName} on Mailgrid`.replace(/[\r\n]+/g, ' ').slice(0, 900),
    text,
    tags: [{ name: 'mailgrid', value: 'invitation' }],
  });
}
