// Email content (html, text, headers, attachments) lives in R2, keyed by tenant and email: queue
// messages hold only ids (a queue message is at most 128 KB) and D1 rows stay small.
import type { Env } from './env';

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

export function emlKey(tenantId: string, emailId: string): string {
  return `eml/${tenantId}/${emailId}.eml`;
}

/** Written the moment SES accepts the email (its SES message id), before D1 is told. */
/** One reader's copy, when an email goes out as one copy per reader (see deliver.ts). */
export function copyEmlKey(tenantId: string, emailId: string, index: number): string {
  return `eml/${tenantId}/${emailId}/${index}.eml`;
}

export function sentReceiptKey(tenantId: string, emailId: string): string {
  return `sent/${tenantId}/${emailId}`;
}

export async function putBody(env: Env, key: string, body: StoredBody): Promise<void> {
  await env.ARCHIVE.put(key, JSON.stringify(body), { httpMetadata: { contentType: 'application/json' } });
}

export async function getBody(env: Env, key: string): Promise<StoredBody | null> {
  const object = await env.ARCHIVE.get(key);
  return object ? object.json<StoredBody>() : null;
}
