// MessagingService's stream methods over real RPC, against the local D1: the two default streams every
// tenant has without a row, creating, updating (a default is stored by its first change), deleting
// (never a default), reputation figures from the guardrail's state, audit entries, and one tenant
// never reaching another's streams.
import type { Caller, CreateStreamRequest } from '@mailgrid/contracts';
import { beforeEach, describe, expect, it } from 'vitest';
import { failure, messaging, realEnv, twoTenants, value } from './helpers';

let acme: Caller;
let globex: Caller;

beforeEach(async () => {
  ({ acme, globex } = await twoTenants());
});

async function audit(caller: Caller, target: string) {
  const { results } = await realEnv.DB.prepare(
    'SELECT action, summary FROM audit_log WHERE tenant_id = ? AND target_id = ? ORDER BY created_at, action',
  )
    .bind(caller.tenant_id, target)
    .all<{ action: string; summary: string }>();
  return results.map((row) => ({ action: row.action, summary: JSON.parse(row.summary) }));
}

async function storedRows(caller: Caller): Promise<string[]> {
  const { results } = await realEnv.DB.prepare('SELECT id FROM streams WHERE tenant_id = ? ORDER BY id')
    .bind(caller.tenant_id)
    .all<{ id: string }>();
  return results.map((row) => row.id);
}

const resets: CreateStreamRequest = {
  id: 'password-resets',
  name: 'Password resets',
  type: 'transactional',
  configuration_set: 'resets-set',
  ip_pool: 'resets-pool',
  track_opens: false,
};

describe('default streams', () => {
  it('every tenant has transactional and broadcast without a stored row', async () => {
    const listed = value(await messaging.listStreams(acme));
    expect(listed).toEqual({
      object: 'list',
      has_more: false,
      data: [
        {
          object: 'stream',
          id: 'transactional',
          name: 'Transactional',
          type: 'transactional',
          configuration_set: null,
          ip_pool: null,
          track_opens: null,
          track_clicks: null,
          list_unsubscribe: false,
          default: true,
          created_at: expect.any(String),
          updated_at: expect.any(String),
        },
        expect.objectContaining({
          id: 'broadcast',
          type: 'broadcast',
          list_unsubscribe: true,
          default: true,
        }),
      ],
    });
    expect(value(await messaging.getStream(acme, 'broadcast'))).toMatchObject({
      id: 'broadcast',
      reputation: { status: 'ok', sent: 0, bounce_rate: 0, updated_at: null },
    });
    expect(await storedRows(acme)).toEqual([]);
  });

  it('a PATCH on a default stores it with the change, for this tenant only', async () => {
    const updated = value(
      await messaging.updateStream(acme, 'broadcast', { configuration_set: 'news-set', track_clicks: true }),
    );
    expect(updated).toMatchObject({
      id: 'broadcast',
      name: 'Broadcast',
      type: 'broadcast',
      configuration_set: 'news-set',
      track_clicks: true,
      track_opens: null,
      list_unsubscribe: true,
      default: true,
    });
    expect(value(await messaging.getStream(acme, 'broadcast'))).toMatchObject({
      configuration_set: 'news-set',
    });
    expect(value(await messaging.getStream(globex, 'broadcast')).configuration_set).toBeNull();
    expect(await storedRows(acme)).toEqual(['broadcast']);
    // A second change updates the stored row.
    value(await messaging.updateStream(acme, 'broadcast', { configuration_set: null, name: 'News' }));
    expect(value(await messaging.getStream(acme, 'broadcast'))).toMatchObject({
      name: 'News',
      configuration_set: null,
      track_clicks: true,
    });
    expect((await audit(acme, 'broadcast')).map((entry) => entry.action)).toEqual([
      'stream.updated',
      'stream.updated',
    ]);
  });

  it('refuses to delete either default, with a clear message, and changes nothing', async () => {
    for (const id of ['transactional', 'broadcast']) {
      const error = failure(await messaging.deleteStream(acme, id));
      expect(error.code).toBe('conflict');
      expect(error.message).toContain('cannot be deleted');
    }
    expect(value(await messaging.listStreams(acme)).data).toHaveLength(2);
    expect(await audit(acme, 'transactional')).toEqual([]);
  });

  it('refuses a create that takes a default id', async () => {
    expect(failure(await messaging.createStream(acme, { ...resets, id: 'broadcast' })).code).toBe('conflict');
  });
});

