// The gateway's side of the Webhooks API: validation before admin is asked, the caller passed on,
// full_access only, the secret passed through once, and /api/webhooks/ses (SNS's public intake)
// kept apart from /api/webhooks/:id. Admin is a stub.
import type { MessagingRpc } from '@mailgrid/contracts';
import { seedTenant } from '@mailgrid/testing/fixtures';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { call, postJson, realEnv, recordingAdmin, testEnv, uniqueSlug } from './helpers';

let tenant: Awaited<ReturnType<typeof seedTenant>>;

beforeAll(async () => {
  tenant = await seedTenant(realEnv.DB, { slug: uniqueSlug('gw-hooks'), domain: 'hooks.example.test' });
});

const WEBHOOK_ID = '4dd369bc-aa82-4ff3-97de-514ae3000ee0';
const DELIVERY_ID = `msg_${'a'.repeat(32)}`;

const webhook = {
  object: 'webhook' as const,
  id: WEBHOOK_ID,
  endpoint: 'https://hooks.customer.test/mailgrid',
  events: ['email.delivered'],
  status: 'enabled' as const,
  disabled_reason: null,
  created_at: '2026-09-01T10:00:00.000Z',
};

const event = {
  id: DELIVERY_ID,
  type: 'email.delivered' as const,
  created_at: '2026-09-01T10:00:00.000Z',
  status: 'attempting' as const,
  attempts: 1,
};

function webhookAdmin() {
  return {
    ...recordingAdmin(),
    createWebhook: vi.fn<MessagingRpc['createWebhook']>(async () => ({
      ok: true,
      value: { object: 'webhook', id: WEBHOOK_ID, signing_secret: 'whsec_c2VjcmV0' },
    })),
    listWebhooks: vi.fn<MessagingRpc['listWebhooks']>(async () => ({
      ok: true,
      value: { object: 'list', has_more: false, data: [webhook] },
    })),
    getWebhook: vi.fn<MessagingRpc['getWebhook']>(async () => ({
      ok: true,
      value: { ...webhook, signing_secret: 'whsec_c2VjcmV0' },
    })),
    updateWebhook: vi.fn<MessagingRpc['updateWebhook']>(async (_caller, id) => ({
      ok: true,
      value: { object: 'webhook', id },
    })),
    deleteWebhook: vi.fn<MessagingRpc['deleteWebhook']>(async (_caller, id) => ({
      ok: true,
      value: { object: 'webhook', id, deleted: true },
    })),
    listWebhookEvents: vi.fn<MessagingRpc['listWebhookEvents']>(async () => ({
      ok: true,
      value: { object: 'list', has_more: false, data: [event] },
    })),
    replayWebhookEvent: vi.fn<MessagingRpc['replayWebhookEvent']>(async () => ({
      ok: true,
      value: { object: 'webhook_event', id: DELIVERY_ID },
    })),
    rotateWebhookSecret: vi.fn<MessagingRpc['rotateWebhookSecret']>(async (_caller, id) => ({
      ok: true,
      value: {
        object: 'webhook',
        id,
        signing_secret: 'whsec_bmV3',
        previous_secret_expires_at: '2026-09-02T10:00:00.000Z',
      },
    })),
  };
}

