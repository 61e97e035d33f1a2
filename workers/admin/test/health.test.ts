import { exports } from 'cloudflare:workers';
import type { AdminRpc } from '@mailgrid/contracts';
import { describe, expect, it } from 'vitest';

const { AdminService: admin, default: worker } = exports as unknown as {
  AdminService: AdminRpc;
  default: Fetcher;
};

describe('AdminService.health()', () => {
  it('reports ok with its D1, KV and R2 checks', async () => {
    expect(await admin.health()).toMatchObject({
      worker: 'admin',
      ok: true,
      environment: 'development',
      checks: { d1: { ok: true }, kv: { ok: true }, files: { ok: true } },
    });
  });
});

describe('the fetch handler', () => {
  it('answers 404: admin is reached over RPC only', async () => {
    const response = await worker.fetch('https://admin.internal/anything');
    expect(response.status).toBe(404);
  });
});
