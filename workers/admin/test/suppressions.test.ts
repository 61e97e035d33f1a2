// MessagingService's suppression methods over real RPC, against the local D1: add (idempotent, one or
// a batch), get and remove by id or address, list with cursors and the origin filter, each change
// with its audit entry, and one tenant never seeing another's list.
import type { Caller } from '@mailgrid/contracts';
import { beforeEach, describe, expect, it } from 'vitest';
import { failure, messaging, realEnv, twoTenants, value } from './helpers';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let acme: Caller;
let globex: Caller;

beforeEach(async () => {
  ({ acme, globex } = await twoTenants());
});

async function auditActions(caller: Caller, target: string): Promise<string[]> {
  const { results } = await realEnv.DB.prepare(
    'SELECT action FROM audit_log WHERE tenant_id = ? AND target_id = ? ORDER BY created_at, action',
  )
    .bind(caller.tenant_id, target)
    .all<{ action: string }>();
  return results.map((row) => row.action);
}

async function isSuppressed(caller: Caller, email: string): Promise<boolean> {
  const row = await realEnv.DB.prepare('SELECT 1 AS x FROM suppressions WHERE tenant_id = ? AND email = ?')
    .bind(caller.tenant_id, email)
    .first();
  return row !== null;
}

describe('addSuppression', () => {
  it('suppresses the lower-cased address for the tenant only, with an audit entry', async () => {
    const added = value(
      await messaging.addSuppression(acme, { email: 'ada@customer.test', reason: 'asked us to stop' }),
    );
    expect(added).toEqual({
      object: 'suppression',
      id: expect.stringMatching(UUID),
      email: 'ada@customer.test',
      origin: 'manual',
      source_id: null,
      reason: 'asked us to stop',
      created_at: expect.any(String),
    });
    expect(await isSuppressed(acme, 'ada@customer.test')).toBe(true);
    expect(await isSuppressed(globex, 'ada@customer.test')).toBe(false);
    expect(await auditActions(acme, 'ada@customer.test')).toEqual(['suppression.created']);
  });

  it('returns the existing entry, unchanged and without a second audit entry, for an address already there', async () => {
    await realEnv.DB.prepare(
      "INSERT INTO suppressions (tenant_id, email, reason, created_at) VALUES (?, 'bob@customer.test', 'bounce:Permanent/General', ?)",
    )
      .bind(acme.tenant_id, new Date().toISOString())
      .run();
    const again = value(await messaging.addSuppression(acme, { email: 'bob@customer.test' }));
    // A writer that left the id out (a seed) still gets one (the 0019 trigger).
    expect(again).toMatchObject({
      id: expect.stringMatching(UUID),
      origin: 'bounce',
      reason: 'bounce:Permanent/General',
    });
    expect(await auditActions(acme, 'bob@customer.test')).toEqual([]);
  });
});

