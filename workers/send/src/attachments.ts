// GET /emails/:id/attachments[/:attachment_id] and the signed download behind each: an attachment's
// metadata and bytes come from the email's stored body (its row's, or R2's bodies/<tenant>/<id>.json
// when large; written at accept, kept as long as the email). An attachment's id is derived from the email's id and its
// position (a UUID from their SHA-256), so ids are stable without a table of their own.
import {
  AppError,
  ATTACHMENT_LINK_SECONDS,
  type AttachmentContent,
  type AttachmentList,
  type AttachmentObject,
  type Caller,
} from '@mailgrid/contracts';
import { createDb, type EmailRow, getEmail } from '@mailgrid/db';
import { readBody, type StoredAttachment } from './body-store';
import { signLink, verifyLink } from './email-links';
import type { Env } from './env';

export async function listAttachments(
  env: Env,
  caller: Caller,
  emailId: string,
  origin: string,
  now = new Date(),
): Promise<AttachmentList> {
  const { row, attachments } = await attachmentsOf(env, caller.tenant_id, emailId);
  const data = await Promise.all(
    attachments.map(async (attachment, index) =>
      describe(env, row, attachment, await attachmentId(row.id, index), origin, now),
    ),
  );
  return { object: 'list', has_more: false, data };
}

export async function readAttachment(
  env: Env,
  caller: Caller,
  emailId: string,
  id: string,
  origin: string,
  now = new Date(),
): Promise<AttachmentObject> {
  const { row, attachments } = await attachmentsOf(env, caller.tenant_id, emailId);
  const index = await indexOf(row.id, attachments, id);
  return describe(env, row, attachments[index] as StoredAttachment, id, origin, now);
}

/** The bytes behind a download link; the token is the only credential. */
export async function openAttachment(env: Env, token: string): Promise<AttachmentContent> {
  const claims = await verifyLink(env, token, 'attachment');
  const { attachments, row } = await attachmentsOf(env, claims.tenant_id, claims.email_id);
  const attachment = attachments[
    await indexOf(row.id, attachments, claims.attachment_id)
  ] as StoredAttachment;
  return {
    filename: attachment.filename,
    content_type: attachment.content_type,
    content: Uint8Array.from(atob(attachment.content), (char) => char.charCodeAt(0)),
  };
}

async function attachmentsOf(
  env: Env,
  tenantId: string,
  emailId: string,
): Promise<{ row: EmailRow; attachments: StoredAttachment[] }> {
  const row = await getEmail(createDb(env.DB), tenantId, emailId);
  if (!row) throw new AppError('not_found', `Email ${emailId} not found.`);
  const body = await readBody(env, row);
  return { row, attachments: body?.attachments ?? [] };
}

async function indexOf(emailId: string, attachments: StoredAttachment[], id: string): Promise<number> {
  for (let index = 0; index < attachments.length; index++) {
    if ((await attachmentId(emailId, index)) === id) return index;
  }
  throw new AppError('not_found', `Email ${emailId} has no attachment ${id}.`);
}

async function describe(
  env: Env,
  row: EmailRow,
  attachment: StoredAttachment,
  id: string,
  origin: string,
  now: Date,
): Promise<AttachmentObject> {
  const expiresAt = Math.floor(now.getTime() / 1000) + ATTACHMENT_LINK_SECONDS;
  const token = await signLink(env, {
    kind: 'attachment',
    tenant_id: row.tenant_id,
    email_id: row.id,
    attachment_id: id,
    expires_at: expiresAt,
  });
  return {
    object: 'attachment',
    id,
    filename: attachment.filename,
    size: decodedSize(attachment.content),
    content_type: attachment.content_type,
    content_disposition: attachment.content_id ? 'inline' : 'attachment',
    ...(attachment.content_id ? { content_id: attachment.content_id } : {}),
    download_url: `${origin}/api/public/attachments/${token}`,
    expires_at: new Date(expiresAt * 1000).toISOString(),
  };
}

/** The attachment's id: a UUID (version 8, RFC 9562) from SHA-256 of the email id and position. */
export async function attachmentId(emailId: string, index: number): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`attachment:${emailId}:${index}`)),
  );
  const bytes = digest.slice(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Bytes of a base64 string's content, without decoding it. */
function decodedSize(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}
