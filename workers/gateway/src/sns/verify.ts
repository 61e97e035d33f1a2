// Verifying an SNS message end to end: topic, age, certificate URL, then the RSA signature over the
// canonical string (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA). Cheap checks run first, so
// junk never makes the gateway fetch a certificate.
import { AppError } from '@mailgrid/contracts';
import { CertificateFetchError, CertificateRefusedError, signingKeyInfo } from './certificate';
import { type SnsMessage, stringToSign } from './message';
import { checkAge, checkSnsUrl, checkTopic, type SnsPolicy } from './policy';

const HASH = { '1': 'SHA-1', '2': 'SHA-256' } as const;

export async function verifySnsMessage(message: SnsMessage, policy: SnsPolicy): Promise<void> {
  checkTopic(policy, message);
  checkAge(message);
  const certUrl = checkSnsUrl(policy, 'SigningCertURL', message.SigningCertURL, '.pem');

  let spki: Uint8Array;
  try {
    spki = await signingKeyInfo(certUrl.href);
  } catch (err) {
    // AWS unreachable is transient: a 5xx makes SNS retry. A URL without a certificate, or a
    // certificate we cannot read, is not: a 4xx, which SNS does not retry.
    if (err instanceof CertificateFetchError) {
      console.error(JSON.stringify({ sns: 'certificate fetch failed', error: err.message }));
      throw new AppError(
        'service_unavailable',
        'The SNS signing certificate could not be fetched; retry later.',
      );
    }
    // A URL that answers a 4xx or redirects serves no certificate: refused for good (and remembered).
    if (err instanceof CertificateRefusedError) {
      throw new AppError(err.redirect ? 'untrusted_sns_url' : 'invalid_signature', err.message);
    }
    throw new AppError(
      'invalid_signature',
      'The SNS signing certificate is not a readable X.509 certificate.',
    );
  }
  let key: CryptoKey;
  try {
    key = await verifyingKey(certUrl.href, spki, message.SignatureVersion);
  } catch {
    throw new AppError('invalid_signature', 'The SNS signing certificate does not hold an RSA public key.');
  }
  const signature = decodeBase64(message.Signature);
  const valid =
    signature !== null &&
    (await crypto.subtle.verify(
      'RSASSA-PKCS1-v1_5',
      key,
      signature,
      new TextEncoder().encode(stringToSign(message)),
    ));
  if (!valid) throw new AppError('invalid_signature', 'The SNS message signature does not verify.');
}

/**
 * The imported key, per certificate (whose key info is itself cached per isolate) and hash: every
 * notification of a burst is signed with the same certificate, so the import happens once, not per
 * POST. Bounded like the certificates: SNS signs with a handful. A failed import is not remembered.
 */
const keys = new Map<string, { spki: Uint8Array; key: Promise<CryptoKey> }>();

function verifyingKey(
  url: string,
  spki: Uint8Array,
  version: SnsMessage['SignatureVersion'],
): Promise<CryptoKey> {
  const id = `${version} ${url}`;
  const cached = keys.get(id);
  // The same key info object as the certificate cache holds; a certificate fetched again is imported again.
  if (cached?.spki === spki) return cached.key;
  const key = crypto.subtle.importKey(
    'spki',
    spki,
    { name: 'RSASSA-PKCS1-v1_5', hash: HASH[version] },
    false,
    ['verify'],
  );
  if (keys.size >= 100) keys.clear();
  keys.set(id, { spki, key });
  key.catch(() => keys.delete(id));
  return key;
}

function decodeBase64(value: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(value), (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}
