// Email content (html, text, headers, attachments): a small body lives in its email's row (`body`,
// written by accept's one insert), a larger one in R2 under `body_key` (queue messages hold only ids:
// a queue message is at most 128 KB). Every reader goes through `readBody`.
//
// Why 16 KB of JSON: an R2 write is $4.50 per million (class A) and its read on send $0.36 per
// million, about $4.9e-6 an email; the same bytes in D1 cost $0.75 per GB-month of storage, about
// $1.75e-10 a byte over the 7 days docs/scaling.md keeps rows in SQL. They break even near 28 KB, so
// 16 KB is cheaper in the row even if rows are kept twice as long, while typical transactional mail
// (receipts, sign-in links: 2–15 KB of html) fits; and a D1 database's 10 GB fills at most 16 KB an
// email faster. Larger bodies (most of those with attachments) stay in R2.
import type { EmailRow } from '@mailgrid/db';
import type { Env } from './env';

/** Bodies whose JSON is at most this many bytes (UTF-8) are stored in the email's row. */
export const INLINE_BODY_MAX_BYTES = 16 * 1024;

export interface StoredAttachment {
  filename: string;
  content_type: string;
  content_id: string | null;
  /** Base64. */
  content: string;
}

export interface StoredBody {
  html: string | null;
  text: string | null;
  headers: Record<string, string>;
  attachments: StoredAttachment[];
  /** A broadcast's body: its declared contact properties' fallbacks, for merge tags (see broadcasts/content.ts). */
  fallbacks?: Record<string, string | number | null>;
}

export function bodyKey(tenantId: string, emailId: string): string {
  return `bodies/${tenantId}/${emailId}.json`;
}

/** Where emails sent before 0023_send_writes archived their EML (raw.ts still reads them). */
export function emlKey(tenantId: string, emailId: string): string {
  return `eml/${tenantId}/${emailId}.eml`;
}

/** One reader's copy's archive, before 0023_send_writes (see deliver.ts). */
export function copyEmlKey(tenantId: string, emailId: string, index: number): string {
  return `eml/${tenantId}/${emailId}/${index}.eml`;
}

/**
 * Where the send consumer wrote SES's message id before 0023_send_writes (now `ses_receipts` in the
 * row): read only for an email an older consumer had already tried.
 */
export function sentReceiptKey(tenantId: string, emailId: string): string {
  return `sent/${tenantId}/${emailId}`;
}

// Accept asks for a body's JSON twice (the row, and R2 when large): it is serialised once.
const serialised = new WeakMap<StoredBody, string>();

function jsonOf(body: StoredBody): string {
  let json = serialised.get(body);
  if (json === undefined) {
    json = JSON.stringify(body);
    serialised.set(body, json);
  }
  return json;
}

/** The body's JSON for the email's row when it is small enough to live there; else null (R2). */
export function inlineBody(body: StoredBody): string | null {
  const json = jsonOf(body);
  // A character is at least one byte: only a short string needs counting.
  if (json.length > INLINE_BODY_MAX_BYTES) return null;
  return new TextEncoder().encode(json).length <= INLINE_BODY_MAX_BYTES ? json : null;
}

/** A new email's body to R2 at `key`, unless it is small enough for the row (`inlineBody`). */
export async function storeBody(env: Env, key: string, body: StoredBody): Promise<void> {
  if (inlineBody(body) !== null) return;
  await putBody(env, key, body);
}

/** Always to R2 (a broadcast's one body, which all its recipients' rows name by key). */
export async function putBody(env: Env, key: string, body: StoredBody): Promise<void> {
  await env.ARCHIVE.put(key, jsonOf(body), { httpMetadata: { contentType: 'application/json' } });
}

/** The email's body: from its row when small, else from R2; null when neither has it. */
export async function readBody(
  env: Env,
  row: Pick<EmailRow, 'body' | 'body_key'>,
): Promise<StoredBody | null> {
  if (row.body !== null) return JSON.parse(row.body) as StoredBody;
  return getBody(env, row.body_key);
}

/** The body in R2 at `key`. */
export async function getBody(env: Env, key: string): Promise<StoredBody | null> {
  const object = await env.ARCHIVE.get(key);
  return object ? object.json<StoredBody>() : null;
}
