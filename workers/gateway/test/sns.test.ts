// POST /api/webhooks/ses: SNS signature verification, the URL/topic/age checks, and what a verified
// message leads to (a queued notification, a confirmed subscription). Messages are signed here with a
// test-only key whose self-signed certificate a stubbed fetch serves at the SigningCertURL.
import type { SesNotificationMessage } from '@mailgrid/contracts';
import { afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import type { Env } from '../src/env';
import { BAD_CERT_URL_TTL_MS, pemToDer, subjectPublicKeyInfo } from '../src/sns/certificate';
import certPem from './fixtures/sns-test-cert.pem?raw';
import keyPem from './fixtures/sns-test-key.pem?raw';
import { call, realEnv, testEnv } from './helpers';

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:mailgrid-ses-events';
const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem';
const SUBSCRIBE_URL =
  'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=t0k3n';
const SES_EVENT = JSON.stringify({ eventType: 'Delivery', mail: { messageId: 'ses-1' } });

type Version = '1' | '2';
type Fields = Record<string, string>;

let fetchSpy: MockInstance<typeof fetch>;
let sendSpy: MockInstance<Env['EVENTS_QUEUE']['send']>;
/** Other certificates the stubbed fetch serves, by URL (the cache tests use fresh URLs). */
const extraCerts = new Map<string, () => Response>();

beforeEach(() => {
  fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url === CERT_URL || url === 'http://127.0.0.1:8787/cert.pem') return new Response(certPem);
    const extra = extraCerts.get(url);
    if (extra) return extra();
    if (url === SUBSCRIBE_URL || url.startsWith('http://127.0.0.1:8787/confirm')) {
      return new Response('<ConfirmSubscriptionResponse/>');
    }
    return new Response('not stubbed', { status: 404 });
  });
  sendSpy = vi.spyOn(realEnv.EVENTS_QUEUE, 'send');
});

afterEach(() => {
  vi.restoreAllMocks();
});

function fetched(url: string): number {
  return fetchSpy.mock.calls.filter(
    ([input]) => (input instanceof Request ? input.url : String(input)) === url,
  ).length;
}

function pemBody(pem: string): Uint8Array {
  const base64 = pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
}

const HASH = { '1': 'SHA-1', '2': 'SHA-256' } as const;

async function importSigningKey(pkcs8: Uint8Array, version: Version): Promise<CryptoKey> {
  return crypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash: HASH[version] }, false, [
    'sign',
  ]);
}

/** SNS's string to sign, written out independently of src/sns/message.ts. */
function canonical(fields: Fields): string {
  const names =
    fields.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return names
    .filter((name) => fields[name] !== undefined)
    .map((name) => `${name}\n${fields[name]}\n`)
    .join('');
}

async function sign(fields: Fields, version: Version, pkcs8 = pemBody(keyPem)): Promise<Fields> {
  const key = await importSigningKey(pkcs8, version);
  const signature = await crypto.subtle.sign(
    'RSASSA-PKCS1-v1_5',
    key,
    new TextEncoder().encode(canonical(fields)),
  );
  return { ...fields, Signature: btoa(String.fromCharCode(...new Uint8Array(signature))) };
}

function notification(overrides: Fields = {}, version: Version = '2'): Fields {
  return {
    Type: 'Notification',
    MessageId: crypto.randomUUID(),
    TopicArn: TOPIC,
    Message: SES_EVENT,
    Timestamp: new Date().toISOString(),
    SignatureVersion: version,
    SigningCertURL: CERT_URL,
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
    ...overrides,
  };
}

function confirmation(type: string, overrides: Fields = {}): Fields {
  return {
    Type: type,
    MessageId: crypto.randomUUID(),
    Token: 't0k3n',
    TopicArn: TOPIC,
    Message: 'You have chosen to subscribe to the topic.',
    SubscribeURL: SUBSCRIBE_URL,
    Timestamp: new Date().toISOString(),
    SignatureVersion: '2',
    SigningCertURL: CERT_URL,
    ...overrides,
  };
}

/** Posts like SNS does: JSON as text/plain, the type in a header, and no API key. */
function deliver(body: Fields | string, targetEnv: Env = testEnv()): Promise<Response> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=UTF-8' };
  if (typeof body !== 'string' && body.Type) headers['x-amz-sns-message-type'] = body.Type;
  return call('/api/webhooks/ses', { method: 'POST', headers, body: text }, targetEnv);
}

