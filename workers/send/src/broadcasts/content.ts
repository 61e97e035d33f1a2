// A broadcast's content, stored once in R2 when it starts sending (every recipient row points at it)
// and personalised per recipient when the copy is built: merge tags from the contact's values frozen
// with the audience, and the recipient's own unsubscribe link. A broadcast without an unsubscribe
// link gets one appended, so every recipient can leave (and mailbox providers expect it).
import { type BroadcastRow, contactPropertiesByKey, type Db, type EmailRow } from '@mailgrid/db';
import { htmlToText } from '@mailgrid/mime';
import { hasUnsubscribeTag, type MergeContact, renderMergeTags } from '@mailgrid/templates';
import { getBody, putBody, type StoredBody } from '../body-store';
import type { Env } from '../env';

const UNSUBSCRIBE_TAG = '{{{RESEND_UNSUBSCRIBE_URL}}}';

export function broadcastBodyKey(tenantId: string, broadcastId: string): string {
  return `bodies/${tenantId}/broadcasts/${broadcastId}.json`;
}

/** What recipients get, before personalisation; written (again, identically) by the first freeze step. */
export async function storeBroadcastBody(env: Env, db: Db, broadcast: BroadcastRow): Promise<string> {
  const properties = await contactPropertiesByKey(db, broadcast.tenant_id);
  const fallbacks = Object.fromEntries(
    [...properties].map(([key, row]) => [
      key,
      row.fallback_value === null ? null : (JSON.parse(row.fallback_value) as string | number),
    ]),
  );
  const key = broadcastBodyKey(broadcast.tenant_id, broadcast.id);
  await putBody(env, key, { ...composeBroadcast(broadcast), headers: {}, attachments: [], fallbacks });
  return key;
}

/** html with its preview text and an unsubscribe link; text as given, generated from html when null. */
export function composeBroadcast(broadcast: Pick<BroadcastRow, 'html' | 'text' | 'preview_text'>): {
  html: string | null;
  text: string | null;
} {
  let html = broadcast.html;
  if (html !== null && html !== '') {
    if (broadcast.preview_text) html = withPreviewText(html, broadcast.preview_text);
    if (!hasUnsubscribeTag(html)) html = withUnsubscribeFooter(html);
  }
  // Generated from the html as written (no preheader); its links' addresses are lost, so the
  // unsubscribe address is added in words unless the text carries it.
  let text = broadcast.text === null && broadcast.html ? htmlToText(broadcast.html) : broadcast.text;
  if (text && !hasUnsubscribeTag(text)) text = `${text}\n\nUnsubscribe: ${UNSUBSCRIBE_TAG}\n`;
  return { html: html || null, text: text || null };
}

/** One recipient's subject, html and text: merge tags filled from the row's frozen contact values. */
export function personalise(
  body: StoredBody,
  row: Pick<EmailRow, 'subject' | 'merge_data'>,
  unsubscribeUrl: string,
): { subject: string; html: string | null; text: string | null } {
  if (row.merge_data === null) return { subject: row.subject, html: body.html, text: body.text };
  const contact = JSON.parse(row.merge_data) as MergeContact;
  const context = {
    contact: { ...contact, properties: contact.properties ?? {} },
    fallbacks: body.fallbacks ?? {},
    unsubscribeUrl,
  };
  return {
    subject: renderMergeTags(row.subject, 'subject', context),
    html: body.html === null ? null : renderMergeTags(body.html, 'html', context),
    text: body.text === null ? null : renderMergeTags(body.text, 'text', context),
  };
}

// The preheader: shown by inboxes beside the subject, hidden in the message itself.
function withPreviewText(html: string, preview: string): string {
  const escaped = preview.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const hidden = `<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">${escaped}</div>`;
  const body = /<body[^>]*>/i.exec(html);
  return body ? html.replace(body[0], `${body[0]}${hidden}`) : `${hidden}${html}`;
}

function withUnsubscribeFooter(html: string): string {
  const footer = `<p style="font-size:12px;color:#666"><a href="${UNSUBSCRIBE_TAG}">Unsubscribe</a></p>`;
  return /<\/body>/i.test(html) ? html.replace(/<\/body>/i, `${footer}</body>`) : `${html}${footer}`;
}

// A broadcast's body is the same for every recipient and never changes once sending started, so an
// isolate keeps the few it is sending rather than reading R2 once per recipient. Values, not promises:
// a promise made while serving one request must not be awaited by another.
const bodies = new Map<string, StoredBody>();
const KEPT_BODIES = 16;

export async function sharedBody(env: Env, key: string): Promise<StoredBody | null> {
  const kept = bodies.get(key);
  if (kept) return kept;
  const body = await getBody(env, key);
  if (body) {
    bodies.set(key, body);
    if (bodies.size > KEPT_BODIES) bodies.delete(bodies.keys().next().value as string);
  }
  return body;
}
