import type { MeshHealth, WorkerHealth } from '@mailgrid/contracts';
import { seedTenant } from '@mailgrid/testing/fixtures';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, healthyReport, realEnv, testEnv, uniqueSlug } from './helpers';

let tenant: Awaited<ReturnType<typeof seedTenant>>;

beforeAll(async () => {
  tenant = await seedTenant(realEnv.DB, { slug: uniqueSlug('health'), domain: 'health.example.test' });
});

const PEERS = ['send', 'events', 'tracking', 'admin'] as const;

describe('GET /health', () => {
  it('reports all five workers and the gateway’s own bindings', async () => {
    const response = await call('/health', { key: tenant.fullKey.token });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await response.json<MeshHealth>();
    expect(body.ok).toBe(true);
    expect(Object.keys(body.workers).sort()).toEqual(['admin', 'events', 'gateway', 'send', 'tracking']);
    expect(body.workers.gateway).toMatchObject({
      worker: 'gateway',
      ok: true,
      environment: 'development',
      checks: {
        d1: { ok: true },
        kv: { ok: true },
        rate_limiter: { ok: true },
      },
    });
    for (const peer of PEERS) expect(body.workers[peer]).toMatchObject({ worker: peer, ok: true });
  });

  it('answers a sending_access key', async () => {
    expect((await call('/health', { key: tenant.sendingKey.token })).status).toBe(200);
  });

  it('reaches the peers over their real service bindings', async () => {
    // realEnv's SEND/EVENTS/TRACKING/ACCOUNT (admin) are the auxiliary stub workers, called over RPC.
    const response = await call('/health', { key: tenant.fullKey.token }, realEnv);
    const body = await response.json<MeshHealth>();
    expect(response.status).toBe(200);
    for (const peer of PEERS) expect(body.workers[peer]).toMatchObject({ worker: peer, ok: true });
  });

  it('answers 503 naming the worker whose health() threw, and still reports the others', async () => {
    const response = await call(
      '/health',
      { key: tenant.fullKey.token },
      testEnv({
        EVENTS: {
          health: async () => {
            throw new Error('events is down');
          },
        },
      }),
    );
    expect(response.status).toBe(503);
    const body = await response.json<MeshHealth>();
    expect(body.ok).toBe(false);
    expect(body.workers.events).toMatchObject({
      worker: 'events',
      ok: false,
      checks: { rpc: { ok: false, error: 'events is down' } },
    });
    for (const peer of ['gateway', 'send', 'tracking', 'admin'] as const) {
      expect(body.workers[peer].ok).toBe(true);
    }
  });

  it('answers 503 when a worker reports itself unhealthy, passing its report on', async () => {
    const sick: WorkerHealth = {
      ...healthyReport('send'),
      ok: false,
      checks: { archive: { ok: false, latency_ms: 1, error: 'bucket missing' } },
    };
    const response = await call(
      '/health',
      { key: tenant.fullKey.token },
      testEnv({ SEND: { health: async () => sick } }),
    );
    expect(response.status).toBe(503);
    const body = await response.json<MeshHealth>();
    expect(body.workers.send).toEqual(sick);
    expect(body.workers.admin.ok).toBe(true);
  });

  it('reports a worker that never answers as failed, and still answers', { timeout: 15_000 }, async () => {
    const response = await call(
      '/health',
      { key: tenant.fullKey.token },
      testEnv({ TRACKING: { health: () => new Promise<never>(() => {}) } }),
    );
    expect(response.status).toBe(503);
    const body = await response.json<MeshHealth>();
    expect(body.workers.tracking).toMatchObject({
      worker: 'tracking',
      ok: false,
      checks: { rpc: { ok: false, error: expect.stringContaining('no answer') } },
    });
    expect(body.workers.send.ok).toBe(true);
  });

  it('requires a key', async () => {
    expect((await call('/health')).status).toBe(401);
  });
});
