// Helpers for tests that send: the resend SDK pointed at the mesh, the SES stand-in's records, and
// the delivered messages parsed with mailparser.
import { type ParsedMail, simpleParser } from 'mailparser';
import { Resend } from 'resend';
import { expect } from 'vitest';
import { api, mesh } from './client';
import type { SesRecord } from './ses-proxy';

export function resendWith(key: string): Resend {
  return new Resend(key, { baseUrl: `${mesh.url}/api` });
}

export interface SesCounts {
  calls: number;
  throttled: number;
  errored: number;
  hung: number;
}

export async function sesRecords(): Promise<{ records: SesRecord[]; counts: SesCounts }> {
  return (await fetch(`${mesh.sesProxyUrl}/__records`)).json() as Promise<{
    records: SesRecord[];
    counts: SesCounts;
  }>;
}

export function emailIdOf(record: SesRecord): string | undefined {
  return record.tags.find((tag) => tag.Name === 'mailgrid_email_id')?.Value;
}

/** The raw messages SES was given for this email id (normally exactly one). */
export async function recordsFor(id: string): Promise<SesRecord[]> {
  return (await sesRecords()).records.filter((record) => emailIdOf(record) === id);
}

/** Waits until SES has been given the email, and returns the parsed message and its envelope. */
export async function delivered(
  id: string,
  timeoutMs = 20_000,
): Promise<{ mail: ParsedMail; record: SesRecord }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [record] = await recordsFor(id);
    if (record) return { mail: await simpleParser(record.eml), record };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`email ${id} did not reach SES within ${timeoutMs} ms`);
}

/** What SES's own events move an email to once it has it: each means "sent" has been passed. */
const PAST_SENT = ['delivered', 'delivery_delayed', 'bounced', 'complained', 'opened', 'clicked'];

/**
 * Waits for GET /emails/:id to report `last_event`. 'sent' is also met by any later event: the local
 * SES publishes Send and Delivery within a second, so an email may be `delivered` before a poll sees `sent`.
 */
export async function waitForEvent(key: string, id: string, lastEvent: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let seen = '';
  while (Date.now() < deadline) {
    const response = await api(`/api/emails/${id}`, { key });
    const email = (await response.json()) as { last_event: string };
    seen = email.last_event;
    if (seen === lastEvent || (lastEvent === 'sent' && PAST_SENT.includes(seen))) return email;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(seen, `email ${id} last_event`).toBe(lastEvent);
}

/** What aws-ses-v2-local (the inbox) holds for this SES message id. */
export async function inboxMessage(sesMessageId: string) {
  const store = (await (await fetch(`${mesh.sesUrl}/store`)).json()) as {
    emails: { messageId: string; subject: string }[];
  };
  return store.emails.find((email) => email.messageId === sesMessageId);
}

export async function postEmail(key: string, body: unknown, headers: Record<string, string> = {}) {
  return api('/api/emails', {
    method: 'POST',
    key,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}
