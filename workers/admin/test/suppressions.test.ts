// MessagingService's suppression methods over real RPC, against the local D1: add (idempotent), list
// with cursors, remove, each change with its audit entry, and one tenant never seeing another's list.
import type { Caller } from '@mailgrid/contracts';
import { beforeEach, describe, expect, it } from 'vitest';
import { messaging, realEnv, twoTenants, value } from './helpers';

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
    expect(added).toMatchObject({
      object: 'suppression',
      id: 'ada@customer.test',
      email: 'ada@customer.test',
      origin: 'manual',
      reason: 'asked us to stop',
    });
    expect(await isSuppressed(acme, 'ada@customer.test')).toBe(true);
    expect(await isSuppressed(globex, 'ada@customer.test')).toBe(false);
    expect(await auditActions(acme, 'ada@customer.test')).toEqual(['suppression.created']);
  });

  it('returns the existing entry, unchanged and without a second audit entry, for an address already there', async () => {
    await realEnv.DB.prepare(
      "INSERT INTO suppressions VALUES (?, 'bob@customer.test', 'bounce:Permanent/General', ?)",
    )
      .bind(acme.tenant_id, new Date().toISOString())
      .run();
    const again = value(await messaging.addSuppression(acme, { email: 'bob@customer.test' }));
    expect(again).toMatchObject({ origin: 'bounce', reason: 'bounce:Permanent/General' });
    expect(await auditActions(acme, 'bob@customer.test')).toEqual([]);
  });
});

describe('listSuppressions', () => {
  it('pages newest first with address cursors, and shows only the tenant own list', async () => {
    for (const [index, email] of ['a@x.test', 'b@x.test', 'c@x.test'].entries()) {
      await realEnv.DB.prepare("INSERT INTO suppressions VALUES (?, ?, 'manual', ?)")
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

    expect(await messaging.listSuppressions(acme, { limit: 2, after: 'z@x.test' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_parameter' },
    });
  });
});

describe('removeSuppression', () => {
  it('removes the address with an audit entry; a second removal is not_found', async () => {
    await messaging.addSuppression(acme, { email: 'ada@customer.test' });
    expect(value(await messaging.removeSuppression(acme, 'Ada@Customer.test'))).toEqual({
      object: 'suppression',
      id: 'ada@customer.test',
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
