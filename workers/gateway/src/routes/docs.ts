// The API's own description: the OpenAPI document (GET /openapi.json) and a reference page
// (GET /docs) rendered in the browser by Scalar, whose script the gateway serves itself
// (GET /docs/scalar.js), so the page loads nothing from anywhere but this origin.
import { openApiDocument } from '../api/openapi';
import scalarScript from './scalar-standalone.js';

export const DOCS_SCRIPT_PATH = '/docs/scalar.js';
export const OPENAPI_PATH = '/openapi.json';

/** Scalar's options: nothing fetched from Scalar's services (fonts, telemetry, its agent, its tools). */
const SCALAR_CONFIGURATION = {
  url: OPENAPI_PATH,
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  showDeveloperTools: 'never',
  hideClientButton: true,
  showOperationId: true,
  defaultOpenAllTags: false,
  documentDownloadType: 'json',
};

interface Served {
  body: string;
  etag: string;
}

const served = new Map<string, Promise<Served>>();

/** A body computed once per isolate, with a strong ETag of its bytes. */
function once(name: string, make: () => string): Promise<Served> {
  let entry = served.get(name);
  if (!entry) {
    entry = (async () => {
      const body = make();
      const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body));
      const hex = [...new Uint8Array(digest).slice(0, 16)].map((byte) => byte.toString(16).padStart(2, '0'));
      return { body, etag: `"${hex.join('')}"` };
    })();
    entry.catch(() => served.delete(name));
    served.set(name, entry);
  }
  return entry;
}

async function cacheable(
  request: Request,
  name: string,
  make: () => string,
  headers: Record<string, string>,
): Promise<Response> {
  const { body, etag } = await once(name, make);
  const common = { etag, 'x-content-type-options': 'nosniff', ...headers };
  if (
    request.headers
      .get('if-none-match')
      ?.split(/\s*,\s*/)
      .includes(etag)
  ) {
    return new Response(null, { status: 304, headers: common });
  }
  return new Response(body, { headers: common });
}

export function openApiResponse(request: Request): Promise<Response> {
  return cacheable(request, 'openapi', () => JSON.stringify(openApiDocument()), {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'public, max-age=300',
  });
}

export function scalarScriptResponse(request: Request): Promise<Response> {
  return cacheable(request, 'scalar', () => scalarScript, {
    'content-type': 'text/javascript; charset=utf-8',
    'cache-control': 'public, max-age=86400',
  });
}

/**
 * This origin only: scripts, the document, images and fonts load from here (or are `data:` URLs,
 * which load nothing). Inline styles are allowed (`'unsafe-inline'` in style-src only): Scalar adds
 * its theme and toasts as `<style>` elements (a nonce would not reach them) and sets `style`
 * attributes, and neither loads anything. `eval` stays refused: the bundle only probes for it
 * (zod's JIT check) and does without.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const CONFIGURATION_ATTRIBUTE = JSON.stringify(SCALAR_CONFIGURATION)
  .replaceAll('&', '&amp;')
  .replaceAll('"', '&quot;');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mailgrid API reference</title>
</head>
<body>
<noscript>The API reference needs JavaScript. The OpenAPI document is at <a href="${OPENAPI_PATH}">${OPENAPI_PATH}</a>.</noscript>
<script id="api-reference" data-url="${OPENAPI_PATH}" data-configuration="${CONFIGURATION_ATTRIBUTE}"></script>
<script src="${DOCS_SCRIPT_PATH}"></script>
</body>
</html>
`;

/** The reference page: Scalar mounts on `#api-reference` and loads the document from this origin. */
export function docsPage(request: Request): Promise<Response> {
  return cacheable(request, 'page', () => PAGE, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'public, max-age=300',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  });
}
