// SES v2 SendEmail with raw content, signed with SigV4 by aws4fetch. Each call's outcome is sorted
// into sent / retry / reject / unknown, so the consumer knows whether another attempt can help, and
// whether SES may already have the message (unknown: no answer, so it must not simply send again).
import { AwsClient } from 'aws4fetch';
import { config, type Env } from './env';

export interface RawSend {
  from: string;
  /** Envelope recipients: to, cc and bcc, bare addresses. */
  destinations: { to: string[]; cc: string[]; bcc: string[] };
  raw: Uint8Array;
  configurationSet?: string;
  tags: { Name: string; Value: string }[];
}

export type SesOutcome =
  | { kind: 'sent'; messageId: string }
  | { kind: 'retry'; reason: string }
  | { kind: 'reject'; reason: string }
  /** No answer (timeout, connection lost): SES may or may not have taken the message. */
  | { kind: 'unknown'; reason: string };

export async function sendRawEmail(env: Env, email: RawSend): Promise<SesOutcome> {
  // A hung call is abandoned after SES_TIMEOUT_MS (15 s unless set); its outcome is unknown.
  const {
    SES_ENDPOINT,
    SES_REGION,
    SES_ACCESS_KEY_ID,
    SES_SECRET_ACCESS_KEY,
    SES_TIMEOUT_MS: timeoutMs,
  } = config(env);
  // retries: 0 — retrying is the queue's job, with backoff and a record in D1 of every attempt.
  const client = new AwsClient({
    accessKeyId: SES_ACCESS_KEY_ID,
    secretAccessKey: SES_SECRET_ACCESS_KEY,
    region: SES_REGION,
    service: 'ses',
    retries: 0,
  });
  const body = {
    FromEmailAddress: email.from,
    Destination: {
      ToAddresses: email.destinations.to,
      CcAddresses: email.destinations.cc,
      BccAddresses: email.destinations.bcc,
    },
    Content: { Raw: { Data: toBase64(email.raw) } },
    ...(email.configurationSet ? { ConfigurationSetName: email.configurationSet } : {}),
    EmailTags: email.tags,
  };
  let response: Response;
  try {
    response = await client.fetch(`${SES_ENDPOINT.replace(/\/$/, '')}/v2/email/outbound-emails`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const reason =
      err instanceof Error && err.name === 'TimeoutError'
        ? `SES did not answer within ${timeoutMs} ms`
        : `SES unreachable: ${String(err)}`;
    // The request may have reached SES before the answer was lost.
    return { kind: 'unknown', reason };
  }
  const text = await response.text();
  if (response.ok) {
    const messageId = safeJson(text)?.MessageId;
    if (typeof messageId === 'string') return { kind: 'sent', messageId };
    return { kind: 'retry', reason: `SES answered ${response.status} without a MessageId` };
  }
  const detail = safeJson(text);
  const reason = `SES ${response.status}${detail?.message ? `: ${detail.message}` : text ? `: ${text.slice(0, 200)}` : ''}`;
  // 429 is throttling; 5xx is SES's fault. Everything else (MessageRejected, unverified identity,
  // paused account) will not change by trying again.
  return response.status === 429 || response.status >= 500
    ? { kind: 'retry', reason }
    : { kind: 'reject', reason };
}

function safeJson(text: string): { MessageId?: unknown; message?: string } | null {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
