// Rewrites an email's html for tracking, streaming through the Workers runtime's HTMLRewriter (a real
// HTML parser, so no regex guesses at markup): every trackable <a>/<area> href becomes a click link,
// and the open pixel goes at the end of <body> (or of the document when there is no body).
import { decodeEntities } from '@mailgrid/mime';

export interface RewriteOptions {
  /** Rewrite links to `clickUrl(original)`; null leaves every link alone. */
  clickUrl: ((url: string) => Promise<string>) | null;
  /** The open pixel's src; null adds no pixel. */
  pixelUrl: string | null;
  /** Hosts (lower-case) whose links are already tracking links and stay as they are. */
  trackingHosts: readonly string[];
}

/**
 * Attributes that keep one link out of click tracking: ours, and SendGrid's, which templates moved
 * over from SendGrid already carry. They are removed from every link, tracked or not: they mean
 * nothing to a mail reader.
 */
const MARKERS = ['data-mailgrid-track', 'clicktracking'] as const;

export async function rewriteHtml(html: string, options: RewriteOptions): Promise<string> {
  const { clickUrl, pixelUrl, trackingHosts } = options;
  if (!clickUrl && !pixelUrl) return html;
  // One token per distinct link: a link repeated in the email signs once.
  const signed = new Map<string, Promise<string>>();
  let rewriter = new HTMLRewriter();
  if (clickUrl) {
    rewriter = rewriter.on('a[href], area[href]', {
      async element(element) {
        const optedOut = isOptedOut(element);
        for (const marker of MARKERS) element.removeAttribute(marker);
        const href = element.getAttribute('href') ?? '';
        const url = trackableUrl(href, trackingHosts);
        if (optedOut || url === null) return;
        let link = signed.get(url);
        if (!link) {
          link = clickUrl(url);
          signed.set(url, link);
        }
        element.setAttribute('href', await link);
      },
    });
  }
  if (pixelUrl) {
    const pixel = `<img src="${pixelUrl}" width="1" height="1" alt="" style="display:none;width:1px;height:1px;border:0;margin:0;padding:0;max-height:1px;overflow:hidden" />`;
    let added = false;
    rewriter = rewriter
      .on('body', {
        element(element) {
          // A <body> without its end tag (allowed in HTML) gets the pixel at the document's end.
          if (added) return;
          element.onEndTag((end) => {
            if (added) return;
            end.before(pixel, { html: true });
            added = true;
          });
        },
      })
      .onDocument({
        end(end) {
          if (!added) end.append(pixel, { html: true });
          added = true;
        },
      });
  }
  return rewriter.transform(new Response(html)).text();
}

function isOptedOut(element: Element): boolean {
  const mailgrid = element.getAttribute('data-mailgrid-track');
  const sendgrid = element.getAttribute('clicktracking');
  return mailgrid?.trim().toLowerCase() === 'false' || sendgrid?.trim().toLowerCase() === 'off';
}

/**
 * The link to track, as the customer wrote it (entities decoded: `&amp;` in markup is `&` in the
 * URL), or null for what is left alone: mailto:, tel:, sms: and other schemes, #anchors, relative
 * links (an email has no base to resolve them against), and links already on a tracking host.
 */
export function trackableUrl(href: string, trackingHosts: readonly string[]): string | null {
  const url = decodeEntities(href).trim();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  if (trackingHosts.includes(parsed.host.toLowerCase())) return null;
  return url;
}
