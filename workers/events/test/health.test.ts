import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import type { EventsRpc, QueueMessageBase } from '@mailgrid/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../src/env';
import worker from '../src/index';

const { EventsService: events, default: self } = exports as unknown as {
  EventsService: EventsRpc;
  default: Fetcher;
};

/** getQueueResult's answer (its type is declared only in @cloudflare/workers-types/experimental). */
interface QueueResult {
  ackAll: boolean;
  explicitAcks: string[];
  retryMessages: { msgId: string; delaySeconds?: number }[];
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('EventsService.health()', () => {
  it('reports ok with its D1 check', async () => {
    expect(await events.health()).toMatchObject({
      worker: 'events',
      ok: true,
      environment: 'development',
      checks: { d1: { ok: true } },
    });
  });
});

describe('the queue consumer', () => {
  it.each(['mailgrid-events', 'mailgrid-webhooks'])(
    'retries messages of %s of a kind it does not know instead of acking them',
    async (queue) => {
      vi.spyOn(console, 'error').mockImplementation(() => {});
      const batch = createMessageBatch<QueueMessageBase>(queue, [
        { id: 'unknown-1', timestamp: new Date(), attempts: 1, body: { kind: 'from.the.future' } },
        { id: 'unknown-2', timestamp: new Date(), attempts: 3, body: { kind: 'ses.notification.v9' } },
      ]);
      const ctx = createExecutionContext();
      const handler: ExportedHandler<Env, QueueMessageBase> = worker;
      await handler.queue?.(batch, env as unknown as Env, ctx);
      const result: QueueResult = await getQueueResult(batch, ctx);

      expect(result.ackAll).toBe(false);
      expect(result.explicitAcks).toEqual([]);
      expect(result.retryMessages.map((message) => message.msgId).sort()).toEqual(['unknown-1', 'unknown-2']);
    },
  );
});

describe('the fetch handler', () => {
  it('answers 404: events is reached over RPC and queues only', async () => {
    expect((await self.fetch('https://events.internal/')).status).toBe(404);
  });
});
