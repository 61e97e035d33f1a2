// MessagingService's webhook methods over real RPC, against the local D1: the signing secret shown by
// the create and the retrieve (never a list or the audit log), its rotation, CRUD with audit entries,
// one tenant never reaching another's webhooks, the delivery log (events, attempts, replay), and which
// endpoints are refused where.
import { type Caller, type CreateWebhookRequest, endpointProblem } from '@mailgrid/contracts';
import { openSecret } from '@mailgrid/runtime';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { failure, messaging, realEnv, twoTenants, value } from './helpers';

let acme: Caller;
let globex: Caller;

beforeEach(async () => {
  ({ acme, globex } = await twoTenants());
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function auditActions(caller: Caller, target: string): Promise<string[]> {
  const { results } = await realEnv.DB.prepare(
    'SELECT action, summary FROM audit_log WHERE tenant_id = ? AND target_id = ? ORDER BY created_at, action',
  )
    .bind(caller.tenant_id, target)
    .all<{ action: string; summary: string }>();
  return results.map((row) => row.action);
}

const hook: CreateWebhookRequest = {
  endpoint: 'https://hooks.example.test/mailgrid',
  events: ['email.delivered', 'email.bounced'],
};

describe('createWebhook', () => {
  it('answers with the id and a whsec_ signing secret, which the retrieve shows and a list never does', async () => {
    const created = value(await messaging.createWebhook(acme, hook));
    expect(created).toEqual({
      object: 'webhook',
      id: expect.any(String),
      signing_secret: expect.any(String),
    });
    expect(created.signing_secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(atob(created.signing_secret.slice(6))).toHaveLength(32);

    const read = value(await messaging.getWebhook(acme, created.id));
    expect(read).toEqual({
      object: 'webhook',
      id: created.id,
      endpoint: hook.endpoint,
      events: hook.events,
      status: 'enabled',
      disabled_reason: null,
      created_at: expect.any(String),
      signing_secret: created.signing_secret,
    });
    const listed = value(await messaging.listWebhooks(acme));
    expect(JSON.stringify(listed)).not.toContain(created.signing_secret.slice(6));
    expect(await auditActions(acme, created.id)).toEqual(['webhook.created']);
    // Stored sealed (AES-GCM under WEBHOOK_SECRET_KEY), never as it is.
    const stored = await realEnv.DB.prepare('SELECT secret FROM webhooks WHERE id = ?')
      .bind(created.id)
      .first<{ secret: string }>();
    expect(stored?.secret).toMatch(/^enc1:/);
    expect(stored?.secret).not.toContain(created.signing_secret.slice(6));
    expect(await openSecret(stored?.secret ?? '', realEnv.WEBHOOK_SECRET_KEY)).toBe(created.signing_secret);
    await expect(openSecret(stored?.secret ?? '', 'another key')).rejects.toThrow();
    const { results } = await realEnv.DB.prepare('SELECT summary FROM audit_log WHERE target_id = ?')
      .bind(created.id)
      .all<{ summary: string }>();
    expect(results[0]?.summary).not.toContain(created.signing_secret.slice(6));
  });

  it('gives every webhook its own secret', async () => {
    const one = value(await messaging.createWebhook(acme, hook));
    const two = value(await messaging.createWebhook(acme, hook));
    expect(one.signing_secret).not.toBe(two.signing_secret);
  });
});

describe('list, update, delete', () => {
  it('lists the tenant own webhooks only, newest first', async () => {
    const first = value(await messaging.createWebhook(acme, hook));
    const second = value(await messaging.createWebhook(acme, { ...hook, events: ['email.opened'] }));
    value(await messaging.createWebhook(globex, hook));
    const listed = value(await messaging.listWebhooks(acme));
    expect(listed.has_more).toBe(false);
    expect(listed.data.map((webhook) => webhook.id).sort()).toEqual([first.id, second.id].sort());
  });

  it('updates endpoint, events and status, with an audit entry', async () => {
    const { id } = value(await messaging.createWebhook(acme, hook));
    expect(
      value(
        await messaging.updateWebhook(acme, id, {
          endpoint: 'https://hooks.example.test/v2',
          events: ['email.clicked'],
          status: 'disabled',
        }),
      ),
    ).toEqual({ object: 'webhook', id });
    expect(value(await messaging.getWebhook(acme, id))).toMatchObject({
      endpoint: 'https://hooks.example.test/v2',
      events: ['email.clicked'],
      status: 'disabled',
    });
    expect(await auditActions(acme, id)).toEqual(['webhook.created', 'webhook.updated']);
  });

  it('re-enabling clears the reason Mailgrid disabled it for', async () => {
    const { id } = value(await messaging.createWebhook(acme, hook));
    await realEnv.DB.prepare(
      "UPDATE webhooks SET status = 'disabled', disabled_reason = 'endpoint answered 410 Gone' WHERE id = ?",
    )
      .bind(id)
      .run();
    value(await messaging.updateWebhook(acme, id, { status: 'enabled' }));
    expect(value(await messaging.getWebhook(acme, id))).toMatchObject({
      status: 'enabled',
      disabled_reason: null,
    });
  });

  it('refuses an update that changes nothing', async () => {
    const { id } = value(await messaging.createWebhook(acme, hook));
    expect(failure(await messaging.updateWebhook(acme, id, {})).code).toBe('validation_error');
  });

  it('deletes the webhook, with an audit entry', async () => {
    const { id } = value(await messaging.createWebhook(acme, hook));
    expect(value(await messaging.deleteWebhook(acme, id))).toEqual({ object: 'webhook', id, deleted: true });
    expect(failure(await messaging.getWebhook(acme, id)).code).toBe('not_found');
    expect(await auditActions(acme, id)).toEqual(['webhook.created', 'webhook.deleted']);
  });

  it("never reads, changes or deletes another tenant's webhook", async () => {
    const { id } = value(await messaging.createWebhook(acme, hook));
    expect(failure(await messaging.getWebhook(globex, id)).code).toBe('not_found');
    expect(failure(await messaging.updateWebhook(globex, id, { status: 'disabled' })).code).toBe('not_found');
    expect(failure(await messaging.deleteWebhook(globex, id)).code).toBe('not_found');
    expect(failure(await messaging.listWebhookEvents(globex, id, { limit: 20 })).code).toBe('not_found');
    expect(failure(await messaging.rotateWebhookSecret(globex, id)).code).toBe('not_found');
    expect(value(await messaging.getWebhook(acme, id)).status).toBe('enabled');
    expect(await auditActions(globex, id)).toEqual([]);
  });
});

describe('deliveries and replay', () => {
  async function seedDelivery(
    caller: Caller,
    webhookId: string,
    status: 'failed' | 'delivered' | 'pending',
    createdAt = new Date().toISOString(),
  ) {
    const id = `msg_${crypto.randomUUID().replaceAll('-', '')}`;
    const now = new Date().toISOString();
    await realEnv.DB.batch([
      realEnv.DB.prepare(
        `INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, event_id, type, payload, status, attempts, last_status_code, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, 'email.delivered', ?, ?, 2, 500, '2026-06-01T00:00:00.000Z', ?)`,
      ).bind(
        id,
        caller.tenant_id,
        webhookId,
        crypto.randomUUID(),
        JSON.stringify({ type: 'email.delivered', data: { email_id: 'e1' } }),
        status,
        createdAt,
      ),
      realEnv.DB.prepare(
        "INSERT INTO webhook_attempts VALUES (?, 1, 500, 'HTTP 500: oops', 12, ?), (?, 2, NULL, 'no response within 15 s', 15000, ?)",
      ).bind(id, now, id, now),
    ]);
    return id;
  }

  it("lists a webhook's events newest first, in Resend's shape, paged by event id", async () => {
    const { id } = value(await messaging.createWebhook(acme, hook));
    const older = await seedDelivery(acme, id, 'failed', '2026-01-01T00:00:00.000Z');
    const newer = await seedDelivery(acme, id, 'delivered', '2026-01-02T00:00:00.000Z');
    const listed = value(await messaging.listWebhookEvents(acme, id, { limit: 20 }));
    expect(listed).toEqual({
      object: 'list',
      has_more: false,
      data: [
        {
          id: newer,
          type: 'email.delivered',
          created_at: '2026-01-02T00:00:00.000Z',
          status: 'success',
          attempts: 2,
        },
        {
          id: older,
          type: 'email.delivered',
          created_at: '2026-01-01T00:00:00.000Z',
          status: 'failed',
          attempts: 2,
        },
      ],
    });
    const first = value(await messaging.listWebhookEvents(acme, id, { limit: 1 }));
    expect(first).toMatchObject({ has_more: true, data: [{ id: newer }] });
    const next = value(await messaging.listWebhookEvents(acme, id, { limit: 1, after: newer }));
    expect(next).toMatchObject({ has_more: false, data: [{ id: older }] });
    expect(
      failure(await messaging.listWebhookEvents(acme, id, { limit: 1, after: `msg_${'0'.repeat(32)}` })).code,
    ).toBe('invalid_parameter');
  });

  it('reads one event with its payload, and its attempts newest first', async () => {
    const { id } = value(await messaging.createWebhook(acme, hook));
    const eventId = await seedDelivery(acme, id, 'failed');
    expect(value(await messaging.getWebhookEvent(acme, id, eventId))).toEqual({
      object: 'webhook_event',
      id: eventId,
      type: 'email.delivered',
      created_at: expect.any(String),
      status: 'failed',
      attempts: 2,
      next_attempt_at: null,
      payload: { type: 'email.delivered', data: { email_id: 'e1' } },
    });
    const attempts = value(await messaging.listWebhookEventAttempts(acme, id, eventId, { limit: 20 }));
    expect(attempts).toEqual({
      object: 'list',
      has_more: false,
      data: [
        {
          id: `${eventId}-2`,
          http_status_code: 0,
          response: 'no response within 15 s',
          sent_at: expect.any(String),
          attempt: 2,
          duration_ms: 15000,
        },
        {
          id: `${eventId}-1`,
          http_status_code: 500,
          response: 'oops',
          sent_at: expect.any(String),
          attempt: 1,
          duration_ms: 12,
        },
      ],
    });
    expect(failure(await messaging.getWebhookEvent(globex, id, eventId)).code).toBe('not_found');
  });

  it('an event still retrying is attempting, with its next attempt', async () => {
    const { id } = value(await messaging.createWebhook(acme, hook));
    const eventId = await seedDelivery(acme, id, 'pending');
    expect(value(await messaging.getWebhookEvent(acme, id, eventId))).toMatchObject({
      status: 'attempting',
      next_attempt_at: '2026-06-01T00:00:00.000Z',
    });
  });

  it('replays a delivery: pending again, queued with the whole retry schedule, audited', async () => {
    const send = vi.spyOn(realEnv.WEBHOOKS_QUEUE, 'send');
    const { id } = value(await messaging.createWebhook(acme, hook));
    const deliveryId = await seedDelivery(acme, id, 'failed');
    const replayed = value(await messaging.replayWebhookEvent(acme, id, deliveryId));
    expect(replayed).toEqual({ object: 'webhook_event', id: deliveryId });
    expect(value(await messaging.getWebhookEvent(acme, id, deliveryId))).toMatchObject({
      status: 'attempting',
      next_attempt_at: expect.any(String),
    });
    expect(send).toHaveBeenCalledWith({
      kind: 'webhook.deliver',
      tenant_id: acme.tenant_id,
      delivery_id: deliveryId,
      retry: 0,
      // The two attempts made: a copy of an older message finds more and sends nothing.
      attempts: 2,
    });
    expect(await auditActions(acme, deliveryId)).toEqual(['webhook_delivery.replayed']);
  });

  it("does not replay another tenant's delivery, nor one under another webhook", async () => {
    const send = vi.spyOn(realEnv.WEBHOOKS_QUEUE, 'send');
    const { id } = value(await messaging.createWebhook(acme, hook));
    const other = value(await messaging.createWebhook(acme, hook));
    const deliveryId = await seedDelivery(acme, id, 'delivered');
    expect(failure(await messaging.replayWebhookEvent(globex, id, deliveryId)).code).toBe('not_found');
    expect(failure(await messaging.replayWebhookEvent(acme, other.id, deliveryId)).code).toBe('not_found');
    expect(send).not.toHaveBeenCalled();
  });
});

describe('rotateWebhookSecret', () => {
  it('replaces the secret, keeps the old one for 24 hours beside it, and audits without either', async () => {
    const created = value(await messaging.createWebhook(acme, hook));
    const before = Date.now();
    const rotated = value(await messaging.rotateWebhookSecret(acme, created.id));
    expect(rotated).toEqual({
      object: 'webhook',
      id: created.id,
      signing_secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      previous_secret_expires_at: expect.any(String),
    });
    expect(rotated.signing_secret).not.toBe(created.signing_secret);
    const expires = Date.parse(rotated.previous_secret_expires_at);
    expect(expires - before).toBeGreaterThanOrEqual(24 * 3600_000 - 5_000);
    expect(expires - before).toBeLessThanOrEqual(24 * 3600_000 + 5_000);
    expect(value(await messaging.getWebhook(acme, created.id)).signing_secret).toBe(rotated.signing_secret);
    const row = await realEnv.DB.prepare('SELECT secret, previous_secret FROM webhooks WHERE id = ?')
      .bind(created.id)
      .first<{ secret: string; previous_secret: string }>();
    expect(await openSecret(row?.previous_secret ?? '', realEnv.WEBHOOK_SECRET_KEY)).toBe(
      created.signing_secret,
    );
    expect(await openSecret(row?.secret ?? '', realEnv.WEBHOOK_SECRET_KEY)).toBe(rotated.signing_secret);
    expect(await auditActions(acme, created.id)).toEqual(['webhook.created', 'webhook.secret_rotated']);
    const { results } = await realEnv.DB.prepare('SELECT summary FROM audit_log WHERE target_id = ?')
      .bind(created.id)
      .all<{ summary: string }>();
    for (const secret of [created.signing_secret, rotated.signing_secret]) {
      expect(JSON.stringify(results)).not.toContain(secret.slice(6));
    }
  });

  it('a second rotation retires the oldest secret: two at most', async () => {
    const created = value(await messaging.createWebhook(acme, hook));
    const first = value(await messaging.rotateWebhookSecret(acme, created.id));
    value(await messaging.rotateWebhookSecret(acme, created.id));
    const row = await realEnv.DB.prepare('SELECT previous_secret FROM webhooks WHERE id = ?')
      .bind(created.id)
      .first<{ previous_secret: string }>();
    expect(await openSecret(row?.previous_secret ?? '', realEnv.WEBHOOK_SECRET_KEY)).toBe(
      first.signing_secret,
    );
  });
});

describe('endpoints', () => {
  it('accepts http and localhost in development (these tests run there)', async () => {
    expect(realEnv.ENVIRONMENT).toBe('development');
    value(await messaging.createWebhook(acme, { ...hook, endpoint: 'http://localhost:8787/hook' }));
  });

  it.each([
    ['http://hooks.example.test/x', 'endpoint must be https'],
    ['https://localhost/x', 'endpoint must not be localhost or a private address'],
    ['https://127.0.0.1/x', 'endpoint must not be localhost or a private address'],
    ['https://0x7f.1/x', 'endpoint must not be localhost or a private address'],
    ['https://10.1.2.3/x', 'endpoint must not be localhost or a private address'],
    ['https://172.20.0.1/x', 'endpoint must not be localhost or a private address'],
    ['https://192.168.1.1/x', 'endpoint must not be localhost or a private address'],
    ['https://169.254.169.254/latest', 'endpoint must not be localhost or a private address'],
    ['https://[::1]/x', 'endpoint must not be localhost or a private address'],
    ['https://[::ffff:127.0.0.1]/x', 'endpoint must not be localhost or a private address'],
    ['https://[fd00::1]/x', 'endpoint must not be localhost or a private address'],
    ['https://user:pw@hooks.example.test/x', 'endpoint must not carry credentials'],
  ])('outside development refuses %s', (endpoint, problem) => {
    expect(endpointProblem(endpoint, 'production')).toBe(problem);
    expect(endpointProblem(endpoint, 'staging')).toBe(problem);
  });

  it.each([
    'https://hooks.example.test/x',
    'https://8.8.8.8/x',
    'https://172.32.0.1/x',
    'https://[2606:4700::1]/x',
  ])('outside development accepts %s', (endpoint) => {
    expect(endpointProblem(endpoint, 'production')).toBeNull();
  });
});
