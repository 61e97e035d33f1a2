const encoder = new TextEncoder();

/** Longest piece of an RFC 2231 extended value per segment, so each fits a 78-character line. */
const CHUNK = 60;
/**
 * Longest quoted ASCII value kept as one plain `name="..."` segment. Longer than 78 characters is
 * allowed (the 998 limit is the hard one) and is read by every client, where continuations are not.
 */
const PLAIN_MAX = 900;

/** RFC 2231 attribute-char: what may stand unescaped in an extended (`*=`) value. */
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/;

const quote = (value: string): string => `"${value.replace(/[\\"]/g, '\\$&')}"`;

/** Percent-encoded UTF-8 as RFC 2231 extended values take it, cut into pieces of about CHUNK characters. */
function percentEncodedChunks(value: string): string[] {
  const chunks: string[] = [];
  let chunk = '';
  for (const char of value) {
    let piece = '';
    if (ATTR_CHAR.test(char)) piece = char;
    else
      for (const byte of encoder.encode(char))
        piece += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    if (chunk.length + piece.length > CHUNK && chunk !== '') {
      chunks.push(chunk);
      chunk = '';
    }
    chunk += piece;
  }
  chunks.push(chunk);
  return chunks;
}

/**
 * A MIME parameter (`name="value"`) as one or more `; `-separated segments, all 7-bit. Printable
 * ASCII values are quoted (RFC 2231 continuations `name*0="..."` only past PLAIN_MAX characters);
 * non-ASCII ones use RFC 2231 (`name*=utf-8''%C3%BC...`, continued as `name*0*=`, `name*1*=`... when
 * long) after a plain ASCII fallback (`name="..."`) for readers without RFC 2231.
 */
export function encodeParameter(name: string, value: string): string[] {
  if (/^[\x20-\x7e]*$/.test(value)) {
    if (quote(value).length <= PLAIN_MAX) return [`${name}=${quote(value)}`];
    const segments: string[] = [];
    for (let i = 0; i * CHUNK < value.length; i++) {
      segments.push(`${name}*${i}=${quote(value.slice(i * CHUNK, (i + 1) * CHUNK))}`);
    }
    return segments;
  }
  // No quote or backslash, and short enough: the fallback is always one plain segment.
  const fallback = asciiFallback(value)
    .replace(/["\\]/g, '_')
    .slice(-(PLAIN_MAX - 2));
  const chunks = percentEncodedChunks(value);
  const extended =
    chunks.length === 1
      ? [`${name}*=utf-8''${chunks[0]}`]
      : chunks.map((chunk, i) => `${name}*${i}*=${i === 0 ? "utf-8''" : ''}${chunk}`);
  return [...encodeParameter(name, fallback), ...extended];
}

/** Printable ASCII stand-in for a name: accents dropped (`Grüße.pdf` → `Grusse.pdf`), other runs of non-ASCII as `_`. */
export function asciiFallback(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .replace(/[^\x20-\x7e]+/gu, '_');
}
