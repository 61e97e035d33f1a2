// mailgrid-tracking: the public pixel, click and unsubscribe host, and its RPC entrypoint.

import { WorkerEntrypoint } from 'cloudflare:workers';
import type { TrackingRpc, WorkerHealth } from '@mailgrid/contracts';
import { checkHealth } from '@mailgrid/runtime';
import type { Env } from './env';

export class TrackingService extends WorkerEntrypoint<Env> implements TrackingRpc {
  async health(): Promise<WorkerHealth> {
    // No D1 or KV to probe: tracking's only dependency on the hot path is the events queue, which
    // has no read to probe with. An empty report still proves the worker is deployed and answering.
    return checkHealth('tracking', this.env.ENVIRONMENT, {});
  }
}

export default {
  // The pixel, click and unsubscribe routes arrive with first-party tracking; until then nothing
  // here is public.
  async fetch() {
    return new Response('Not found', {
      status: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  },
} satisfies ExportedHandler<Env>;
