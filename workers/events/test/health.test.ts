import { exports } from 'cloudflare:workers';
import type { EventsRpc, QueueMessageBase } from '@mailgrid/contracts';
import { runQueue } from '@mailgrid/testing/queue';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../src/index';

const { EventsService: events, default: self } = exports as unknown as {
  EventsService: EventsRpc;
  default: Fetcher;
};

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
      const result = await runQueue<QueueMessageBase>(worker as never, queue, [
        { id: 'unknown-1', body: { kind: 'from.the.future' } },
        { id: 'unknown-2', attempts: 3, body: { kind: 'ses.notification.v9' } },
      ]);

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
