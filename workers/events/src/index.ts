// mailgrid-events: the EventsService RPC entrypoint and the consumer of the events and webhooks queues.

import { WorkerEntrypoint } from 'cloudflare:workers';
import type { EventsRpc, QueueMessageBase, WorkerHealth } from '@mailgrid/contracts';
import { checkHealth, probes, retryUnhandled } from '@mailgrid/runtime';
import type { Env } from './env';

export class EventsService extends WorkerEntrypoint<Env> implements EventsRpc {
  async health(): Promise<WorkerHealth> {
    return checkHealth('events', this.env.ENVIRONMENT, { d1: probes.d1(this.env.DB) });
  }
}

export default {
  // Internal worker: reached over RPC and queues only.
  async fetch() {
    return new Response('Not found', { status: 404 });
  },
  async queue(batch) {
    retryUnhandled('events', batch.queue, batch.messages);
  },
} satisfies ExportedHandler<Env, QueueMessageBase>;
