// mailgrid-gateway: the only public API host. Also hosts its own RateLimiter Durable Object (the
// per-tenant API buckets).

import { type MeteredBindings, routeOf, runMetered } from '@mailgrid/runtime';
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

/**
 * What the cost meter counts (@mailgrid/runtime metered-env): each request and cron run logs one line.
 * ASSETS is left out: the dashboard's files are served as static assets, which are not billed.
 */
const METERED: MeteredBindings<Env> = {
  DB: 'd1',
  API_KEYS: 'kv',
  RATE_LIMITER: 'durable_object',
  EVENTS_QUEUE: 'queue',
  SEND: 'service',
  EVENTS: 'service',
  TRACKING: 'service',
  ACCOUNT: 'service',
  DOMAINS: 'service',
  MESSAGING: 'service',
  AUDIENCE: 'service',
};

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
  fetch: (incoming, env, ctx) =>
    runMetered(
      { worker: 'gateway', unit: 'fetch', invocation: 'request', route: routeOf(incoming) },
      env,
      METERED,
      ctx,
      (env, ctx) => handle(incoming, env, ctx),
    ),
  scheduled: (controller, env, ctx) =>
    runMetered(
      { worker: 'gateway', unit: 'scheduled', invocation: 'scheduled', cron: controller.cron },
      env,
      METERED,
      ctx,
      async (env, ctx) => ctx.waitUntil(runRecovery(env)),
    ),
} satisfies ExportedHandler<Env>;

async function handle(incoming: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
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
}