describe('POST /api/webhooks', () => {
  it('answers 201 with the id and signing secret, passing the caller and the body on', async () => {
    const admin = webhookAdmin();
    const response = await postJson(
      '/api/webhooks',
      tenant.fullKey.token,
      { endpoint: ' https://hooks.customer.test/mailgrid ', events: ['email.delivered', 'email.delivered'] },
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({
      object: 'webhook',
      id: WEBHOOK_ID,
      signing_secret: 'whsec_c2VjcmV0',
    });
    expect(admin.createWebhook.mock.calls[0]?.[0]).toMatchObject({ tenant_id: tenant.tenantId });
    expect(admin.createWebhook.mock.calls[0]?.[1]).toEqual({
      endpoint: 'https://hooks.customer.test/mailgrid',
      events: ['email.delivered'],
    });
  });

  it.each([
    ['no events', { endpoint: 'https://x.test/h', events: [] }],
    ['an unknown event type', { endpoint: 'https://x.test/h', events: ['email.teleported'] }],
    ['no endpoint', { events: ['email.sent'] }],
    ['an endpoint that is no URL', { endpoint: 'not a url', events: ['email.sent'] }],
    ['an unknown field', { endpoint: 'https://x.test/h', events: ['email.sent'], secret: 'mine' }],
  ])('refuses %s without calling admin', async (_case, body) => {
    const admin = webhookAdmin();
    const response = await postJson('/api/webhooks', tenant.fullKey.token, body, testEnv({ ADMIN: admin }));
    expect(response.status).toBe(422);
    expect(admin.createWebhook).not.toHaveBeenCalled();
  });

  it('needs a full_access key', async () => {
    const admin = webhookAdmin();
    const response = await postJson(
      '/api/webhooks',
      tenant.sendingKey.token,
      { endpoint: 'https://x.test/h', events: ['email.sent'] },
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(403);
    expect(admin.createWebhook).not.toHaveBeenCalled();
  });
});

describe('GET, PATCH, DELETE /api/webhooks/:id and GET /api/webhooks', () => {
  it('lists', async () => {
    const admin = webhookAdmin();
    const response = await call('/api/webhooks', { key: tenant.fullKey.token }, testEnv({ ADMIN: admin }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ object: 'list', has_more: false, data: [webhook] });
  });

  it('reads one, with its signing secret (as Resend does)', async () => {
    const admin = webhookAdmin();
    const response = await call(
      `/api/webhooks/${WEBHOOK_ID}`,
      { key: tenant.fullKey.token },
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ...webhook, signing_secret: 'whsec_c2VjcmV0' });
    expect(admin.getWebhook.mock.calls[0]?.[1]).toBe(WEBHOOK_ID);
  });

  it('updates, passing only the fields given', async () => {
    const admin = webhookAdmin();
    const response = await call(
      `/api/webhooks/${WEBHOOK_ID}`,
      {
        method: 'PATCH',
        key: tenant.fullKey.token,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'disabled' }),
      },
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ object: 'webhook', id: WEBHOOK_ID });
    expect(admin.updateWebhook.mock.calls[0]?.[2]).toEqual({ status: 'disabled' });
  });

  it('refuses a status other than enabled or disabled', async () => {
    const admin = webhookAdmin();
    const response = await call(
      `/api/webhooks/${WEBHOOK_ID}`,
      {
        method: 'PATCH',
        key: tenant.fullKey.token,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'paused' }),
      },
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(422);
    expect(admin.updateWebhook).not.toHaveBeenCalled();
  });

  it('deletes', async () => {
    const admin = webhookAdmin();
    const response = await call(
      `/api/webhooks/${WEBHOOK_ID}`,
      { method: 'DELETE', key: tenant.fullKey.token },
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ object: 'webhook', id: WEBHOOK_ID, deleted: true });
  });

  it("turns admin's not_found into a 404 envelope", async () => {
    const admin = webhookAdmin();
    admin.getWebhook.mockResolvedValueOnce({
      ok: false,
      error: { code: 'not_found', message: 'No webhook.' },
    });
    const response = await call(
      `/api/webhooks/${WEBHOOK_ID}`,
      { key: tenant.fullKey.token },
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ statusCode: 404, name: 'not_found' });
  });

  it('answers 422 for an id that is no webhook id, without asking admin', async () => {
    const admin = webhookAdmin();
    const response = await call(
      '/api/webhooks/nope',
      { key: tenant.fullKey.token },
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({
      name: 'invalid_parameter',
      message: 'Path parameter id must be a webhook id (a UUID).',
    });
    expect(admin.getWebhook).not.toHaveBeenCalled();
  });
});

describe('events (the delivery log) and their /deliveries aliases', () => {
  it.each(['events', 'deliveries'])('lists a webhook events under /%s, passing the page on', async (name) => {
    const admin = webhookAdmin();
    const response = await call(
      `/api/webhooks/${WEBHOOK_ID}/${name}?limit=5&after=${DELIVERY_ID}`,
      { key: tenant.fullKey.token },
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ object: 'list', has_more: false, data: [event] });
    expect(admin.listWebhookEvents.mock.calls[0]?.slice(1)).toEqual([
      WEBHOOK_ID,
      { limit: 5, after: DELIVERY_ID },
    ]);
  });

  it.each([
    ['events', 'event_id'],
    ['deliveries', 'delivery_id'],
  ])('replays one under /%s: 202 with the event id', async (name) => {
    const admin = webhookAdmin();
    const response = await postJson(
      `/api/webhooks/${WEBHOOK_ID}/${name}/${DELIVERY_ID}/replay`,
      tenant.fullKey.token,
      '',
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ object: 'webhook_event', id: DELIVERY_ID });
    expect(admin.replayWebhookEvent.mock.calls[0]?.slice(1)).toEqual([WEBHOOK_ID, DELIVERY_ID]);
  });

  it('needs a full_access key to replay', async () => {
    const admin = webhookAdmin();
    const response = await postJson(
      `/api/webhooks/${WEBHOOK_ID}/events/${DELIVERY_ID}/replay`,
      tenant.sendingKey.token,
      '',
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(403);
    expect(admin.replayWebhookEvent).not.toHaveBeenCalled();
  });

  it('refuses an event id that is not one before admin is asked', async () => {
    const admin = webhookAdmin();
    const response = await call(
      `/api/webhooks/${WEBHOOK_ID}/events/nope`,
      { key: tenant.fullKey.token },
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(422);
  });
});

describe('signing-secret rotation', () => {
  it('rotates with a bodyless POST (as the SDK sends it) and answers the new secret', async () => {
    const admin = webhookAdmin();
    const response = await postJson(
      `/api/webhooks/${WEBHOOK_ID}/signing-secret/rotate`,
      tenant.fullKey.token,
      '',
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      object: 'webhook',
      id: WEBHOOK_ID,
      signing_secret: 'whsec_bmV3',
    });
    expect(admin.rotateWebhookSecret.mock.calls[0]?.slice(1)).toEqual([WEBHOOK_ID]);
  });
});

describe('/api/webhooks/ses stays SNS intake', () => {
  it.each(['GET', 'PATCH', 'DELETE'])(
    '%s on it is a 405 allowing POST, asking for no key and never reaching admin',
    async (method) => {
      const admin = webhookAdmin();
      const response = await call('/api/webhooks/ses', { method }, testEnv({ ADMIN: admin }));
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(admin.getWebhook).not.toHaveBeenCalled();
      expect(admin.updateWebhook).not.toHaveBeenCalled();
      expect(admin.deleteWebhook).not.toHaveBeenCalled();
    },
  );
});