async function expectRefused(response: Response, status: number, name: string, mentions?: string) {
  const body = await response.json<{
    statusCode: number;
    name: string;
    message: string;
    request_id: string;
  }>();
  expect({ status: response.status, name: body.name }).toEqual({ status, name });
  expect(body.statusCode).toBe(status);
  expect(body.request_id).toBe(response.headers.get('x-request-id'));
  if (mentions) expect(body.message).toContain(mentions);
  // A refused delivery stores and enqueues nothing.
  expect(sendSpy).not.toHaveBeenCalled();
}

describe('the certificate parser', () => {
  it("finds the certificate's SubjectPublicKeyInfo: the public half of the fixture key", async () => {
    const privateKey = await crypto.subtle.importKey(
      'pkcs8',
      pemBody(keyPem),
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      true,
      ['sign'],
    );
    const jwk = (await crypto.subtle.exportKey('jwk', privateKey)) as JsonWebKey;
    const publicKey = await crypto.subtle.importKey(
      'jwk',
      { kty: jwk.kty, n: jwk.n, e: jwk.e },
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      true,
      ['verify'],
    );
    const expected = new Uint8Array((await crypto.subtle.exportKey('spki', publicKey)) as ArrayBuffer);
    expect([...subjectPublicKeyInfo(pemToDer(certPem))]).toEqual([...expected]);
  });

  it('refuses a truncated certificate', () => {
    const der = pemToDer(certPem);
    expect(() => subjectPublicKeyInfo(der.subarray(0, 200))).toThrow(/truncated|overruns/);
  });
});

