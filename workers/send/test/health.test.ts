import { exports } from 'cloudflare:workers';
import type { QueueMessageBase, SendRpc } from '@mailgrid/contracts';
import { runQueue } from '@mailgrid/testing/queue';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../src/index';

const { SendService: send, default: self } = exports as unknown as { SendService: SendRpc; default: Fetcher };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('SendService.health()', () => {
  it('reports ok with its D1, R2 and rate-limiter checks', async () => {
    // RATE_LIMITER is send's own DO: the real class from @mailgrid/rate-limiter.
    expect(await send.health()).toMatchObject({
      worker: 'send',
      ok: true,
      environment: 'development',
      checks: {
        d1: { ok: true },
        archive: { ok: true },
        files: { ok: true },
        rate_limiter: { ok: true },
      },
    });
  });
});

describe('the send queue consumer', () => {
  it('retries a message of a kind it does not know instead of acking it', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const result = await runQueue<QueueMessageBase>(worker as never, 'mailgrid-send', [
      { id: 'msg-unknown-1', body: { kind: 'from.the.future' } },
    ]);

    expect(result.ackAll).toBe(false);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((message) => message.msgId)).toEqual(['msg-unknown-1']);
    expect(logged.mock.calls.join('\n')).toContain('from.the.future');
  });
});

describe('the fetch handler', () => {
  it('answers 404: send is reached over RPC and queues only', async () => {
    expect((await self.fetch('https://send.internal/')).status).toBe(404);
  });
});