describe('listSuppressions', () => {
  it('pages newest first with address cursors, and shows only the tenant own list', async () => {
    for (const [index, email] of ['a@x.test', 'b@x.test', 'c@x.test'].entries()) {
      await realEnv.DB.prepare(
        "INSERT INTO suppressions (tenant_id, email, reason, created_at) VALUES (?, ?, 'manual', ?)",
      )
        .bind(acme.tenant_id, email, `2026-09-01T10:00:0${index}.000Z`)
        .run();
    }
    await messaging.addSuppression(globex, { email: 'z@x.test' });

    const first = value(await messaging.listSuppressions(acme, { limit: 2 }));
    expect(first.data.map((row) => row.email)).toEqual(['c@x.test', 'b@x.test']);
    expect(first.has_more).toBe(true);
    const second = value(await messaging.listSuppressions(acme, { limit: 2, after: 'b@x.test' }));
    expect(second).toMatchObject({ has_more: false, data: [{ email: 'a@x.test' }] });
    const back = value(await messaging.listSuppressions(acme, { limit: 2, before: 'a@x.test' }));
    expect(back.data.map((row) => row.email)).toEqual(['c@x.test', 'b@x.test']);
    // The SDK pages with the ids the list answered.
    const byId = value(await messaging.listSuppressions(acme, { limit: 2, after: first.data[1]?.id }));
    expect(byId.data.map((row) => row.email)).toEqual(['a@x.test']);

    expect(await messaging.listSuppressions(acme, { limit: 2, after: 'z@x.test' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_parameter' },
    });
  });
});

describe('removeSuppression', () => {
  it('removes the address with an audit entry; a second removal is not_found', async () => {
    await messaging.addSuppression(acme, { email: 'ada@customer.test' });
    const { id } = value(await messaging.getSuppression(acme, 'ada@customer.test'));
    expect(value(await messaging.removeSuppression(acme, 'Ada@Customer.test'))).toEqual({
      object: 'suppression',
      id,
      deleted: true,
    });
    expect(await isSuppressed(acme, 'ada@customer.test')).toBe(false);
    expect(await auditActions(acme, 'ada@customer.test')).toEqual([
      'suppression.created',
      'suppression.deleted',
    ]);
    expect(await messaging.removeSuppression(acme, 'ada@customer.test')).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it("cannot remove another tenant's suppression", async () => {
    await messaging.addSuppression(acme, { email: 'ada@customer.test' });
    expect(await messaging.removeSuppression(globex, 'ada@customer.test')).toMatchObject({ ok: false });
    expect(await isSuppressed(acme, 'ada@customer.test')).toBe(true);
  });
});

describe('getSuppression', () => {
  it('reads a suppression by its id or its address, the tenant own only', async () => {
    const added = value(await messaging.addSuppression(acme, { email: 'ada@customer.test' }));
    expect(value(await messaging.getSuppression(acme, added.id))).toEqual(added);
    expect(value(await messaging.getSuppression(acme, 'ADA@customer.test'))).toEqual(added);
    expect(failure(await messaging.getSuppression(globex, added.id)).code).toBe('not_found');
    expect(failure(await messaging.getSuppression(globex, 'ada@customer.test')).code).toBe('not_found');
  });
});

describe('origin filter', () => {
  it('lists only the suppressions of the origin asked for', async () => {
    await realEnv.DB.prepare(
      "INSERT INTO suppressions (tenant_id, email, reason, created_at) VALUES (?, 'b@x.test', 'bounce:Permanent/General', ?), (?, 'c@x.test', 'complaint', ?)",
    )
      .bind(acme.tenant_id, new Date().toISOString(), acme.tenant_id, new Date().toISOString())
      .run();
    await messaging.addSuppression(acme, { email: 'm@x.test' });
    const emails = async (origin: 'bounce' | 'complaint' | 'manual') =>
      value(await messaging.listSuppressions(acme, { limit: 20, origin })).data.map((row) => row.email);
    expect(await emails('bounce')).toEqual(['b@x.test']);
    expect(await emails('complaint')).toEqual(['c@x.test']);
    expect(await emails('manual')).toEqual(['m@x.test']);
  });
});

describe('batch add and remove', () => {
  it('adds the new addresses, answers every id in order, and keeps an existing one as it was', async () => {
    const existing = value(await messaging.addSuppression(acme, { email: 'old@x.test', reason: 'asked' }));
    const added = value(
      await messaging.batchAddSuppressions(acme, { emails: ['new1@x.test', 'old@x.test', 'new2@x.test'] }),
    );
    expect(added.data).toHaveLength(3);
    expect(added.data[1]).toEqual({ object: 'suppression', id: existing.id });
    for (const entry of added.data)
      expect(entry).toEqual({ object: 'suppression', id: expect.stringMatching(UUID) });
    expect(value(await messaging.getSuppression(acme, 'old@x.test')).reason).toBe('asked');
    expect(value(await messaging.getSuppression(acme, 'new2@x.test')).id).toBe(added.data[2]?.id);
    expect(await isSuppressed(globex, 'new1@x.test')).toBe(false);
  });

  it('removes by ids or by addresses; one not there is deleted: false', async () => {
    const added = value(
      await messaging.batchAddSuppressions(acme, { emails: ['a@x.test', 'b@x.test', 'c@x.test'] }),
    );
    const [a, b] = added.data;
    const byIds = value(
      await messaging.batchRemoveSuppressions(acme, { ids: [a?.id as string, b?.id as string] }),
    );
    expect(byIds.data).toEqual([
      { object: 'suppression', id: a?.id, deleted: true },
      { object: 'suppression', id: b?.id, deleted: true },
    ]);
    const byEmails = value(
      await messaging.batchRemoveSuppressions(acme, { emails: ['c@x.test', 'nobody@x.test'] }),
    );
    expect(byEmails.data).toEqual([
      { object: 'suppression', id: added.data[2]?.id, deleted: true },
      { object: 'suppression', id: 'nobody@x.test', deleted: false },
    ]);
    for (const email of ['a@x.test', 'b@x.test', 'c@x.test'])
      expect(await isSuppressed(acme, email)).toBe(false);
    expect(await auditActions(acme, 'a@x.test')).toEqual(['suppression.created', 'suppression.deleted']);
  });

  it("does not remove another tenant's suppressions by id", async () => {
    const added = value(await messaging.addSuppression(acme, { email: 'a@x.test' }));
    const answer = value(await messaging.batchRemoveSuppressions(globex, { ids: [added.id] }));
    expect(answer.data).toEqual([{ object: 'suppression', id: added.id, deleted: false }]);
    expect(await isSuppressed(acme, 'a@x.test')).toBe(true);
  });
});
