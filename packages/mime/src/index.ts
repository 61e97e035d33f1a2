export { formatAddress, isValidEmail, parseAddress, toAsciiEmail } from './address';
export { base64 } from './base64';
export { buildMime, formatDate } from './build-mime';
export { encodeHeaderWord } from './encoded-word';
export { canFold, foldHeader, foldText } from './header';
export { decodeEntities, htmlToText } from './html-to-text';
export { encodeParameter } from './parameters';
export { encodeQuotedPrintable } from './quoted-printable';
export type { Address, Attachment, MimeMessage } from './types';
export {
  bareContentId,
  contentIdProblem,
  contentTypeProblem,
  headerNameProblem,
  headerTextProblem,
  MAX_CONTENT_ID_LENGTH,
  MAX_CONTENT_TYPE_LENGTH,
  MAX_HEADER_NAME_LENGTH,
  RESERVED_HEADERS,
} from './validate';
