// mailgrid-gateway: the only public API host. Also hosts its own RateLimiter Durable Object (the
// per-tenant API buckets).

import { buildRouter } from './api/router';
import type { RequestState } from './api/run';
import { routes } from './api/table';
import type { Env } from './env';
import { resolveRequestId } from './http/request-id';
import { errorResponse } from './http/responses';
import { forwardToTracking, TRACKING_PATH } from './tracking-forward';

export { RateLimiter } from '@mailgrid/rate-limiter';

const router = buildRouter(routes);

export default {
  async fetch(request, env, ctx) {
    if (TRACKING_PATH.test(new URL(request.url).pathname)) return forwardToTracking(request, env);
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
} satisfies ExportedHandler<Env>;
