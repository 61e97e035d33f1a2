// The hosted pages' shell: one self-contained HTML document (inline CSS, no script, no external
// asset) that reads on a phone, and the headers that keep the token in its URL to this host.

/** Escapes text for an HTML element or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Marks a string as already-escaped HTML, so `html` interpolates it as is. */
export interface SafeHtml {
  readonly html: string;
}

type Interpolated = string | number | SafeHtml | readonly SafeHtml[] | null | undefined | false;

/** A template tag that escapes every interpolated string; SafeHtml (and lists of it) go in unchanged. */
export function html(strings: TemplateStringsArray, ...values: Interpolated[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return { html: out };
}

function render(value: Interpolated): string {
  if (value === null || value === undefined || value === false) return '';
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map((item: SafeHtml) => item.html).join('');
  return (value as SafeHtml).html;
}

// Contrast: text #1b1f24 on #fff is 16:1, the primary button's white on #0b57d0 is 6.6:1, muted
// text #4a5360 is 7.6:1; the dark scheme keeps the same ratios or better. Tap targets are 44px high.
const CSS = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:#f3f4f6;color:#1b1f24;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:34rem;margin:0 auto;padding:1.5rem 1rem 3rem}
.card{background:#fff;border:1px solid #d0d5dc;border-radius:.75rem;padding:1.25rem;margin-top:1rem}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 .5rem}
h2{font-size:1.125rem;margin:0 0 .5rem}
p{margin:0 0 .75rem}
.muted{color:#4a5360}
.note{margin-top:1rem;font-size:.9375rem}
.address{overflow-wrap:anywhere;font-weight:600}
.status{border-left:4px solid #137333;background:#e6f4ea;color:#0d4d22;padding:.75rem 1rem;border-radius:.5rem;margin-top:1rem}
fieldset{border:0;margin:0;padding:0;min-width:0}
legend{font-size:1.125rem;font-weight:600;padding:0;margin-bottom:.25rem}
.topic{display:flex;gap:.75rem;align-items:flex-start;padding:.625rem 0;border-top:1px solid #e5e8ec}
.topic:first-of-type{border-top:0}
.topic input{width:1.375rem;height:1.375rem;margin:.125rem 0 0;flex:none;accent-color:#0b57d0}
.topic label{font-weight:600;cursor:pointer}
.topic .description{display:block;font-weight:400;color:#4a5360}
button{font:inherit;font-weight:600;min-height:2.75rem;padding:.5rem 1.25rem;border-radius:.5rem;border:2px solid #0b57d0;background:#0b57d0;color:#fff;cursor:pointer;width:100%;margin-top:.75rem}
button.secondary{background:#fff;color:#0b57d0}
button:hover{background:#0842a0;border-color:#0842a0;color:#fff}
:focus-visible{outline:3px solid #e37400;outline-offset:2px}
@media (min-width:30rem){button{width:auto}}
@media (prefers-color-scheme:dark){
body{background:#111418;color:#e8eaed}
.card{background:#1b1f24;border-color:#3c434d}
.muted,.topic .description{color:#b6bcc4}
.topic{border-top-color:#2c323a}
.status{background:#0d2e18;color:#c4eed0;border-left-color:#5bb974}
button{background:#8ab4f8;border-color:#8ab4f8;color:#0b1220}
button.secondary{background:transparent;color:#8ab4f8}
button:hover{background:#aecbfa;border-color:#aecbfa;color:#0b1220}
.topic input{accent-color:#8ab4f8}
}
`
  .trim()
  .replaceAll('\n', '');

export function document(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${title}</title>
<style>${{ html: CSS }}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`.html;
}

/**
 * The token in the URL is the page's only credential, so: never cached or indexed, never sent on
 * as a Referer, never framed (clickjacking the confirm button), and no script or outside asset at all.
 */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex, nofollow',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

export function htmlResponse(page: string, status = 200): Response {
  return new Response(page, { status, headers: PAGE_HEADERS });
}

export function textResponse(text: string, status: number, headers: Record<string, string> = {}): Response {
  return new Response(text, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}
