// The SES v2 identity calls a domain needs, signed with SigV4 by aws4fetch (as the send worker's
// SendEmail): create (Easy DKIM), custom MAIL FROM, read its verification state, delete; and the
// configuration set that carries a domain's TLS policy.
import { AppError, type DomainTls } from '@mailgrid/contracts';
import { AwsClient } from 'aws4fetch';
import { config, type Env } from './env';

const SES_TIMEOUT_MS = 15_000;

/** SES's verification states for DKIM and MAIL FROM. */
export type SesStatus = 'PENDING' | 'SUCCESS' | 'FAILED' | 'TEMPORARY_FAILURE' | 'NOT_STARTED';

export interface SesIdentity {
  dkimTokens: string[];
  dkimStatus: SesStatus;
  mailFromDomain: string | null;
  mailFromStatus: SesStatus | null;
}

interface SesAnswer {
  status: number;
  body: Record<string, unknown>;
  /** SES's exception name (x-amzn-ErrorType or the body's __type), e.g. AlreadyExistsException. */
  error: string | null;
}

export async function createIdentity(env: Env, domain: string): Promise<SesIdentity> {
  const created = await call(env, 'POST', '/v2/email/identities', { EmailIdentity: domain });
  // A previous attempt (or a delete SES never finished) may have left it: take it as it is.
  if (created.error === 'AlreadyExistsException') return getIdentity(env, domain, true);
  ensureOk(created, 'register the domain');
  return {
    dkimTokens: tokensOf(created.body),
    dkimStatus: dkimStatusOf(created.body),
    mailFromDomain: null,
    mailFromStatus: null,
  };
}

export async function setMailFrom(env: Env, domain: string, mailFromDomain: string): Promise<void> {
  const answer = await call(env, 'PUT', `/v2/email/identities/${encodeURIComponent(domain)}/mail-from`, {
    MailFromDomain: mailFromDomain,
    // Until its MX is published, SES sends with its own MAIL FROM rather than refusing to send.
    BehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
  });
  ensureOk(answer, 'set the custom return path');
}

/** The identity as SES has it; null when SES has none of that name (unless `required`). */
export async function getIdentity(env: Env, domain: string, required: true): Promise<SesIdentity>;
export async function getIdentity(env: Env, domain: string, required?: false): Promise<SesIdentity | null>;
export async function getIdentity(env: Env, domain: string, required = false): Promise<SesIdentity | null> {
  const answer = await call(env, 'GET', `/v2/email/identities/${encodeURIComponent(domain)}`);
  if (answer.error === 'NotFoundException' || answer.status === 404) {
    if (!required) return null;
  }
  ensureOk(answer, 'read the domain');
  const mailFrom = answer.body.MailFromAttributes as Record<string, unknown> | undefined;
  return {
    dkimTokens: tokensOf(answer.body),
    dkimStatus: dkimStatusOf(answer.body),
    mailFromDomain: typeof mailFrom?.MailFromDomain === 'string' ? mailFrom.MailFromDomain : null,
    mailFromStatus: (mailFrom?.MailFromDomainStatus as SesStatus | undefined) ?? null,
  };
}

/** Deletes the identity; one SES no longer has is fine. */
export async function deleteIdentity(env: Env, domain: string): Promise<void> {
  const answer = await call(env, 'DELETE', `/v2/email/identities/${encodeURIComponent(domain)}`);
  if (answer.error === 'NotFoundException' || answer.status === 404) return;
  ensureOk(answer, 'delete the domain');
}

/**
 * A domain's TLS policy. SES keeps TLS policy on a configuration set (DeliveryOptions.TlsPolicy), so
 * a domain with `tls: enforced` gets a set of its own (REQUIRE) that its mail goes out with (send:
 * configurationSetFor); back to `opportunistic` (SES's OPTIONAL, its default) the set is deleted
 * and the mail goes with its stream's set again. The set carries the SES event destination
 * (SES_EVENTS_TOPIC_ARN) every other set has, so its mail's events still come back.
 */
