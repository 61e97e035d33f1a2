// The public side of two signed links send makes: GET /api/public/emails/:token (a read-only page of
// one shared email) and GET /api/public/attachments/:token (an attachment's bytes). No API key: send
// checks the token's signature and expiry, and a refused token is the usual error envelope.
import type { SharedEmail } from '@mailgrid/contracts';
import { unwrap } from '@mailgrid/contracts';
import type { Env } from '../env';

/**
 * The email's html runs in an iframe sandboxed without scripts, forms or same-origin, under a page
 * CSP that lets nothing load but images and inline styles; the page itself is never framed or cached.
 */
const PAGE_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  'img-src https: data:',
  "frame-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export async function sharedEmailPage(env: Env, token: string): Promise<Response> {
  const email = unwrap(await env.SEND.openSharedEmail(token));
  return new Response(renderSharedEmail(email), {
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': PAGE_CSP,
      'cache-control': 'private, no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-robots-tag': 'noindex, nofollow',
    },
  });
}

export async function attachmentDownload(env: Env, token: string): Promise<Response> {
  const file = unwrap(await env.SEND.openAttachment(token));
  const ascii = file.filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return new Response(file.content, {
    headers: {
      // Never rendered by the browser as a page of this host, whatever the sender called it.
      'content-type': file.content_type,
      'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      'content-length': String(file.content.byteLength),
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
    },
  });
}

export function renderSharedEmail(email: SharedEmail): string {
  const body =
    email.html !== null
      ? `<iframe title="Email body" sandbox="" referrerpolicy="no-referrer" srcdoc="${escapeHtml(email.html)}"></iframe>`
      : `<pre>${escapeHtml(email.text ?? '')}</pre>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(email.subject)}</title>
<style>
body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#111;background:#f6f6f6}
header{padding:16px 24px;background:#fff;border-bottom:1px solid #ddd}
h1{font-size:20px;margin:0 0 8px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}
dt{color:#666}dd{margin:0;overflow-wrap:anywhere}
main{padding:16px 24px}
iframe{width:100%;height:75vh;border:1px solid #ddd;background:#fff}
pre{white-space:pre-wrap;background:#fff;padding:16px;border:1px solid #ddd}
footer{padding:0 24px 16px;color:#666;font-size:13px}
</style>
</head>
<body>
<header>
<h1>${escapeHtml(email.subject)}</h1>
<dl>
<dt>From</dt><dd>${escapeHtml(email.from)}</dd>
<dt>To</dt><dd>${escapeHtml(email.to.join(', '))}</dd>
<dt>Date</dt><dd><time datetime="${escapeHtml(email.date)}">${escapeHtml(email.date)}</time></dd>
</dl>
</header>
<main>${body}</main>
<footer>A read-only copy shared through Mailgrid; this link stops working at ${escapeHtml(email.expires_at)}.</footer>
</body>
</html>
`;
}

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string,
  );
}
