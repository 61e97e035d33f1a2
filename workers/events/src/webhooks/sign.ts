// Standard Webhooks signing: `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`,
// keyed with the bytes the secret's base64 (after `whsec_`) encodes, as receivers' libraries expect.
// With several secrets (during a rotation's overlap) the header carries one signature per secret,
// space-separated, as the spec allows: a receiver holding any one of them verifies.

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export async function signDelivery(
  secrets: string | readonly string[],
  id: string,
  timestampSeconds: number,
  body: string,
): Promise<SignedHeaders> {
  const signatures = await Promise.all(
    (typeof secrets === 'string' ? [secrets] : secrets).map((secret) =>
      signature(secret, `${id}.${timestampSeconds}.${body}`),
    ),
  );
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signatures.map((value) => `v1,${value}`).join(' '),
  };
}

async function signature(secret: string, content: string): Promise<string> {
  const keyBytes = Uint8Array.from(atob(secret.replace(/^whsec_/, '')), (char) => char.charCodeAt(0));
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(content));
  return btoa(String.fromCharCode(...new Uint8Array(mac)));
}
