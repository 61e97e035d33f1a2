// RFC 2369 List-Unsubscribe with RFC 8058 one-click: mailbox providers (Gmail, Yahoo, Apple Mail)
// show an unsubscribe button that POSTs `List-Unsubscribe=One-Click` to the https URI; the mailto is
// the fallback RFC 2369 readers know. Both headers are plain ASCII (a token is base64url, an IDN
// sending domain is written in punycode), so SES's DKIM signature covers them unchanged, and the
// MIME builder folds the pair after the comma.
import { toAsciiEmail } from '@mailgrid/mime';

export const LIST_UNSUBSCRIBE = 'List-Unsubscribe';
export const LIST_UNSUBSCRIBE_POST = 'List-Unsubscribe-Post';

/**
 * The two headers merged into the customer's. A customer's own List-Unsubscribe (Resend documents
 * setting it through `headers`) wins: then neither of ours is added, and theirs go out as given.
 */
export function withListUnsubscribe(
  headers: Record<string, string>,
  pageUrl: string,
  sendingDomain: string,
  token: string,
): Record<string, string> {
  const names = Object.keys(headers).map((name) => name.toLowerCase());
  if (names.includes(LIST_UNSUBSCRIBE.toLowerCase())) return headers;
  const merged: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    // Alone, a customer's List-Unsubscribe-Post would pair with our URI: ours replaces it.
    if (name.toLowerCase() !== LIST_UNSUBSCRIBE_POST.toLowerCase()) merged[name] = value;
  }
  const mailbox = toAsciiEmail(`unsubscribe@${sendingDomain}`);
  merged[LIST_UNSUBSCRIBE] = `<${pageUrl}>, <mailto:${mailbox}?subject=unsubscribe-${token}>`;
  merged[LIST_UNSUBSCRIBE_POST] = 'List-Unsubscribe=One-Click';
  return merged;
}
