// The signing certificate behind a SigningCertURL, reduced to the one thing verification needs: its
// RSA public key (the DER SubjectPublicKeyInfo, which Web Crypto imports as 'spki').
//
// The certificate's chain is not validated: trust comes from where it was fetched (https on an SNS
// host, see policy.ts), as AWS's own SDK validators do. A small DER walk replaces an X.509 library:
// we need one field, and @peculiar/x509 / pkijs bring an ASN.1 schema framework (tens of kB minified,
// plus reflect-metadata) into a worker that only has to find subjectPublicKeyInfo.

/** Certificates by URL, per isolate. SNS rotates them rarely; a failed fetch is not remembered here. */
const cache = new Map<string, Promise<Uint8Array>>();

/**
 * How long a URL that answered no certificate (a 4xx, a redirect) stays refused without being
 * fetched again. AWS's certificate URLs do not come and go, so such a URL is a forgery's; remembering
 * it keeps a burst of messages naming it from becoming a burst of fetches.
 */
export const BAD_CERT_URL_TTL_MS = 10 * 60 * 1000;
/** Bad URLs remembered per isolate at most (the oldest is forgotten first). */
const MAX_BAD_URLS = 1000;
const badUrls = new Map<string, { error: CertificateRefusedError; until: number }>();

/** The SubjectPublicKeyInfo of the certificate at `url`, fetched once per isolate. */
export function signingKeyInfo(url: string): Promise<Uint8Array> {
  const bad = badUrls.get(url);
  if (bad) {
    if (bad.until > Date.now()) return Promise.reject(bad.error);
    badUrls.delete(url);
  }
  let pending = cache.get(url);
  if (!pending) {
    pending = fetchKeyInfo(url);
    cache.set(url, pending);
    pending.catch((err) => {
      cache.delete(url);
      if (err instanceof CertificateRefusedError) rememberBad(url, err);
    });
  }
  return pending;
}

function rememberBad(url: string, error: CertificateRefusedError): void {
  if (badUrls.size >= MAX_BAD_URLS) {
    const oldest = badUrls.keys().next().value;
    if (oldest !== undefined) badUrls.delete(oldest);
  }
  badUrls.set(url, { error, until: Date.now() + BAD_CERT_URL_TTL_MS });
}

/** Transient: the network, a 5xx, 408 or 429. The caller answers 503 so that SNS retries. */
export class CertificateFetchError extends Error {}
/** Lasting: the URL answered a 4xx or a redirect, so it serves no certificate. Remembered as bad. */
export class CertificateRefusedError extends Error {
  constructor(
    message: string,
    readonly redirect: boolean,
  ) {
    super(message);
  }
}
export class CertificateFormatError extends Error {}

async function fetchKeyInfo(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    // No redirects: a redirect could lead off the SNS host the URL was checked against.
    response = await fetch(url, { redirect: 'manual' });
  } catch (err) {
    throw new CertificateFetchError(`fetching ${url} failed: ${String(err)}`);
  }
  const { status } = response;
  if (!response.ok) await response.body?.cancel();
  if (status >= 300 && status < 400) {
    const location = response.headers.get('location')?.slice(0, 200);
    throw new CertificateRefusedError(
      `SigningCertURL ${url} redirects (${status}${location ? ` to ${location}` : ''}); the certificate must be served by the SNS host itself, and redirects are not followed.`,
      true,
    );
  }
  // 408 and 429 say "not now", not "not here".
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    throw new CertificateRefusedError(
      `SigningCertURL ${url} answered ${status}: there is no signing certificate there, so the message cannot be verified.`,
      false,
    );
  }
  if (!response.ok) throw new CertificateFetchError(`fetching ${url} answered ${status}`);
  let pem: string;
  try {
    pem = await response.text();
  } catch (err) {
    throw new CertificateFetchError(`reading ${url} failed: ${String(err)}`);
  }
  return subjectPublicKeyInfo(pemToDer(pem));
}

/** The DER bytes of the first CERTIFICATE block of a PEM text. */
export function pemToDer(pem: string): Uint8Array {
  const match = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  if (!match?.[1]) throw new CertificateFormatError('no PEM CERTIFICATE block');
  try {
    return Uint8Array.from(atob(match[1].replace(/\s+/g, '')), (char) => char.charCodeAt(0));
  } catch {
    throw new CertificateFormatError('the PEM block is not base64');
  }
}

/**
 * Walks an X.509 certificate to its SubjectPublicKeyInfo (RFC 5280 §4.1):
 *
 *   Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
 *   TBSCertificate ::= SEQUENCE {
 *     version [0] EXPLICIT OPTIONAL, serialNumber, signature, issuer, validity, subject,
 *     subjectPublicKeyInfo, ... }
 *
 * and returns that element whole (tag, length and contents), which is what 'spki' import takes.
 */
export function subjectPublicKeyInfo(der: Uint8Array): Uint8Array {
  const certificate = readElement(der, 0, SEQUENCE);
  const tbs = readElement(der, certificate.contentStart, SEQUENCE);
  let offset = tbs.contentStart;
  // The version is present (tagged [0]) in every v3 certificate, absent in v1 ones.
  if (der[offset] === CONTEXT_0) offset = readElement(der, offset).end;
  // serialNumber, signature, issuer, validity, subject: skipped whole.
  for (let field = 0; field < 5; field++) offset = readElement(der, offset).end;
  const spki = readElement(der, offset, SEQUENCE);
  if (spki.end > tbs.end) throw new CertificateFormatError('subjectPublicKeyInfo overruns tbsCertificate');
  return der.subarray(offset, spki.end);
}

const SEQUENCE = 0x30;
const CONTEXT_0 = 0xa0;

interface Element {
  contentStart: number;
  /** Offset just past the element. */
  end: number;
}

/** One DER TLV at `offset` (single-byte tags are all X.509 uses up to the key), checked against `der`. */
function readElement(der: Uint8Array, offset: number, expectedTag?: number): Element {
  const tag = der[offset];
  if (tag === undefined) throw new CertificateFormatError('truncated certificate');
  if (expectedTag !== undefined && tag !== expectedTag) {
    throw new CertificateFormatError(`expected tag 0x${expectedTag.toString(16)} at ${offset}`);
  }
  const first = der[offset + 1];
  if (first === undefined) throw new CertificateFormatError('truncated certificate');
  let length = first;
  let contentStart = offset + 2;
  if (first & 0x80) {
    // Long form: the low bits count the length bytes. DER never uses 0x80 (indefinite), and no
    // certificate needs more than 4 length bytes.
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new CertificateFormatError('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) {
      const byte = der[contentStart + i];
      if (byte === undefined) throw new CertificateFormatError('truncated certificate');
      length = length * 256 + byte;
    }
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > der.length) throw new CertificateFormatError('truncated certificate');
  return { contentStart, end };
}
