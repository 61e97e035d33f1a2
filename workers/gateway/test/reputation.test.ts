// The gateway's side of GET /api/reputation, POST /api/reputation/resume and GET /api/stats:
// validation before events is called, the caller and input passed on, permissions, error rendering.
// `events` is a stub (the guardrail and stats are tested in workers/events).
import type { EventsRpc } from '@mailgrid/contracts';
import { seedTenant } from '@mailgrid/testing/fixtures';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { call, healthyReport, postJson, realEnv, testEnv, uniqueSlug } from './helpers';

let tenant: Awaited<ReturnType<typeof seedTenant>>;

beforeAll(async () => {
  tenant = await seedTenant(realEnv.DB, { slug: uniqueSlug('gw-rep'), domain: 'rep.example.test' });
});

const totals = {
  sent: 0,
  delivered: 0,
  bounced: 0,
  soft_bounced: 0,
  complained: 0,
  opened: 0,
  clicked: 0,
  machine_opened: 0,
  machine_clicked: 0,
  delayed: 0,
  failed: 0,
  delivery_rate: 0,
  bounce_rate: 0,
  complaint_rate: 0,
};

function eventsStub() {
  return {
    health: vi.fn<EventsRpc['health']>(async () => healthyReport('events')),
    getReputation: vi.fn<EventsRpc['getReputation']>(async () => ({
      ok: true,
      value: { object: 'list', data: [] },
    })),
    resumeSending: vi.fn<EventsRpc['resumeSending']>(async (_caller, stream) => ({
      ok: true,
      value: { object: 'reputation_resume', resumed: stream ? [stream] : ['transactional'] },
    })),
    getStats: vi.fn<EventsRpc['getStats']>(async (_caller, query) => ({
      ok: true,
      value: {
        object: 'stats',
        from: query.from ?? '2026-09-01',
        to: query.to ?? '2026-09-07',
        stream: null,
        data: [],
        totals,
      },
    })),
  };
}

describe('GET /api/stats', () => {
  it('passes the parsed query and the caller on', async () => {
    const events = eventsStub();
    const response = await call(
      '/api/stats?from=2026-09-01&to=2026-09-02&stream=marketing',
      { key: tenant.fullKey.token },
      testEnv({ EVENTS: events }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ object: 'stats', from: '2026-09-01', to: '2026-09-02' });
    expect(events.getStats.mock.calls[0]?.[0]).toMatchObject({ tenant_id: tenant.tenantId });
    expect(events.getStats.mock.calls[0]?.[1]).toEqual({
      from: '2026-09-01',
      to: '2026-09-02',
      stream: 'marketing',
    });
  });

  it('refuses a date that is not YYYY-MM-DD with a 4xx, without calling events', async () => {
    const events = eventsStub();
    const response = await call(
      '/api/stats?from=09/01/2026',
      { key: tenant.fullKey.token },
      testEnv({ EVENTS: events }),
    );
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(events.getStats).not.toHaveBeenCalled();
  });

  it("renders events' range refusal as a 400", async () => {
    const events = eventsStub();
    events.getStats.mockResolvedValueOnce({
      ok: false,
      error: { code: 'validation_error', message: 'from (2026-09-02) is after to (2026-09-01).' },
    });
    const response = await call(
      '/api/stats?from=2026-09-02&to=2026-09-01',
      { key: tenant.fullKey.token },
      testEnv({ EVENTS: events }),
    );
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ name: 'validation_error' });
  });

  it('needs a full_access key', async () => {
    const response = await call(
      '/api/stats',
      { key: tenant.sendingKey.token },
      testEnv({ EVENTS: eventsStub() }),
    );
    expect(response.status).toBe(403);
  });
});

describe('reputation', () => {
  it('GET /api/reputation answers events’ list', async () => {
    const response = await call(
      '/api/reputation',
      { key: tenant.fullKey.token },
      testEnv({ EVENTS: eventsStub() }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ object: 'list', data: [] });
  });

  it('POST /api/reputation/resume with a stream, or without a body for every stream', async () => {
    const events = eventsStub();
    const one = await postJson(
      '/api/reputation/resume',
      tenant.fullKey.token,
      { stream: 'marketing' },
      testEnv({ EVENTS: events }),
    );
    expect(await one.json()).toEqual({ object: 'reputation_resume', resumed: ['marketing'] });
    const all = await call(
      '/api/reputation/resume',
      { method: 'POST', key: tenant.fullKey.token },
      testEnv({ EVENTS: events }),
    );
    expect(all.status).toBe(200);
    expect(events.resumeSending.mock.calls.map((args) => args[1])).toEqual(['marketing', undefined]);
  });

  it('resume refuses a bad stream id and needs a full_access key', async () => {
    const bad = await postJson(
      '/api/reputation/resume',
      tenant.fullKey.token,
      { stream: 'Not A Stream' },
      testEnv({ EVENTS: eventsStub() }),
    );
    expect(bad.status).toBe(422);
    const sending = await call(
      '/api/reputation/resume',
      { method: 'POST', key: tenant.sendingKey.token },
      testEnv({ EVENTS: eventsStub() }),
    );
    expect(sending.status).toBe(403);
  });
});
