// The gateway's side of the Suppressions API and of GET /api/emails/:id/events: validation, the
// caller passed on, permissions, and how admin's and events' answers render. Both peers are stubs.
import type { EventsRpc, MessagingRpc } from '@mailgrid/contracts';
import { seedTenant } from '@mailgrid/testing/fixtures';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { call, healthyReport, postJson, realEnv, recordingAdmin, testEnv, uniqueSlug } from './helpers';

let tenant: Awaited<ReturnType<typeof seedTenant>>;

beforeAll(async () => {
  tenant = await seedTenant(realEnv.DB, {
    slug: uniqueSlug('gw-supp'),
    domain: 'supp.example.test',
    // This file's requests come faster than the default 10/s: its tests are about routes, not limits.
    rateLimit: { per_second: 1000, burst: 1000 },
  });
});

const SUPPRESSION_ID = 'e169aa45-1ecf-4183-9955-b1499d5701d3';

const suppression = {
  object: 'suppression' as const,
  id: SUPPRESSION_ID,
  email: 'ada@customer.test',
  origin: 'manual' as const,
  source_id: null,
  reason: 'manual',
  created_at: '2026-09-01T10:00:00.000Z',
};

function suppressionAdmin() {
  return {
    ...recordingAdmin(),
    listSuppressions: vi.fn<MessagingRpc['listSuppressions']>(async () => ({
      ok: true,
      value: { object: 'list', has_more: false, data: [suppression] },
    })),
    addSuppression: vi.fn<MessagingRpc['addSuppression']>(async () => ({ ok: true, value: suppression })),
    removeSuppression: vi.fn<MessagingRpc['removeSuppression']>(async (_caller, ref) => ({
      ok: true,
      value: { object: 'suppression', id: ref, deleted: true },
    })),
    getSuppression: vi.fn<MessagingRpc['getSuppression']>(async () => ({ ok: true, value: suppression })),
    batchAddSuppressions: vi.fn<MessagingRpc['batchAddSuppressions']>(async (_caller, input) => ({
      ok: true,
      value: { data: input.emails.map(() => ({ object: 'suppression' as const, id: SUPPRESSION_ID })) },
    })),
    batchRemoveSuppressions: vi.fn<MessagingRpc['batchRemoveSuppressions']>(async () => ({
      ok: true,
      value: { data: [{ object: 'suppression' as const, id: SUPPRESSION_ID, deleted: true }] },
    })),
  };
}

describe('GET /api/suppressions', () => {
  it("lists admin's page, passing the parsed cursor query", async () => {
    const admin = suppressionAdmin();
    const response = await call(
      '/api/suppressions?limit=5&after=bob%40customer.test&origin=bounce',
      { key: tenant.fullKey.token },
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ object: 'list', has_more: false, data: [suppression] });
    expect(admin.listSuppressions.mock.calls[0]?.[0]).toMatchObject({ tenant_id: tenant.tenantId });
    expect(admin.listSuppressions.mock.calls[0]?.[1]).toEqual({
      limit: 5,
      after: 'bob@customer.test',
      origin: 'bounce',
    });
  });

  it('refuses a limit out of range', async () => {
    const response = await call(
      '/api/suppressions?limit=500',
      { key: tenant.fullKey.token },
      testEnv({ ADMIN: suppressionAdmin() }),
    );
    expect(response.status).toBe(422);
  });

  it('needs a full_access key', async () => {
    const response = await call(
      '/api/suppressions',
      { key: tenant.sendingKey.token },
      testEnv({ ADMIN: suppressionAdmin() }),
    );
    expect(response.status).toBe(403);
  });
});

describe('POST /api/suppressions', () => {
  it('answers 201 with the suppression, passing the trimmed, lower-cased address on', async () => {
    const admin = suppressionAdmin();
    const response = await postJson(
      '/api/suppressions',
      tenant.fullKey.token,
      { email: '  Ada@Customer.TEST ' },
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual(suppression);
    expect(admin.addSuppression.mock.calls[0]?.[1]).toEqual({ email: 'ada@customer.test' });
  });

  it('refuses something that is not an address, without calling admin', async () => {
    const admin = suppressionAdmin();
    const response = await postJson(
      '/api/suppressions',
      tenant.fullKey.token,
      { email: 'nope' },
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(422);
    expect(admin.addSuppression).not.toHaveBeenCalled();
  });
});

describe('DELETE /api/suppressions/:email', () => {
  it('passes the decoded address and renders the deletion', async () => {
    const admin = suppressionAdmin();
    const response = await call(
      '/api/suppressions/ada%2Btag%40customer.test',
      { method: 'DELETE', key: tenant.fullKey.token },
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      object: 'suppression',
      id: 'ada+tag@customer.test',
      deleted: true,
    });
    expect(admin.removeSuppression.mock.calls[0]?.[1]).toBe('ada+tag@customer.test');
  });

  it('refuses a malformed percent-escape with a 422, asking admin nothing', async () => {
    const admin = suppressionAdmin();
    const response = await call(
      '/api/suppressions/%E0%A4%A',
      { method: 'DELETE', key: tenant.fullKey.token },
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ name: 'invalid_parameter' });
    expect(admin.removeSuppression).not.toHaveBeenCalled();
  });

  it("turns admin's not_found into a 404 envelope", async () => {
    const admin = suppressionAdmin();
    admin.removeSuppression.mockResolvedValueOnce({
      ok: false,
      error: { code: 'not_found', message: 'x is not suppressed.' },
    });
    const response = await call(
      '/api/suppressions/x%40y.test',
      { method: 'DELETE', key: tenant.fullKey.token },
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ statusCode: 404, name: 'not_found' });
  });
});

