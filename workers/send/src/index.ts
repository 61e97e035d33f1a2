// mailgrid-send: the SendService RPC entrypoint and the send queue's consumer.

import { WorkerEntrypoint } from 'cloudflare:workers';
import type { QueueMessageBase, SendRpc, WorkerHealth } from '@mailgrid/contracts';
import { checkHealth, probes, retryUnhandled } from '@mailgrid/runtime';
import type { Env } from './env';

export class SendService extends WorkerEntrypoint<Env> implements SendRpc {
  async health(): Promise<WorkerHealth> {
    const { env } = this;
    return checkHealth('send', env.ENVIRONMENT, {
      d1: probes.d1(env.DB),
      archive: probes.r2(env.ARCHIVE),
      files: probes.r2(env.FILES),
      // Cost 0 reads the SES pacing bucket without spending it: proves the cross-script DO binding works.
      rate_limiter: () =>
        env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName('health')).take({ per_second: 1, burst: 1 }, 0),
    });
  }
}

export default {
  // Internal worker: reached over RPC only.
  async fetch() {
    return new Response('Not found', { status: 404 });
  },
  async queue(batch) {
    retryUnhandled('send', batch);
  },
} satisfies ExportedHandler<Env, QueueMessageBase>;
