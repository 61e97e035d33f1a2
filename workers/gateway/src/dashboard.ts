// The dashboard (packages/dashboard): a single-page app served from the Worker's static assets.
// Hashed files under /assets/ never reach the Worker (wrangler.jsonc `run_worker_first`); every other
// request does, and a browser's page load of a path the gateway does not own is handed to the assets,
// whose single-page-application handling answers index.html for any app path (/emails/…). API
// clients keep the gateway's JSON: `curl /` still describes the host, `curl /emails` still says
// "did you mean /api/emails?".
import type { Env } from './env';

/**
 * The page's policy: everything from this origin, no inline scripts, no framing. An email's preview
 * is an `<iframe sandbox="" srcdoc>`: no scripts run in it whatever its html holds; its images may
 * come from anywhere (as in a mail client), its styles are inline.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  'img-src * data:',
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * Whether a request is a browser's page load for the dashboard: a GET (or HEAD) that accepts HTML, of
 * a path outside every top-level segment the gateway owns (its routes' `/api`, `/docs`, `/health`,
 * `/mcp`…, and tracking's `/o`, `/c`, `/u`): those keep their own answers in a browser too.
 */
export function dashboardPages(routePaths: readonly string[], otherOwned: readonly string[]) {
  const owned = new Set([...routePaths.map(firstSegment), ...otherOwned].filter(Boolean));
  return (request: Request): boolean => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    if (owned.has(firstSegment(new URL(request.url).pathname))) return false;
    return (request.headers.get('accept') ?? '').includes('text/html');
  };
}

/** `/api/emails` → `api`, `/openapi.json` → `openapi.json`, `/` → `` (the dashboard's own root). */
const firstSegment = (path: string) => path.split('/')[1] ?? '';

export async function dashboardPage(request: Request, env: Env): Promise<Response> {
  if (!env.ASSETS) {
    return new Response('The dashboard is not built: run `pnpm --filter @mailgrid/dashboard build`.', {
      status: 503,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  const asset = await env.ASSETS.fetch(request);
  const response = new Response(asset.body, asset);
  if ((response.headers.get('content-type') ?? '').includes('text/html')) {
    response.headers.set('content-security-policy', CSP);
    response.headers.set('x-content-type-options', 'nosniff');
    response.headers.set('referrer-policy', 'same-origin');
    // index.html names the hashed bundles: always revalidated, so a deploy takes effect at once.
    response.headers.set('cache-control', 'no-cache');
  }
  return response;
}
