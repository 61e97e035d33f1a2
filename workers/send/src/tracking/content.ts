// What tracking changes in an email before its MIME is built (once: the EML is archived and retries
// send the same bytes): the html's links and open pixel, and the List-Unsubscribe headers. The text
// part is sent as written (no click links in plain text).
//
// Tokens name one reader: the copy's own recipient when an email goes out as one copy per recipient
// (deliver.ts does so whenever there are tokens and several recipients), else the first recipient.
import type { EmailRow, SendSettings } from '@mailgrid/db';
import { parseAddress } from '@mailgrid/mime';
import { signingKeysOf, signToken, type TrackingClaims } from '@mailgrid/tracking-tokens';
import type { StoredBody } from '../body-store';
import { personalise } from '../broadcasts/content';
import { config, type Env } from '../env';
import { rewriteHtml } from './rewrite';
import { trackingDecision } from './settings';
import { withListUnsubscribe } from './unsubscribe-headers';

/** Tokens outlive any sensible interest in an email, and then stop working. */
export const TOKEN_LIFETIME_SECONDS = 365 * 24 * 60 * 60;

export interface TrackedContent {
  subject: string;
  html: string | null;
  text: string | null;
  headers: Record<string, string>;
}

export async function trackedContent(
  env: Env,
  settings: SendSettings,
  row: EmailRow,
  body: StoredBody,
  sendingDomain: string,
  now: Date,
  /** The one address this copy goes to; null: the email's first recipient. */
  reader: string | null = null,
): Promise<TrackedContent> {
  const decision = trackingDecision(env, settings, row);
  const recipient = reader ?? firstRecipient(row);
  const trackHtml = body.html !== null && (decision.opens || decision.clicks);
  const personal = row.merge_data !== null;
  const plain = { subject: row.subject, html: body.html, text: body.text, headers: body.headers };
  if (recipient === null || (!trackHtml && !decision.listUnsubscribe && !personal)) return plain;
  const keys = signingKeysOf(config(env));
  const issuedAt = Math.floor(now.getTime() / 1000);
  const sign = (claims: Pick<TrackingClaims, 'action' | 'url' | 'topic_id'>) =>
    signToken(keys, {
      ...claims,
      tenant_id: row.tenant_id,
      email_id: row.id,
      recipient,
      issued_at: issuedAt,
      expires_at: issuedAt + TOKEN_LIFETIME_SECONDS,
    });
  const base = decision.baseUrl;
  let unsubscribeToken: Promise<string> | undefined;
  const unsubscribe = () => {
    unsubscribeToken ??= sign({
      action: 'unsubscribe',
      ...(row.topic_id === null ? {} : { topic_id: row.topic_id }),
    });
    return unsubscribeToken;
  };

  // A broadcast's merge tags first, so its unsubscribe link is in place (and never click-tracked).
  const {
    subject,
    html: personalHtml,
    text,
  } = personal ? personalise(body, row, `${base}/u/${await unsubscribe()}`) : plain;
  let html = personalHtml;
  if (html !== null && trackHtml) {
    html = await rewriteHtml(html, {
      clickUrl: decision.clicks ? async (url) => `${base}/c/${await sign({ action: 'click', url })}` : null,
      pixelUrl: decision.opens ? `${base}/o/${await sign({ action: 'open' })}` : null,
      trackingHosts: decision.trackingHosts,
    });
  }
  let headers = body.headers;
  if (decision.listUnsubscribe) {
    const token = await unsubscribe();
    headers = withListUnsubscribe(headers, `${base}/u/${token}`, sendingDomain, token);
  }
  return { subject, html, text, headers };
}

/** The address the email's tokens name: the first of to, cc, bcc; bare and lower-cased. */
function firstRecipient(row: EmailRow): string | null {
  for (const list of [row.to_addresses, row.cc_addresses, row.bcc_addresses]) {
    const first = (JSON.parse(list) as string[])[0];
    if (first !== undefined) return (parseAddress(first)?.email ?? first).toLowerCase();
  }
  return null;
}
