// The tenant's daily send limit at accept: emails accepted since UTC midnight, refused past it with
// 429 daily_quota_exceeded, nothing stored; yesterday's emails and unlimited tenants are not counted.
import { describe, expect, it } from 'vitest';
import { accept, countRows, emailFrom, failure, newTenant, send, testEnv, value } from './helpers';

async function limit(tenantId: string, daily: number | null) {
  await testEnv.DB.prepare('UPDATE tenants SET daily_send_limit = ? WHERE id = ?')
    .bind(daily, tenantId)
    .run();
}

describe('daily send limit', () => {
  it('accepts up to the limit, then refuses with daily_quota_exceeded and stores nothing', async () => {
    const tenant = await newTenant();
    await limit(tenant.tenantId, 2);
    await accept(tenant);
    await accept(tenant);
    const refused = failure(await send.accept(tenant.caller, emailFrom(tenant), null));
    expect(refused.code).toBe('daily_quota_exceeded');
    expect(refused.message).toMatch(/2 emails per day/);
    expect(await countRows(tenant)).toBe(2);
  });

  it('refuses a batch that would pass the limit, whole', async () => {
    const tenant = await newTenant();
    await limit(tenant.tenantId, 3);
    await accept(tenant);
    const emails = [0, 1, 2].map((index) => ({ index, email: emailFrom(tenant) }));
    const refused = failure(await send.acceptBatch(tenant.caller, emails, [], 'strict', null));
    expect(refused).toMatchObject({
      code: 'daily_quota_exceeded',
      message: expect.stringMatching(/2 left today/),
    });
    expect(await countRows(tenant)).toBe(1);
    value(await send.acceptBatch(tenant.caller, emails.slice(0, 2), [], 'strict', null));
    expect(await countRows(tenant)).toBe(3);
  });

  it("does not count yesterday's emails, and no limit means unlimited", async () => {
    const tenant = await newTenant();
    await limit(tenant.tenantId, 1);
    const id = await accept(tenant);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    await testEnv.DB.prepare('UPDATE emails SET created_at = ? WHERE id = ?').bind(yesterday, id).run();
    await testEnv.DB.prepare('UPDATE daily_usage SET day = ? WHERE tenant_id = ?')
      .bind(yesterday.slice(0, 10), tenant.tenantId)
      .run();
    await accept(tenant);
    await limit(tenant.tenantId, null);
    await accept(tenant);
    expect(await countRows(tenant)).toBe(3);
  });
});
