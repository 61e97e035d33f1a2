// The signing certificate behind a SigningCertURL, reduced to the one thing verification needs: its
// RSA public key (the DER SubjectPublicKeyInfo, which Web Crypto imports as 'spki').
//
// The certificate's chain is not validated: trust comes from where it was fetched (https on an SNS
// host, see policy.ts), as AWS's own SDK validators do. A small DER walk replaces an X.509 library:
// we need one field, and @peculiar/x509 / pkijs bring an ASN.1 schema framework (tens of kB minified,
// plus reflect-metadata) into a worker that only has to find subjectPublicKeyInfo.

/** Certificates by URL, per isolate. SNS rotates them rarely; a failed fetch is not remembered. */
const cache = new Map<string, Promise<Uint8Array>>();

/** The SubjectPublicKeyInfo of the certificate at `url`, fetched once per isolate. */
export function signingKeyInfo(url: string): Promise<Uint8Array> {
  let pending = cache.get(url);
  if (!pending) {
    pending = fetchKeyInfo(url);
    cache.set(url, pending);
    pending.catch(() => cache.delete(url));
  }
  return pending;
}

export class CertificateFetchError extends Error {}
export class CertificateFormatError extends Error {}

async function fetchKeyInfo(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    // No redirects: a redirect could lead off the SNS host the URL was checked against.
    response = await fetch(url, { redirect: 'manual' });
  } catch (err) {
    throw new CertificateFetchError(`fetching ${url} failed: ${String(err)}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new CertificateFetchError(`fetching ${url} answered ${response.status}`);
  }
  return subjectPublicKeyInfo(pemToDer(await response.text()));
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
