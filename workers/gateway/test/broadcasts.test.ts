// The gateway's side of the Broadcasts API: what it passes to admin (the object) and to send (the
// sending), the create that also sends (and takes its draft back when send refuses), and the bodies
// the resend SDK sends. MESSAGING and SEND are recording stubs; admin's own tests cover what it stores.
import type { BroadcastSendingRpc, Caller, MessagingRpc, RpcResult } from '@mailgrid/contracts';
import { callerFor, seedTenant } from '@mailgrid/testing/fixtures';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../src/env';
import { call, postJson, realEnv, testEnv, uniqueSlug } from './helpers';

const ID = '7a1c2e3f-0000-4000-8000-0000000000b1';
const SEGMENT = '7a1c2e3f-0000-4000-8000-0000000000c1';
const ref = async (): Promise<RpcResult<{ object: 'broadcast'; id: string }>> => ({
  ok: true,
  value: { object: 'broadcast', id: ID },
});

function stubs() {
  return {
    messaging: {
      createBroadcast: vi.fn<MessagingRpc['createBroadcast']>(ref),
      updateBroadcast: vi.fn<MessagingRpc['updateBroadcast']>(ref),
      deleteBroadcast: vi.fn<MessagingRpc['deleteBroadcast']>(async () => ({
        ok: true,
        value: { object: 'broadcast', id: ID, deleted: true },
      })),
      listBroadcastRecipients: vi.fn<MessagingRpc['listBroadcastRecipients']>(async () => ({
        ok: true,
        value: { object: 'list', has_more: false, data: [] },
      })),
    },
    send: {
      sendBroadcast: vi.fn<BroadcastSendingRpc['sendBroadcast']>(ref),
      cancelBroadcast: vi.fn<BroadcastSendingRpc['cancelBroadcast']>(ref),
      testBroadcast: vi.fn<BroadcastSendingRpc['testBroadcast']>(async () => ({
        ok: true,
        value: { object: 'broadcast', id: ID, emails: [{ id: ID, to: 'ada@example.com' }] },
      })),
    },
  };
}

let tenant: Awaited<ReturnType<typeof seedTenant>>;
let peers: ReturnType<typeof stubs>;
let env: Env;

beforeAll(async () => {
  tenant = await seedTenant(realEnv.DB, {
    slug: uniqueSlug('gw-bc'),
    domain: 'bc.example.test',
    rateLimit: { per_second: 1000, burst: 1000 },
  });
});

beforeEach(() => {
  peers = stubs();
  env = testEnv({ MESSAGING: peers.messaging, SEND: peers.send });
});

const caller = (requestId: string): Caller => callerFor(tenant.tenantId, tenant.fullKey, requestId);

/** What the resend SDK's broadcasts.create sends: every field, undefined ones left out by JSON. */
const SDK_CREATE = {
  name: 'Spring',
  audience_id: SEGMENT,
  from: 'Acme <news@bc.example.test>',
  html: '<p>Hi</p>',
  subject: 'Spring news',
};

describe('POST /api/broadcasts', () => {
  it('creates a draft from what the SDK sends, passing no send fields to admin', async () => {
    const response = await postJson('/api/broadcasts', tenant.fullKey.token, SDK_CREATE, env, {
      'x-request-id': 'bc-create-0001',
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ object: 'broadcast', id: ID });
    expect(peers.messaging.createBroadcast).toHaveBeenCalledWith(caller('bc-create-0001'), SDK_CREATE);
    expect(peers.send.sendBroadcast).not.toHaveBeenCalled();
  });

  it('with send: true, creates then sends, with the schedule', async () => {
    const response = await postJson(
      '/api/broadcasts',
      tenant.fullKey.token,
      { ...SDK_CREATE, send: true, scheduled_at: 'in 1 hour' },
      env,
      { 'x-request-id': 'bc-create-0002' },
    );
    expect(response.status).toBe(201);
    expect(peers.messaging.createBroadcast).toHaveBeenCalledWith(caller('bc-create-0002'), SDK_CREATE);
    expect(peers.send.sendBroadcast).toHaveBeenCalledWith(caller('bc-create-0002'), ID, 'in 1 hour');
    expect(peers.messaging.deleteBroadcast).not.toHaveBeenCalled();
  });

  it("when send refuses, deletes the new draft and answers send's error", async () => {
    peers.send.sendBroadcast.mockResolvedValueOnce({
      ok: false,
      error: { code: 'invalid_from_address', message: 'The bc.example.test domain is not verified.' },
    });
    const response = await postJson(
      '/api/broadcasts',
      tenant.fullKey.token,
      { ...SDK_CREATE, send: true },
      env,
    );
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({
      name: 'invalid_from_address',
      message: 'The bc.example.test domain is not verified.',
    });
    expect(peers.send.sendBroadcast).toHaveBeenCalledWith(expect.anything(), ID, null);
    expect(peers.messaging.deleteBroadcast).toHaveBeenCalledWith(expect.anything(), ID);
  });

  it('refuses scheduled_at without send: true, and a from that is no address, asking no one', async () => {
    for (const [body, message] of [
      [{ ...SDK_CREATE, scheduled_at: 'in 1 hour' }, 'scheduled_at: is taken only with send: true'],
      [{ ...SDK_CREATE, send: false, scheduled_at: 'in 1 hour' }, 'scheduled_at: is taken only with send'],
      [{ ...SDK_CREATE, from: 'Acme' }, 'from: must be an address'],
      [{ ...SDK_CREATE, subject: 'a\nb' }, 'subject: must not contain control characters'],
    ] as const) {
      const response = await postJson('/api/broadcasts', tenant.fullKey.token, body, env);
      expect(response.status).toBe(422);
      expect(((await response.json()) as { message: string }).message).toContain(message);
    }
    expect(peers.messaging.createBroadcast).not.toHaveBeenCalled();
  });
});