export async function setTlsPolicy(env: Env, setName: string, tls: DomainTls): Promise<void> {
  const path = `/v2/email/configuration-sets/${encodeURIComponent(setName)}`;
  if (tls === 'opportunistic') {
    const deleted = await call(env, 'DELETE', path);
    if (deleted.error === 'NotFoundException' || deleted.status === 404) return;
    return ensureOk(deleted, 'change the TLS policy');
  }
  const updated = await call(env, 'PUT', `${path}/delivery-options`, { TlsPolicy: 'REQUIRE' });
  if (updated.error !== 'NotFoundException' && updated.status !== 404) {
    return ensureOk(updated, 'change the TLS policy');
  }
  const created = await call(env, 'POST', '/v2/email/configuration-sets', {
    ConfigurationSetName: setName,
    DeliveryOptions: { TlsPolicy: 'REQUIRE' },
  });
  if (created.error !== 'AlreadyExistsException') ensureOk(created, 'change the TLS policy');
  const topicArn = config(env).SES_EVENTS_TOPIC_ARN;
  if (!topicArn) return;
  const destination = await call(env, 'POST', `${path}/event-destinations`, {
    EventDestinationName: 'mailgrid-events',
    EventDestination: {
      Enabled: true,
      MatchingEventTypes: [
        'SEND',
        'DELIVERY',
        'BOUNCE',
        'COMPLAINT',
        'DELIVERY_DELAY',
        'REJECT',
        'RENDERING_FAILURE',
      ],
      SnsDestination: { TopicArn: topicArn },
    },
  });
  if (destination.error !== 'AlreadyExistsException') ensureOk(destination, 'change the TLS policy');
}

/** The TLS policy SES has for the set: REQUIRE, or OPTIONAL when there is no such set. */
export async function getTlsPolicy(env: Env, setName: string): Promise<'REQUIRE' | 'OPTIONAL'> {
  const answer = await call(env, 'GET', `/v2/email/configuration-sets/${encodeURIComponent(setName)}`);
  if (answer.error === 'NotFoundException' || answer.status === 404) return 'OPTIONAL';
  ensureOk(answer, 'read the TLS policy');
  const delivery = answer.body.DeliveryOptions as { TlsPolicy?: string } | undefined;
  return delivery?.TlsPolicy === 'REQUIRE' ? 'REQUIRE' : 'OPTIONAL';
}

async function call(env: Env, method: string, path: string, body?: unknown): Promise<SesAnswer> {
  const { SES_ENDPOINT, SES_REGION, SES_ACCESS_KEY_ID, SES_SECRET_ACCESS_KEY } = config(env);
  // retries: 0 — a management call fails fast and the caller may try again.
  const client = new AwsClient({
    accessKeyId: SES_ACCESS_KEY_ID,
    secretAccessKey: SES_SECRET_ACCESS_KEY,
    region: SES_REGION,
    service: 'ses',
    retries: 0,
  });
  let response: Response;
  try {
    response = await client.fetch(`${SES_ENDPOINT.replace(/\/$/, '')}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(SES_TIMEOUT_MS),
    });
  } catch (err) {
    console.error(JSON.stringify({ message: 'SES identity call failed', method, path, error: String(err) }));
    throw new AppError('service_unavailable', 'Amazon SES did not answer; try again in a moment.');
  }
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = {};
  }
  const errorType = response.headers.get('x-amzn-errortype') ?? (parsed.__type as string | undefined) ?? null;
  return {
    status: response.status,
    body: parsed,
    // `AlreadyExistsException:http://internal.amazon.com/...` → the name only.
    error: response.ok ? null : (errorType?.split(':')[0]?.split('#').at(-1) ?? `HTTP ${response.status}`),
  };
}

function ensureOk(answer: SesAnswer, what: string): void {
  if (answer.status >= 200 && answer.status < 300) return;
  const detail = typeof answer.body.message === 'string' ? answer.body.message : answer.error;
  console.error(JSON.stringify({ message: `SES refused to ${what}`, status: answer.status, detail }));
  // SES refusing the input (a name it will not take) is the caller's to fix; anything else is ours.
  if (answer.status === 400 && answer.error === 'BadRequestException') {
    throw new AppError('invalid_parameter', `Amazon SES could not ${what}: ${detail}.`);
  }
  throw new AppError('service_unavailable', `Amazon SES could not ${what} just now; try again in a moment.`);
}

function tokensOf(body: Record<string, unknown>): string[] {
  const dkim = body.DkimAttributes as { Tokens?: unknown } | undefined;
  return Array.isArray(dkim?.Tokens) ? dkim.Tokens.filter((token) => typeof token === 'string') : [];
}

function dkimStatusOf(body: Record<string, unknown>): SesStatus {
  const dkim = body.DkimAttributes as { Status?: SesStatus } | undefined;
  return dkim?.Status ?? 'NOT_STARTED';
}