describe('custom streams', () => {
  it('creates, reads, lists after the defaults, updates and deletes, each audited', async () => {
    const created = value(await messaging.createStream(acme, resets));
    expect(created).toEqual({
      object: 'stream',
      id: 'password-resets',
      name: 'Password resets',
      type: 'transactional',
      configuration_set: 'resets-set',
      ip_pool: 'resets-pool',
      track_opens: false,
      track_clicks: null,
      list_unsubscribe: false,
      default: false,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const newsletter = value(
      await messaging.createStream(acme, { id: 'newsletter', name: 'Newsletter', type: 'broadcast' }),
    );
    expect(newsletter.list_unsubscribe).toBe(true);
    expect(value(await messaging.listStreams(acme)).data.map((stream) => stream.id)).toEqual([
      'transactional',
      'broadcast',
      'password-resets',
      'newsletter',
    ]);
    expect(value(await messaging.getStream(acme, 'password-resets'))).toEqual({
      ...created,
      reputation: {
        status: 'ok',
        sent: 0,
        bounced: 0,
        complained: 0,
        bounce_rate: 0,
        complaint_rate: 0,
        reason: null,
        warned_at: null,
        paused_at: null,
        resumed_at: null,
        updated_at: null,
      },
    });

    const updated = value(
      await messaging.updateStream(acme, 'password-resets', { ip_pool: null, list_unsubscribe: true }),
    );
    expect(updated).toMatchObject({ ip_pool: null, list_unsubscribe: true, configuration_set: 'resets-set' });

    expect(value(await messaging.deleteStream(acme, 'password-resets'))).toEqual({
      object: 'stream',
      id: 'password-resets',
      deleted: true,
    });
    expect(failure(await messaging.getStream(acme, 'password-resets')).code).toBe('not_found');
    const entries = await audit(acme, 'password-resets');
    expect(entries.map((entry) => entry.action).sort()).toEqual([
      'stream.created',
      'stream.deleted',
      'stream.updated',
    ]);
    expect(entries.find((entry) => entry.action === 'stream.updated')?.summary).toMatchObject({
      changed: ['ip_pool', 'list_unsubscribe'],
    });
  });

  it('refuses an id the tenant already uses, but another tenant may use it', async () => {
    value(await messaging.createStream(acme, resets));
    const error = failure(await messaging.createStream(acme, { ...resets, name: 'Again' }));
    expect(error.code).toBe('conflict');
    expect(error.message).toContain('password-resets');
    value(await messaging.createStream(globex, resets));
  });

  it('refuses an update that changes nothing', async () => {
    value(await messaging.createStream(acme, resets));
    expect(failure(await messaging.updateStream(acme, 'password-resets', {})).code).toBe('validation_error');
  });

  it('shows the reputation guardrail state of the stream', async () => {
    value(await messaging.createStream(acme, resets));
    await realEnv.DB.prepare(
      `INSERT INTO reputation_state (tenant_id, stream, status, sent, bounced, complained, bounce_rate, complaint_rate, reason, paused_at, updated_at)
       VALUES (?, 'password-resets', 'paused', 400, 24, 0, 0.06, 0, 'bounce rate 6.0% is at or above 5%', '2026-01-02T00:00:00.000Z', '2026-01-02T00:00:00.000Z')`,
    )
      .bind(acme.tenant_id)
      .run();
    expect(value(await messaging.getStream(acme, 'password-resets')).reputation).toMatchObject({
      status: 'paused',
      sent: 400,
      bounced: 24,
      bounce_rate: 0.06,
      reason: 'bounce rate 6.0% is at or above 5%',
      paused_at: '2026-01-02T00:00:00.000Z',
    });
  });

  it("never reads, changes or deletes another tenant's stream", async () => {
    value(await messaging.createStream(acme, resets));
    expect(failure(await messaging.getStream(globex, 'password-resets')).code).toBe('not_found');
    expect(failure(await messaging.updateStream(globex, 'password-resets', { name: 'x' })).code).toBe(
      'not_found',
    );
    expect(failure(await messaging.deleteStream(globex, 'password-resets')).code).toBe('not_found');
    expect(value(await messaging.listStreams(globex)).data.map((stream) => stream.id)).toEqual([
      'transactional',
      'broadcast',
    ]);
    expect(value(await messaging.getStream(acme, 'password-resets')).name).toBe('Password resets');
    expect(await audit(globex, 'password-resets')).toEqual([]);
  });
});