describe('sending routes', () => {
  it('POST /send takes no body at all (the SDK sends {} without a schedule) or a schedule', async () => {
    const bare = await call(`/api/broadcasts/${ID}/send`, { method: 'POST', key: tenant.fullKey.token }, env);
    expect(bare.status).toBe(200);
    expect(await bare.json()).toEqual({ object: 'broadcast', id: ID });
    await postJson(`/api/broadcasts/${ID}/send`, tenant.fullKey.token, {}, env);
    await postJson(
      `/api/broadcasts/${ID}/send`,
      tenant.fullKey.token,
      { scheduled_at: '2030-01-01T09:00:00Z' },
      env,
    );
    expect(peers.send.sendBroadcast.mock.calls.map((args) => args.slice(1))).toEqual([
      [ID, null],
      [ID, null],
      [ID, '2030-01-01T09:00:00Z'],
    ]);
  });

  it('POST /cancel goes to send', async () => {
    const response = await call(
      `/api/broadcasts/${ID}/cancel`,
      { method: 'POST', key: tenant.fullKey.token },
      env,
    );
    expect(response.status).toBe(200);
    expect(peers.send.cancelBroadcast).toHaveBeenCalledWith(expect.anything(), ID);
  });

  it('POST /test takes one address or up to 5, always passed as a list', async () => {
    await postJson(`/api/broadcasts/${ID}/test`, tenant.fullKey.token, { to: 'ada@example.com' }, env);
    expect(peers.send.testBroadcast).toHaveBeenCalledWith(expect.anything(), ID, ['ada@example.com']);
    const six = Array.from({ length: 6 }, (_, n) => `r${n}@example.com`);
    for (const to of [six, [], 'not an address']) {
      const response = await postJson(`/api/broadcasts/${ID}/test`, tenant.fullKey.token, { to }, env);
      expect(response.status, JSON.stringify(to)).toBe(422);
    }
    expect(peers.send.testBroadcast).toHaveBeenCalledTimes(1);
  });
});

describe('GET /api/broadcasts/:id/recipients', () => {
  it('passes the filters, and takes bounce_type only with type=bounced', async () => {
    const ok = await call(
      `/api/broadcasts/${ID}/recipients?type=bounced&bounce_type=permanent&email=Ada&limit=5`,
      { key: tenant.fullKey.token },
      env,
    );
    expect(ok.status).toBe(200);
    expect(peers.messaging.listBroadcastRecipients).toHaveBeenCalledWith(expect.anything(), ID, {
      limit: 5,
      type: 'bounced',
      bounce_type: 'permanent',
      email: 'Ada',
    });
    const refused = await call(
      `/api/broadcasts/${ID}/recipients?type=opened&bounce_type=permanent`,
      { key: tenant.fullKey.token },
      env,
    );
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { message: string }).message).toBe(
      'Query parameter bounce_type: is taken only with type=bounced.',
    );
    expect(peers.messaging.listBroadcastRecipients).toHaveBeenCalledTimes(1);
  });
});
