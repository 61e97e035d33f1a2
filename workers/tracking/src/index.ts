// mailgrid-tracking: the public pixel, click and unsubscribe host, and its RPC entrypoint.

import { WorkerEntrypoint } from 'cloudflare:workers';
import type { TrackingRpc, WorkerHealth } from '@mailgrid/contracts';
import { checkHealth, type MeteredBindings, meterEntrypoint, routeOf, runMetered } from '@mailgrid/runtime';
import { config, type Env } from './env';
import { route } from './router';

/** What the cost meter counts (@mailgrid/runtime metered-env): each request and RPC call logs one line. */
const METERED: MeteredBindings<Env> = { EVENTS_QUEUE: 'queue', PREFERENCES: 'service' };

export class TrackingService extends WorkerEntrypoint<Env> implements TrackingRpc {
  async health(): Promise<WorkerHealth> {
    // No D1 or KV to probe: tracking's only dependency on the hot path is the events queue, which
    // has no read to probe with. An empty report still proves the worker is deployed and answering.
    return checkHealth('tracking', config(this.env).ENVIRONMENT, {});
  }

  /** What the gateway forwards /o/, /c/ and /u/ to in local dev (only the gateway has a port there). */
  override async fetch(request: Request): Promise<Response> {
    return route(request, this.env, this.ctx);
  }
}

meterEntrypoint(TrackingService, 'tracking', METERED);

export default {
  fetch: (request, env, ctx) =>
    runMetered(
      { worker: 'tracking', unit: 'fetch', invocation: 'request', route: routeOf(request) },
      env,
      METERED,
      ctx,
      (env, ctx) => route(request, env, ctx),
    ),
} satisfies ExportedHandler<Env>;
