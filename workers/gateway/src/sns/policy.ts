// What the gateway trusts about an SNS delivery before and besides its signature: which hosts may
// serve the signing certificate (and the SubscribeURL), which topics may post, and how old a message
// may be. All from vars, so tests and other AWS partitions can change them without code.
import { AppError } from '@mailgrid/contracts';
import { config, type Env } from '../env';
import type { SnsMessage } from './message';

/** A captured message replayed later than this is refused (SNS retries within the hour by default). */
export const MAX_MESSAGE_AGE_MS = 60 * 60 * 1000;

export interface SnsPolicy {
  hostPattern: RegExp;
  topicArns: ReadonlySet<string>;
  /** Development only: also trust http://localhost / 127.0.0.1 / [::1] (a local fake SNS). */
  allowInsecureLoopback: boolean;
}

export function snsPolicy(env: Env): SnsPolicy {
  const { SNS_CERT_HOST_PATTERN, SNS_TOPIC_ARNS, SNS_ALLOW_INSECURE_CERT_URL, ENVIRONMENT } = config(env);
  return {
    hostPattern: SNS_CERT_HOST_PATTERN,
    topicArns: new Set(SNS_TOPIC_ARNS),
    // Never in production, whatever the var says: a misconfigured flag must not open the door there.
    allowInsecureLoopback: SNS_ALLOW_INSECURE_CERT_URL && ENVIRONMENT !== 'production',
  };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A URL SNS gave us that we are about to fetch (SigningCertURL, SubscribeURL): https on an SNS host,
 * or http on loopback when the dev flag is on. Anything else could point the gateway at a
 * certificate (or a request) of the sender's choosing.
 */
export function checkSnsUrl(policy: SnsPolicy, field: string, value: string, mustEndWith?: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw untrusted(field, 'is not a URL');
  }
  const loopbackAllowed =
    policy.allowInsecureLoopback && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (!loopbackAllowed) {
    if (url.protocol !== 'https:') throw untrusted(field, 'must use https');
    if (url.port !== '' || !policy.hostPattern.test(url.hostname)) {
      throw untrusted(field, `host ${url.host} is not an SNS host`);
    }
  }
  if (url.username || url.password) throw untrusted(field, 'must not carry credentials');
  if (mustEndWith && !url.pathname.endsWith(mustEndWith))
    throw untrusted(field, `must end in ${mustEndWith}`);
  return url;
}

export function checkTopic(policy: SnsPolicy, message: SnsMessage): void {
  if (!policy.topicArns.has(message.TopicArn)) {
    throw new AppError('unknown_sns_topic', `TopicArn ${message.TopicArn} is not one this endpoint accepts.`);
  }
}

export function checkAge(message: SnsMessage, now = Date.now()): void {
  const sent = Date.parse(message.Timestamp);
  if (Number.isNaN(sent)) throw new AppError('invalid_sns_message', 'Timestamp is not an ISO 8601 time.');
  if (now - sent > MAX_MESSAGE_AGE_MS) {
    throw new AppError(
      'sns_message_expired',
      `The message was sent at ${message.Timestamp}, over an hour ago.`,
    );
  }
}

function untrusted(field: string, why: string): AppError {
  return new AppError('untrusted_sns_url', `${field} ${why}.`);
}
