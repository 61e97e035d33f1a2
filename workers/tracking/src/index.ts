// mailgrid-tracking: the public pixel, click and unsubscribe host, and its RPC entrypoint.

import { WorkerEntrypoint } from 'cloudflare:workers';
import type { TrackingRpc, WorkerHealth } from '@mailgrid/contracts';
import { checkHealth } from '@mailgrid/runtime';
import { config, type Env } from './env';
import { route } from './router';

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

export default {
  fetch: (request, env, ctx) => route(request, env, ctx),
} satisfies ExportedHandler<Env>;
