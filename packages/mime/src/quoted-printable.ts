const HEX = '0123456789ABCDEF';
const encoder = new TextEncoder();

const hexEscape = (byte: number): string => `=${HEX[byte >> 4]}${HEX[byte & 15]}`;

/**
 * Quoted-printable (RFC 2045 §6.7) of text as UTF-8. Line breaks (CRLF, LF or CR) become CRLF hard
 * breaks; encoded lines stay within 76 characters through soft breaks (`=` at the end of a line).
 * `=`, control characters and every non-ASCII byte are escaped, and so is a space or tab that would
 * end a line.
 *
 * With `terminated`, the result is empty or ends with CRLF and still decodes to exactly `text`: a
 * text that does not end with a line break gets a final soft break. That is for a body that ends
 * the message, where SMTP would otherwise add a line break to the content.
 */
export function encodeQuotedPrintable(text: string, terminated = false): string {
  const lines = text.split(/\r\n|\r|\n/);
  const softEnd = terminated && text !== '' && lines[lines.length - 1] !== '';
  return lines
    .map((line, i) => encodeLine(encoder.encode(line), softEnd && i === lines.length - 1))
    .join('\r\n');
}

/** One line of text; with `softEnd` it ends with a soft break (`=` CRLF). */
function encodeLine(bytes: Uint8Array, softEnd: boolean): string {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    const last = i === bytes.length - 1;
    let token: string;
    if (byte === 0x20 || byte === 0x09) {
      token = last ? hexEscape(byte) : String.fromCharCode(byte);
    } else if (byte >= 0x21 && byte <= 0x7e && byte !== 0x3d) {
      token = String.fromCharCode(byte);
    } else {
      token = hexEscape(byte);
    }
    // A soft break needs room for its `=`; the final token of the line may use the 76th column.
    const limit = last && !softEnd ? 76 : 75;
    if (current.length + token.length > limit) {
      out.push(`${current}=`);
      current = '';
    }
    current += token;
  }
  out.push(softEnd ? `${current}=\r\n` : current);
  return out.join('\r\n');
}
