// mailgrid-gateway: the only public API host. Also hosts its own RateLimiter Durable Object (the
// per-tenant API buckets).

import { buildRouter } from './api/router';
import type { RequestState } from './api/run';
import { routes } from './api/table';
import { dashboardPage, dashboardPages } from './dashboard';
import type { Env } from './env';
import { resolveRequestId } from './http/request-id';
import { errorResponse } from './http/responses';
import { runRecovery } from './recovery';
import { forwardToTracking, TRACKING_PATH } from './tracking-forward';

export { RateLimiter } from '@mailgrid/rate-limiter';

const router = buildRouter(routes);
const isDashboardPage = dashboardPages(
  routes.map((route) => route.path),
  ['o', 'c', 'u'],
);

/**
 * A doubled slash (`/api//emails`, a base URL ending in `/` joined with a path starting with one) or a
 * trailing slash (`/api/emails/`) names the same route: the request goes on with the path tidied.
 */
function tolerantPath(request: Request): Request {
  const url = new URL(request.url);
  const tidy = url.pathname.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');
  if (tidy === url.pathname) return request;
  url.pathname = tidy;
  return new Request(url, request);
}

export default {
  async fetch(incoming, env, ctx) {
    const request = tolerantPath(incoming);
    if (TRACKING_PATH.test(new URL(request.url).pathname)) return forwardToTracking(request, env);
    if (isDashboardPage(request)) return dashboardPage(incoming, env);
    const state: RequestState = {
      requestId: resolveRequestId(request.headers.get('x-request-id')),
      headers: {},
    };
    let response: Response;
    try {
      response = await router.fetch(request, env, ctx, state);
    } catch (err) {
      response = errorResponse(err, state.requestId);
    }
    for (const [name, value] of Object.entries(state.headers)) {
      if (!response.headers.has(name)) response.headers.set(name, value);
    }
    response.headers.set('x-request-id', state.requestId);
    return response;
  },
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(runRecovery(env));
  },
} satisfies ExportedHandler<Env>;
