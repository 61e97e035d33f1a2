// The cost meter (@mailgrid/runtime metered-env) on admin's real bindings inside workerd: each kind of
// binding counted as Cloudflare bills it, one `{"event":"cost"}` line per RPC call and per queue batch,
// and the business code's answers unchanged by the Proxies in between.
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import type { Caller, FileUpload } from '@mailgrid/contracts';
import { type Cost, meterEnv, runMeteredQueue } from '@mailgrid/runtime';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { METERED } from '../src/entrypoints/define';
import { config, type Env } from '../src/env';
import { messaging, realEnv, twoTenants, value } from './helpers';

interface CostLine extends Cost {
  event: 'cost';
  worker: string;
  unit: string;
  invocation: string;
  queue?: string;
}

let log: MockInstance<typeof console.log>;
const costLines = (): CostLine[] =>
  log.mock.calls
    .map(([text]) => String(text))
    .filter((text) => text.startsWith('{"event":"cost"'))
    .map((text) => JSON.parse(text) as CostLine);

beforeEach(() => {
  log = vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('an RPC call', () => {
  let acme: Caller;
  beforeEach(async () => {
    ({ acme } = await twoTenants());
    log.mockClear();
  });

  it('logs one cost line with what the call did: the R2 put and the D1 writes of an upload', async () => {
    const upload: FileUpload = {
      filename: 'invoice.pdf',
      content_type: null,
      content: new TextEncoder().encode('%PDF-1.4 invoice'),
    };
    const file = value(await messaging.uploadFile(acme, upload));
    expect(file.filename).toBe('invoice.pdf');
    // The line goes out through waitUntil, after the answer.
    await vi.waitFor(() => expect(costLines()).toHaveLength(1));
    const [line] = costLines();
    expect(line).toMatchObject({ worker: 'admin', unit: 'uploadFile', invocation: 'rpc' });
    expect(line?.r2).toEqual({ class_a: 1, class_b: 0, deletes: 0 });
    expect(line?.d1.statements).toBeGreaterThan(0);
    expect(line?.d1.round_trips).toBeGreaterThan(0);
    expect(line?.d1.rows_written).toBeGreaterThan(0);
    expect(line?.queues.sent).toBe(0);
  });
});

describe('a metered env', () => {
  it('counts R2 class A and B operations, and deletes (free) apart', async () => {
    const { env, cost } = meterEnv(realEnv, METERED);
    const key = `meter/${crypto.randomUUID()}`;
    await env.FILES.put(key, 'x');
    expect(await (await env.FILES.get(key))?.text()).toBe('x');
    expect(await env.FILES.head(key)).not.toBeNull();
    await env.FILES.list({ prefix: 'meter/' });
    await env.FILES.delete(key);
    expect(cost.r2).toEqual({ class_a: 2, class_b: 2, deletes: 1 });
    expect(await realEnv.FILES.head(key)).toBeNull();
  });

  it('counts KV reads per key, and writes, deletes and lists', async () => {
    const { env, cost } = meterEnv(realEnv, METERED);
    const key = `meter:${crypto.randomUUID()}`;
    await env.API_KEYS.put(key, 'v');
    expect(await env.API_KEYS.get(key)).toBe('v');
    await env.API_KEYS.getWithMetadata(key);
    await env.API_KEYS.list({ prefix: 'meter:' });
    await env.API_KEYS.delete(key);
    expect(cost.kv).toEqual({ reads: 2, writes: 1, deletes: 1, lists: 1 });
  });

  it('counts D1 statements, round trips (a batch is one) and rows', async () => {
    const { env, cost } = meterEnv(realEnv, METERED);
    await env.DB.batch([env.DB.prepare('SELECT 1'), env.DB.prepare('SELECT 2')]);
    await env.DB.prepare('SELECT count(*) FROM tenants').all();
    await env.DB.prepare('SELECT 1').first();
    expect(cost.d1).toMatchObject({ statements: 4, round_trips: 3 });
    expect(cost.d1.rows_read).toBeGreaterThan(0);
    expect(cost.d1.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('counts queue messages sent: send is one, sendBatch is each message', async () => {
    const { env, cost } = meterEnv(realEnv, METERED);
    // IMPORTS_QUEUE is detached in these tests: nothing consumes what is sent here.
    const chunk = { kind: 'contacts.import_chunk' } as never;
    await env.IMPORTS_QUEUE.send(chunk);
    await env.IMPORTS_QUEUE.sendBatch([{ body: chunk }, { body: chunk }, { body: chunk }]);
    expect(cost.queues.sent).toBe(4);
  });

  it('counts each call on a service binding, through the real RPC stub', async () => {
    const { env, cost } = meterEnv(realEnv, METERED);
    const health = await env.SEND.health();
    expect(health.ok).toBe(true);
    expect(cost.services.calls).toBe(1);
  });

  it('counts each Durable Object stub call as a request, not the namespace lookups', async () => {
    const stub = { id: 'x', take: async () => ({ allowed: true }) };
    const namespace = { idFromName: (name: string) => name, get: (_id: string) => stub };
    const { env, cost } = meterEnv({ LIMITER: namespace }, { LIMITER: 'durable_object' });
    const bucket = env.LIMITER.get(env.LIMITER.idFromName('api:t1'));
    expect(bucket.id).toBe('x');
    expect(await bucket.take()).toEqual({ allowed: true });
    await bucket.take();
    expect(cost.durable_objects.requests).toBe(2);
  });

  it('leaves vars alone and shares the parsed config with the env it wraps', () => {
    const { env } = meterEnv(realEnv, METERED);
    expect(env.ENVIRONMENT).toBe(realEnv.ENVIRONMENT);
    expect(config(env)).toBe(config(realEnv));
  });
});

describe('a queue batch', () => {
  const batchOf = (ids: string[]) =>
    createMessageBatch<{ kind: string }>(
      'mailgrid-imports',
      ids.map((id) => ({ id, body: { kind: 'test' }, attempts: 1, timestamp: new Date() })),
    );

  it('counts every message read, and each acked or retried as the runtime settles it', async () => {
    const batch = batchOf(['a', 'b', 'c']);
    const ctx = createExecutionContext();
    await runMeteredQueue('admin', batch, realEnv, METERED, ctx, async (metered: typeof batch, env: Env) => {
      await env.DB.prepare('SELECT 1').all();
      metered.messages[0]?.ack();
      metered.messages[1]?.retry({ delaySeconds: 5 });
      // c is left to the runtime: acked, as the handler returns.
    });
    const result = await getQueueResult(batch, ctx);
    // The Proxies passed the calls on: the runtime saw the same ack and retry.
    expect(result.explicitAcks).toEqual(['a']);
    expect(result.retryMessages.map((message: { msgId: string }) => message.msgId)).toEqual(['b']);
    const [line] = costLines();
    expect(line).toMatchObject({
      worker: 'admin',
      unit: 'queue',
      invocation: 'queue',
      queue: 'mailgrid-imports',
    });
    expect(line?.queues).toEqual({ sent: 0, read: 3, acked: 2, retried: 1 });
    expect(line?.d1.statements).toBe(1);
  });

  it('counts the messages a failing handler left unsettled as retried', async () => {
    const batch = batchOf(['a', 'b']);
    const ctx = createExecutionContext();
    const failing = runMeteredQueue('admin', batch, realEnv, METERED, ctx, async (metered: typeof batch) => {
      metered.messages[0]?.ack();
      throw new Error('D1 unavailable');
    });
    await expect(failing).rejects.toThrow('D1 unavailable');
    await getQueueResult(batch, ctx).catch(() => {});
    await vi.waitFor(() => expect(costLines()).toHaveLength(1));
    expect(costLines()[0]?.queues).toEqual({ sent: 0, read: 2, acked: 1, retried: 1 });
  });
});