describe('a valid Notification', () => {
  it.each([
    ['1', false],
    ['1', true],
    ['2', false],
    ['2', true],
  ] as const)(
    'with SignatureVersion %s (Subject: %s) is 200 and enqueued once',
    async (version, withSubject) => {
      const fields = notification(
        withSubject ? { Subject: 'Amazon SES Email Event Notification' } : {},
        version,
      );
      const response = await deliver(await sign(fields, version));
      expect(response.status).toBe(200);
      expect(sendSpy).toHaveBeenCalledTimes(1);
      const queued = sendSpy.mock.calls[0]?.[0] as SesNotificationMessage;
      expect(queued).toEqual({
        kind: 'ses.notification',
        sns_message_id: fields.MessageId,
        topic_arn: TOPIC,
        received_at: expect.any(String),
        message: SES_EVENT,
      });
      expect(Date.now() - Date.parse(queued.received_at)).toBeLessThan(60_000);
    },
  );

  it('needs no API key and is not subject to the content-type check (SNS sends text/plain)', async () => {
    const response = await call('/api/webhooks/ses', {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=UTF-8' },
      body: JSON.stringify(await sign(notification(), '2')),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    // Public routes take no tenant rate-limit token.
    expect(response.headers.get('ratelimit-limit')).toBeNull();
  });
});

describe('a forged or altered Notification', () => {
  it('with a made-up signature is 403 invalid_signature', async () => {
    const forged = { ...(await sign(notification(), '2')), Signature: btoa('x'.repeat(256)) };
    await expectRefused(await deliver(forged), 403, 'invalid_signature');
  });

  it('with a signature that is not base64 is 403 invalid_signature', async () => {
    const forged = { ...(await sign(notification(), '2')), Signature: '***' };
    await expectRefused(await deliver(forged), 403, 'invalid_signature');
  });

  it.each(['Message', 'MessageId', 'TopicArn', 'Type'])(
    'with %s changed after signing is 403',
    async (field) => {
      const signed = await sign(notification(), '1');
      const tampered: Fields = { ...signed };
      if (field === 'Message') tampered.Message = SES_EVENT.replace('Delivery', 'Bounce');
      if (field === 'MessageId') tampered.MessageId = crypto.randomUUID();
      // Still an allowed topic (so the signature is what refuses it), just not the signed one.
      if (field === 'TopicArn') tampered.TopicArn = `${TOPIC}-2`;
      if (field === 'Type') tampered.Type = 'UnsubscribeConfirmation';
      const env = testEnv();
      env.SNS_TOPIC_ARNS = `${TOPIC},${TOPIC}-2`;
      if (field === 'Type') {
        tampered.SubscribeURL = SUBSCRIBE_URL;
        tampered.Token = 't';
      }
      await expectRefused(await deliver(tampered, env), 403, 'invalid_signature');
    },
  );

  it('with a Subject added after signing is 403 (Subject is signed when present)', async () => {
    const signed = await sign(notification(), '2');
    await expectRefused(await deliver({ ...signed, Subject: 'hello' }), 403, 'invalid_signature');
  });

  it('signed by another key than the certificate holds is 403', async () => {
    const other = (await crypto.subtle.generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      true,
      ['sign', 'verify'],
    )) as CryptoKeyPair;
    const pkcs8 = new Uint8Array((await crypto.subtle.exportKey('pkcs8', other.privateKey)) as ArrayBuffer);
    await expectRefused(await deliver(await sign(notification(), '2', pkcs8)), 403, 'invalid_signature');
  });

  it('signed with SHA-256 but claiming SignatureVersion 1 is 403 (the version picks the hash)', async () => {
    const signed = await sign(notification({}, '2'), '2');
    await expectRefused(await deliver({ ...signed, SignatureVersion: '1' }), 403, 'invalid_signature');
  });
});

describe('the SigningCertURL', () => {
  it.each([
    ['on a non-SNS host', 'https://evil.example.com/SimpleNotificationService-test.pem', 'not an SNS host'],
    ['on a look-alike host', 'https://sns.us-east-1.amazonaws.com.evil.example/x.pem', 'not an SNS host'],
    [
      'on an SNS host over http',
      'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem',
      'https',
    ],
    ['on loopback over http without the dev flag', 'http://127.0.0.1:8787/cert.pem', 'https'],
    ['not ending in .pem', 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.crt', '.pem'],
    ['that is not a URL', 'sns.us-east-1.amazonaws.com/x.pem', 'not a URL'],
  ])('%s is 403 untrusted_sns_url and never fetched', async (_, url, mentions) => {
    // Signed over the bad URL's message: the URL check, not the signature, is what refuses it.
    const response = await deliver(await sign(notification({ SigningCertURL: url }), '2'));
    await expectRefused(response, 403, 'untrusted_sns_url', mentions);
    expect(fetched(url)).toBe(0);
  });

  it('may be http on loopback when SNS_ALLOW_INSECURE_CERT_URL is true (development)', async () => {
    const url = 'http://127.0.0.1:8787/cert.pem';
    const env = { ...testEnv(), SNS_ALLOW_INSECURE_CERT_URL: 'true' };
    const response = await deliver(await sign(notification({ SigningCertURL: url }), '2'), env);
    expect(response.status).toBe(200);
    expect(fetched(url)).toBe(1);
  });

  it('may not be http in production even with the flag set', async () => {
    const url = 'http://127.0.0.1:8787/cert.pem';
    const env = { ...testEnv(), ENVIRONMENT: 'production', SNS_ALLOW_INSECURE_CERT_URL: 'true' };
    await expectRefused(
      await deliver(await sign(notification({ SigningCertURL: url }), '2'), env),
      403,
      'untrusted_sns_url',
    );
  });

  it('must match SNS_CERT_HOST_PATTERN when that is overridden', async () => {
    const env = { ...testEnv(), SNS_CERT_HOST_PATTERN: '^sns\\.eu-west-1\\.amazonaws\\.com$' };
    await expectRefused(await deliver(await sign(notification(), '2'), env), 403, 'untrusted_sns_url');
  });
});

describe('the signing certificate', () => {
  it('is fetched once for many messages (cached per isolate by URL)', async () => {
    const url = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-cache.pem';
    extraCerts.set(url, () => new Response(certPem));
    for (let i = 0; i < 5; i++) {
      const response = await deliver(
        await sign(notification({ SigningCertURL: url }, i % 2 ? '1' : '2'), i % 2 ? '1' : '2'),
      );
      expect(response.status).toBe(200);
    }
    expect(sendSpy).toHaveBeenCalledTimes(5);
    expect(fetched(url)).toBe(1);
  });

  it('that cannot be fetched is a 503 (SNS retries), and the failure is not cached', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const url = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-flaky.pem';
    extraCerts.set(url, () => new Response('down', { status: 500 }));
    await expectRefused(
      await deliver(await sign(notification({ SigningCertURL: url }), '2')),
      503,
      'service_unavailable',
    );
    extraCerts.set(url, () => new Response(certPem));
    expect((await deliver(await sign(notification({ SigningCertURL: url }), '2'))).status).toBe(200);
    expect(fetched(url)).toBe(2);
  });

  it('whose URL answers 404 is 403 invalid_signature, and the URL is not fetched again for 10 minutes', async () => {
    const url = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-gone.pem';
    extraCerts.set(url, () => new Response('no such key', { status: 404 }));
    for (let i = 0; i < 3; i++) {
      await expectRefused(
        await deliver(await sign(notification({ SigningCertURL: url }), '2')),
        403,
        'invalid_signature',
        'answered 404',
      );
    }
    expect(fetched(url)).toBe(1);

    // Remembered as bad for BAD_CERT_URL_TTL_MS, then asked again.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + BAD_CERT_URL_TTL_MS - 5_000);
      await expectRefused(
        await deliver(await sign(notification({ SigningCertURL: url }), '2')),
        403,
        'invalid_signature',
      );
      expect(fetched(url)).toBe(1);
      vi.setSystemTime(Date.now() + 10_000);
      extraCerts.set(url, () => new Response(certPem));
      expect((await deliver(await sign(notification({ SigningCertURL: url }), '2'))).status).toBe(200);
      expect(fetched(url)).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('whose URL redirects is 403 untrusted_sns_url: the redirect is not followed, and the URL is remembered', async () => {
    const url = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-moved.pem';
    const elsewhere = 'https://attacker.example/cert.pem';
    extraCerts.set(url, () => new Response(null, { status: 302, headers: { location: elsewhere } }));
    extraCerts.set(elsewhere, () => new Response(certPem));
    for (let i = 0; i < 2; i++) {
      await expectRefused(
        await deliver(await sign(notification({ SigningCertURL: url }), '2')),
        403,
        'untrusted_sns_url',
        'redirects (302',
      );
    }
    expect(fetched(url)).toBe(1);
    expect(fetched(elsewhere)).toBe(0);
  });

  it.each([
    [429, 'Too Many Requests'],
    [408, 'Request Timeout'],
    [503, 'Service Unavailable'],
  ])('whose URL answers %i (%s) is a 503 that SNS retries, not remembered', async (status) => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const url = `https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-busy-${status}.pem`;
    extraCerts.set(url, () => new Response('later', { status }));
    for (let i = 0; i < 2; i++) {
      await expectRefused(
        await deliver(await sign(notification({ SigningCertURL: url }), '2')),
        503,
        'service_unavailable',
      );
    }
    expect(fetched(url)).toBe(2);
  });

  it('whose URL cannot be reached is a 503 (SNS retries)', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const url = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-unreachable.pem';
    extraCerts.set(url, () => {
      throw new TypeError('Network connection lost.');
    });
    await expectRefused(
      await deliver(await sign(notification({ SigningCertURL: url }), '2')),
      503,
      'service_unavailable',
    );
  });

  it('that is not a certificate is 403 invalid_signature', async () => {
    const url = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-junk.pem';
    extraCerts.set(url, () => new Response('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'));
    await expectRefused(
      await deliver(await sign(notification({ SigningCertURL: url }), '2')),
      403,
      'invalid_signature',
    );
  });
});

describe('topic and age', () => {
  it('a TopicArn outside SNS_TOPIC_ARNS is 403 unknown_sns_topic', async () => {
    const other = 'arn:aws:sns:us-east-1:111111111111:someone-elses-topic';
    const response = await deliver(await sign(notification({ TopicArn: other }), '2'));
    await expectRefused(response, 403, 'unknown_sns_topic', other);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('a validly signed message over an hour old is 403 sns_message_expired', async () => {
    const stale = new Date(Date.now() - 61 * 60 * 1000).toISOString();
    await expectRefused(
      await deliver(await sign(notification({ Timestamp: stale }), '2')),
      403,
      'sns_message_expired',
    );
  });

  it('a message 59 minutes old is still accepted', async () => {
    const recent = new Date(Date.now() - 59 * 60 * 1000).toISOString();
    expect((await deliver(await sign(notification({ Timestamp: recent }), '2'))).status).toBe(200);
  });
});

describe('a malformed delivery', () => {
  it.each([
    'MessageId',
    'TopicArn',
    'Message',
    'Timestamp',
    'Signature',
    'SigningCertURL',
    'SignatureVersion',
    'Type',
  ])('without %s is 400 invalid_sns_message', async (field) => {
    const signed = await sign(notification(), '2');
    delete signed[field];
    await expectRefused(await deliver(signed), 400, 'invalid_sns_message');
  });

  it.each([
    ['an unknown SignatureVersion', { SignatureVersion: '3' }],
    ['an unknown Type', { Type: 'Surprise' }],
    ['a Timestamp that is not a time', { Timestamp: 'yesterday' }],
  ])('with %s is 400 invalid_sns_message', async (_, overrides) => {
    await expectRefused(
      await deliver({ ...(await sign(notification(), '2')), ...overrides }),
      400,
      'invalid_sns_message',
    );
  });

  it('whose header type disagrees with its Type is 400', async () => {
    const response = await call('/api/webhooks/ses', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-amz-sns-message-type': 'SubscriptionConfirmation' },
      body: JSON.stringify(await sign(notification(), '2')),
    });
    await expectRefused(response, 400, 'invalid_sns_message');
  });

  it.each([
    ['malformed JSON', '{"Type": "Notification",'],
    ['an empty body', ''],
  ])('with %s is 400 invalid_json', async (_, body) => {
    await expectRefused(await deliver(body), 400, 'invalid_json');
  });

  it.each([
    ['an array', '[]'],
    ['a string', '"Notification"'],
  ])('that is %s is 400 invalid_sns_message', async (_, body) => {
    await expectRefused(await deliver(body), 400, 'invalid_sns_message');
  });

  it('over 256 KB is 413 payload_too_large', async () => {
    const big = await sign(notification({ Message: 'x'.repeat(256 * 1024) }), '2');
    await expectRefused(await deliver(big), 413, 'payload_too_large');
  });

  it('with another method is 405', async () => {
    const response = await call('/api/webhooks/ses');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});

describe('subscription messages', () => {
  beforeAll(() => {
    // The confirmation log lines are expected noise here.
    vi.spyOn(console, 'log').mockImplementation(() => {});
  });

  it('a SubscriptionConfirmation is confirmed by fetching its SubscribeURL, and enqueues nothing', async () => {
    const response = await deliver(await sign(confirmation('SubscriptionConfirmation'), '2'));
    expect(response.status).toBe(200);
    expect(fetched(SUBSCRIBE_URL)).toBe(1);
    expect(sendSpy).not.toHaveBeenCalled();
  });

  it('a SubscriptionConfirmation whose SubscribeURL is on a foreign host is 403 and not fetched', async () => {
    const foreign = 'https://evil.example.com/?Action=ConfirmSubscription&Token=t0k3n';
    const response = await deliver(
      await sign(confirmation('SubscriptionConfirmation', { SubscribeURL: foreign }), '2'),
    );
    await expectRefused(response, 403, 'untrusted_sns_url', 'SubscribeURL');
    expect(fetched(foreign)).toBe(0);
  });

  it('a forged SubscriptionConfirmation is 403 and its SubscribeURL is not fetched', async () => {
    const signed = await sign(confirmation('SubscriptionConfirmation'), '2');
    const forged = { ...signed, Token: 'another-token' };
    await expectRefused(await deliver(forged), 403, 'invalid_signature');
    expect(fetched(SUBSCRIBE_URL)).toBe(0);
  });

  it('a SubscriptionConfirmation without SubscribeURL is 400', async () => {
    const signed = await sign(confirmation('SubscriptionConfirmation'), '2');
    delete signed.SubscribeURL;
    await expectRefused(await deliver(signed), 400, 'invalid_sns_message', 'SubscribeURL');
  });

  it('an UnsubscribeConfirmation is verified and answered 200 without confirming anything', async () => {
    const response = await deliver(
      await sign(confirmation('UnsubscribeConfirmation', { SignatureVersion: '1' }), '1'),
    );
    expect(response.status).toBe(200);
    expect(fetched(SUBSCRIBE_URL)).toBe(0);
    expect(sendSpy).not.toHaveBeenCalled();
  });

  it('a forged UnsubscribeConfirmation is 403', async () => {
    const signed = await sign(confirmation('UnsubscribeConfirmation', { SignatureVersion: '1' }), '1');
    await expectRefused(await deliver({ ...signed, Message: 'changed' }), 403, 'invalid_signature');
  });
});
