const ALPHABET = new TextEncoder().encode('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
const PAD = 0x3d;
const decoder = new TextDecoder();

/**
 * Standard base64 (RFC 4648, with padding), written as ASCII bytes and decoded once: far faster than
 * building a string per character or `String.fromCharCode(...)`, for attachments of megabytes.
 * With `lineLength` (a multiple of 4) a CRLF follows every full line except at the very end.
 */
function encode(bytes: Uint8Array, lineLength = 0): string {
  const quads = Math.ceil(bytes.length / 3);
  const lineBreaks = lineLength > 0 ? Math.max(0, Math.ceil((quads * 4) / lineLength) - 1) : 0;
  const out = new Uint8Array(quads * 4 + lineBreaks * 2);
  const quadsPerLine = lineLength / 4;
  let o = 0;
  let quad = 0;
  for (let i = 0; i < bytes.length; i += 3) {
    if (quadsPerLine > 0 && quad > 0 && quad % quadsPerLine === 0) {
      out[o++] = 0x0d;
      out[o++] = 0x0a;
    }
    quad++;
    const rest = bytes.length - i;
    const n =
      ((bytes[i] as number) << 16) |
      ((rest > 1 ? (bytes[i + 1] as number) : 0) << 8) |
      (rest > 2 ? (bytes[i + 2] as number) : 0);
    out[o++] = ALPHABET[n >> 18] as number;
    out[o++] = ALPHABET[(n >> 12) & 63] as number;
    out[o++] = rest > 1 ? (ALPHABET[(n >> 6) & 63] as number) : PAD;
    out[o++] = rest > 2 ? (ALPHABET[n & 63] as number) : PAD;
  }
  return decoder.decode(out);
}

/** Standard base64 (RFC 4648, with padding) of raw bytes, on one line. */
export function base64(bytes: Uint8Array): string {
  return encode(bytes);
}

/** Base64 body for a MIME part: lines of 76 characters joined with CRLF, no trailing CRLF. */
export function base64Body(bytes: Uint8Array): string {
  return encode(bytes, 76);
}
