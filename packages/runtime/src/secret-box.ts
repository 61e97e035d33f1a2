// Secrets Mailgrid must read back to use (webhook signing secrets sign every delivery, and Resend's
// API shows them again) cannot be hashed like API keys: they are sealed with AES-256-GCM under a key
// derived (HKDF-SHA-256) from a worker secret, and stored as `enc1:<iv>:<ciphertext>` (base64). A value
// without the prefix was stored before sealing existed and is read as it is.

const PREFIX = 'enc1:';
const keys = new Map<string, Promise<CryptoKey>>();

function keyFor(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle
      .importKey('raw', new TextEncoder().encode(secret), 'HKDF', false, ['deriveKey'])
      .then((material) =>
        crypto.subtle.deriveKey(
          {
            name: 'HKDF',
            hash: 'SHA-256',
            salt: new Uint8Array(0),
            info: new TextEncoder().encode('mailgrid sealed secrets v1'),
          },
          material,
          { name: 'AES-GCM', length: 256 },
          false,
          ['encrypt', 'decrypt'],
        ),
      );
    keys.set(secret, key);
  }
  return key;
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (char) => char.charCodeAt(0));

/** `value` sealed under `keySecret` (a fresh IV each time). */
export async function sealSecret(value: string, keySecret: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv },
    await keyFor(keySecret),
    new TextEncoder().encode(value),
  );
  return `${PREFIX}${toBase64(iv)}:${toBase64(new Uint8Array(sealed))}`;
}

/** The value `sealSecret` sealed; a value stored before sealing is returned as it is. Throws on a wrong key. */
export async function openSecret(stored: string, keySecret: string): Promise<string> {
  if (!stored.startsWith(PREFIX)) return stored;
  const [iv, sealed] = stored.slice(PREFIX.length).split(':');
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromBase64(iv ?? '') },
    await keyFor(keySecret),
    fromBase64(sealed ?? ''),
  );
  return new TextDecoder().decode(plain);
}
