import type { MeshHealth } from '@mailgrid/contracts/health';
import { describe, expect, it } from 'vitest';
import { api, mesh } from './client';

describe('GET /health across the mesh', () => {
  it('reports all five workers healthy, each having reached its own bindings', async () => {
    const response = await api('/health', { key: mesh.main.sending.token });
    expect(response.status).toBe(200);
    const body = (await response.json()) as MeshHealth;
    expect(body.ok).toBe(true);
    expect(Object.keys(body.workers).sort()).toEqual(['admin', 'events', 'gateway', 'send', 'tracking']);
    for (const report of Object.values(body.workers)) {
      expect(report).toMatchObject({ ok: true, environment: 'development' });
    }
    // Real peers over RPC, not stubs: each probed its own bindings.
    expect(Object.keys(body.workers.send.checks).sort()).toEqual(['archive', 'd1', 'files', 'rate_limiter']);
    expect(Object.keys(body.workers.admin.checks).sort()).toEqual(['d1', 'files', 'kv']);
    expect(Object.keys(body.workers.gateway.checks).sort()).toEqual(['d1', 'kv', 'rate_limiter']);
  });

  it('gives every response a request id and keeps a caller-supplied one', async () => {
    const generated = await api('/health', { key: mesh.main.full.token });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await api('/health', {
      key: mesh.main.full.token,
      headers: { 'x-request-id': 'trace-mesh-0001' },
    });
    expect(kept.headers.get('x-request-id')).toBe('trace-mesh-0001');
  });
});
