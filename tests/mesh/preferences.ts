// Helpers for the unsubscribe and preference-page tests: unsubscribe links signed with the tracking
// worker's dev key (as send signs them), and the audience API calls that set up and read a contact.
import { fileURLToPath } from 'node:url';
import { readWranglerConfig } from '@mailgrid/testing/wrangler-config';
import { parseSigningKeys, type SigningKeys, signToken } from '@mailgrid/tracking-tokens';
import { expect } from 'vitest';
import { api, mesh } from './client';

const trackingConfig = readWranglerConfig(
  fileURLToPath(new URL('../../workers/tracking/wrangler.jsonc', import.meta.url)),
);
const keys = parseSigningKeys(
  trackingConfig.vars?.TRACKING_SIGNING_KEYS,
  trackingConfig.vars?.TRACKING_SIGNING_KEY_ID,
);

export interface LinkClaims {
  tenantId: string;
  emailId: string;
  recipient: string;
  topicId?: string;
  action?: 'unsubscribe' | 'open';
  expiresAt?: number;
}

/** The URL of an unsubscribe link, through the gateway (which forwards /u/ to tracking). */
/** An unsubscribe link signed with the dev key (or `signingKeys`, to forge one). */
export async function unsubscribeUrl(claims: LinkClaims, signingKeys: SigningKeys = keys): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const token = await signToken(signingKeys, {
    action: claims.action ?? 'unsubscribe',
    tenant_id: claims.tenantId,
    email_id: claims.emailId,
    recipient: claims.recipient,
    ...(claims.topicId ? { topic_id: claims.topicId } : {}),
    expires_at: claims.expiresAt ?? now + 365 * 86_400,
    issued_at: now,
  });
  return `${mesh.url}/u/${token}`;
}

async function created(response: Response): Promise<string> {
  const body = (await response.json()) as { id?: string };
  expect(response.status, JSON.stringify(body)).toBe(201);
  return body.id as string;
}

export async function createTopic(
  key: string,
  topic: { name: string; description?: string; default_subscription: 'opt_in' | 'opt_out' },
): Promise<string> {
  return created(
    await api('/api/topics', {
      method: 'POST',
      key,
      headers: { 'content-type': 'application/json' },
      // Public: on everyone's preference page (a private topic shows only to contacts opted in).
      body: JSON.stringify({ visibility: 'public', ...topic }),
    }),
  );
}

export async function createContact(key: string, email: string): Promise<string> {
  return created(
    await api('/api/contacts', {
      method: 'POST',
      key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    }),
  );
}

export async function contactOf(key: string, id: string): Promise<{ id: string; unsubscribed: boolean }> {
  const response = await api(`/api/contacts/${id}`, { key });
  expect(response.status).toBe(200);
  return (await response.json()) as { id: string; unsubscribed: boolean };
}

/** Topic id → the contact's subscription ('opt_in' | 'opt_out'), explicit or the topic's default. */
export async function topicsOf(key: string, id: string): Promise<Record<string, string>> {
  const response = await api(`/api/contacts/${id}/topics`, { key });
  expect(response.status).toBe(200);
  const { data } = (await response.json()) as { data: { id: string; subscription: string }[] };
  return Object.fromEntries(data.map((topic) => [topic.id, topic.subscription]));
}

/** A form POST to a /u/ URL, as a mailbox provider's one-click or the page's forms send it. */
export function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}
