// The API request log (Resend's GET /logs): one D1 row per authenticated request, written after the
// response is on its way (ctx.waitUntil) so it costs the caller no time, and deleted after 30 days by
// the minute cron (recovery.ts). Bodies are redacted before they are stored — keys named like a
// secret, and anything shaped like an API key or a webhook signing secret wherever it appears — and
// cut at BODY_CHARS so a row stays small (cost: README.md, "Request log").
import { type Caller, REQUEST_LOG_RETENTION_DAYS } from '@mailgrid/contracts';
import { createDb, insertRequestLog, type NewRequestLog } from '@mailgrid/db';
import { deleteExpiredRequestLogs } from '@mailgrid/db/cross-tenant';
import type { Env } from './env';

/** Each body's JSON is kept up to this many characters; past it, a preview of that length. */
export const BODY_CHARS = 4096;
/** Rows one cron run may delete (a minute's worth of 7 M requests a day, with room to catch up). */
export const EXPIRE_PER_RUN = 5000;

const REDACTED = '[redacted]';
/** Field names whose values are secrets whatever they hold. */
const SECRET_KEY =
  /(secret|password|passwd|token|api[-_]?key|authorization|signing|private[-_]?key|credential)/i;
/** Secrets in free text: Mailgrid API keys, Standard Webhooks signing secrets, bearer credentials. */
const SECRET_TEXT = [
  /\bmg_(?:live|test|dev)_[A-Za-z0-9]+/g,
  /\bwhsec_[A-Za-z0-9+/=]+/g,
  /\bre_[A-Za-z0-9_]{16,}/g,
  /\bBearer\s+[A-Za-z0-9._~+/=-]+/gi,
];

/** A deep copy with every secret replaced; keys that only name a secret's id or prefix are kept. */
export function redact(value: unknown, key = ''): unknown {
  if (key && SECRET_KEY.test(key) && !/(_id|_prefix|_at)$/i.test(key) && value !== null) {
    return typeof value === 'boolean' ? value : REDACTED;
  }
  if (typeof value === 'string') {
    return SECRET_TEXT.reduce((text, pattern) => text.replace(pattern, REDACTED), value);
  }
  if (Array.isArray(value)) return value.map((item) => redact(item));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, redact(inner, name)]));
  }
  return value;
}

/** The redacted body as stored: JSON text, or a truncation note with a preview when it is large. */
export function storedBody(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const text = JSON.stringify(redact(value));
  if (text.length <= BODY_CHARS) return text;
  return JSON.stringify({ truncated: true, characters: text.length, preview: text.slice(0, BODY_CHARS) });
}

/** A UUIDv7: 48 bits of Unix milliseconds first, so ids sort by time (the table's key order). */
export function uuidv7(now = Date.now()): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const ms = BigInt(now);
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The smallest UUIDv7 of that millisecond: every id below it is older. */
export function uuidv7Floor(ms: number): string {
  const hex = ms.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}

export interface LoggedRequest {
  request: Request;
  caller: Caller;
  status: number;
  requestBody: unknown;
  responseBody: unknown;
}

/** The row for one request (pure, for tests): what `record` writes. */
export function logEntry(logged: LoggedRequest, now = Date.now()): NewRequestLog {
  const url = new URL(logged.request.url);
  return {
    id: uuidv7(now),
    created_at: new Date(now).toISOString(),
    method: logged.request.method,
    // Resend shows the path without its /api prefix (the SDK's base URL carries it).
    endpoint: url.pathname.replace(/^\/api(?=\/)/, ''),
    response_status: logged.status,
    user_agent: logged.request.headers.get('user-agent')?.slice(0, 512) ?? null,
    api_key_id: logged.caller.key_id || null,
    user_id: logged.caller.user_id ?? null,
    request_body: storedBody(logged.requestBody),
    response_body: storedBody(logged.responseBody),
  };
}

/** Writes the row after the response (one D1 row written); a failure is logged, never the caller's. */
export function recordRequest(env: Env, exec: ExecutionContext, logged: LoggedRequest): void {
  const entry = logEntry(logged);
  exec.waitUntil(
    insertRequestLog(createDb(env.DB), logged.caller.tenant_id, entry)
      .execute()
      .then(
        () => undefined,
        (err: unknown) =>
          console.error(JSON.stringify({ event: 'request_log.failed', id: entry.id, error: String(err) })),
      ),
  );
}

/** The cron's share: rows past the retention go, at most EXPIRE_PER_RUN per run. */
export async function expireRequestLogs(env: Env, now = Date.now()): Promise<number> {
  const cutoff = uuidv7Floor(now - REQUEST_LOG_RETENTION_DAYS * 86_400_000);
  return deleteExpiredRequestLogs(createDb(env.DB), cutoff, EXPIRE_PER_RUN);
}
