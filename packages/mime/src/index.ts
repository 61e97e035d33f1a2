export { formatAddress, isValidEmail, parseAddress, toAsciiEmail } from './address';
export { base64 } from './base64';
export { buildMime, formatDate, RESERVED_HEADERS } from './build-mime';
export { encodeHeaderWord } from './encoded-word';
export { foldHeader } from './header';
export { decodeEntities, htmlToText } from './html-to-text';
export { encodeParameter } from './parameters';
export { encodeQuotedPrintable } from './quoted-printable';
export type { Address, Attachment, MimeMessage } from './types';