describe('GET /api/suppressions/:id', () => {
  it.each([
    [SUPPRESSION_ID.toUpperCase(), SUPPRESSION_ID],
    ['ada%40customer.test', 'ada@customer.test'],
  ])('reads by id or address (%s)', async (path, passed) => {
    const admin = suppressionAdmin();
    const response = await call(
      `/api/suppressions/${path}`,
      { key: tenant.fullKey.token },
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(suppression);
    expect(admin.getSuppression.mock.calls[0]?.[1]).toBe(passed);
  });

  it('refuses what is neither an id nor an address', async () => {
    const admin = suppressionAdmin();
    const response = await call(
      '/api/suppressions/nope',
      { key: tenant.fullKey.token },
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(422);
    expect(admin.getSuppression).not.toHaveBeenCalled();
  });
});

describe('POST /api/suppressions/batch/add and /batch/remove', () => {
  it('adds the lower-cased addresses', async () => {
    const admin = suppressionAdmin();
    const response = await postJson(
      '/api/suppressions/batch/add',
      tenant.fullKey.token,
      { emails: ['Ada@Customer.test', 'bob@customer.test'] },
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(200);
    expect((await response.json()) as unknown).toMatchObject({
      data: [{ id: SUPPRESSION_ID }, { id: SUPPRESSION_ID }],
    });
    expect(admin.batchAddSuppressions.mock.calls[0]?.[1]).toEqual({
      emails: ['ada@customer.test', 'bob@customer.test'],
    });
  });

  it.each([
    [{ emails: [] }, 'emails must list 1 to 100 entries'],
    [{ emails: Array.from({ length: 101 }, (_, i) => `a${i}@x.test`) }, 'emails must list 1 to 100 entries'],
    [{ emails: ['nope'] }, 'must be an email address'],
  ])('refuses a bad batch add %#, asking admin nothing', async (body, message) => {
    const admin = suppressionAdmin();
    const response = await postJson(
      '/api/suppressions/batch/add',
      tenant.fullKey.token,
      body,
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(422);
    expect(JSON.stringify(await response.json())).toContain(message);
    expect(admin.batchAddSuppressions).not.toHaveBeenCalled();
  });

  it('removes by ids, and refuses both ids and emails, or neither', async () => {
    const admin = suppressionAdmin();
    const ok = await postJson(
      '/api/suppressions/batch/remove',
      tenant.fullKey.token,
      { ids: [SUPPRESSION_ID] },
      testEnv({ ADMIN: admin }),
    );
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ data: [{ object: 'suppression', id: SUPPRESSION_ID, deleted: true }] });
    for (const body of [{ ids: [SUPPRESSION_ID], emails: ['a@x.test'] }, {}]) {
      const bad = await postJson(
        '/api/suppressions/batch/remove',
        tenant.fullKey.token,
        body,
        testEnv({ ADMIN: admin }),
      );
      expect(bad.status).toBe(422);
    }
    expect(admin.batchRemoveSuppressions).toHaveBeenCalledTimes(1);
  });
});

describe('GET /api/emails/:id/events', () => {
  function eventsStub() {
    return {
      health: vi.fn<EventsRpc['health']>(async () => healthyReport('events')),
      listEmailEvents: vi.fn<EventsRpc['listEmailEvents']>(async () => ({
        ok: true,
        value: {
          object: 'list',
          data: [
            {
              type: 'email.delivered',
              recipient: 'ada@customer.test',
              occurred_at: '2026-09-01T10:00:02.120Z',
              data: {},
            },
          ],
        },
      })),
    };
  }

  it("renders events' list for the email", async () => {
    const events = eventsStub();
    const id = crypto.randomUUID();
    const response = await call(
      `/api/emails/${id}/events`,
      { key: tenant.fullKey.token },
      testEnv({ EVENTS: events }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ object: 'list', data: [{ type: 'email.delivered' }] });
    expect(events.listEmailEvents.mock.calls[0]?.[1]).toBe(id);
  });

  it('refuses an id that is not a UUID, and a sending_access key', async () => {
    const events = eventsStub();
    const bad = await call(
      '/api/emails/nope/events',
      { key: tenant.fullKey.token },
      testEnv({ EVENTS: events }),
    );
    expect(bad.status).toBe(422);
    const sending = await call(
      `/api/emails/${crypto.randomUUID()}/events`,
      { key: tenant.sendingKey.token },
      testEnv({ EVENTS: events }),
    );
    expect(sending.status).toBe(403);
    expect(events.listEmailEvents).not.toHaveBeenCalled();
  });

  it("turns events' not_found into a 404", async () => {
    const events = eventsStub();
    events.listEmailEvents.mockResolvedValueOnce({
      ok: false,
      error: { code: 'not_found', message: 'Email x not found.' },
    });
    const response = await call(
      `/api/emails/${crypto.randomUUID()}/events`,
      { key: tenant.fullKey.token },
      testEnv({ EVENTS: events }),
    );
    expect(response.status).toBe(404);
  });
});
