import type { RateLimitRule } from '@mailgrid/contracts';
import { seedTenant } from '@mailgrid/testing/fixtures';
import { describe, expect, it } from 'vitest';
import { call, realEnv, uniqueSlug } from './helpers';

// 1 token a second, 3 at most: three quick requests empty the bucket well before it refills.
const TIGHT: RateLimitRule = { per_second: 1, burst: 3 };

function seed(label: string, rateLimit?: RateLimitRule) {
  return seedTenant(realEnv.DB, {
    slug: uniqueSlug(label),
    domain: `${label}.example.test`,
    ...(rateLimit ? { rateLimit } : {}),
  });
}

describe('the per-tenant API rate limit', () => {
  it('allows a burst, then answers 429 rate_limit_exceeded with the headers to back off by', async () => {
    const tenant = await seed('tight', TIGHT);
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await call('/health', { key: tenant.fullKey.token });
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-limit')).toBe('3');
      remaining.push(response.headers.get('ratelimit-remaining'));
    }
    expect(remaining).toEqual(['2', '1', '0']);

    const refused = await call('/health', { key: tenant.fullKey.token });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ statusCode: 429, name: 'rate_limit_exceeded' });
    expect(refused.headers.get('ratelimit-limit')).toBe('3');
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(refused.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1);
    const retryAfter = refused.headers.get('retry-after');
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('x-request-id')).toBeTruthy();
  });

  it("is shared by all of a tenant's keys", async () => {
    const tenant = await seed('shared', TIGHT);
    for (let i = 0; i < 3; i++) await call('/health', { key: tenant.fullKey.token });
    const response = await call('/health', { key: tenant.sendingKey.token });
    expect(response.status).toBe(429);
  });

  it("leaves other tenants alone when one tenant's bucket is empty", async () => {
    const noisy = await seed('noisy', TIGHT);
    const quiet = await seed('quiet', TIGHT);
    for (let i = 0; i < 4; i++) await call('/health', { key: noisy.fullKey.token });
    expect((await call('/health', { key: noisy.fullKey.token })).status).toBe(429);

    const response = await call('/health', { key: quiet.fullKey.token });
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit-remaining')).toBe('2');
  });

  it('gives a tenant without its own limit 10 requests a second in bursts of 20', async () => {
    const tenant = await seed('default');
    const response = await call('/health', { key: tenant.fullKey.token });
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit-limit')).toBe('20');
    expect(response.headers.get('ratelimit-remaining')).toBe('19');
  });

  it('puts the headers on refusals that come after authentication too', async () => {
    const tenant = await seed('restricted');
    const response = await call('/api/api-keys', { key: tenant.sendingKey.token });
    expect(response.status).toBe(403);
    expect(response.headers.get('ratelimit-limit')).toBe('20');
  });
});

describe('the RateLimiter Durable Object', () => {
  const bucket = (name: string) =>
    realEnv.RATE_LIMITER.get(realEnv.RATE_LIMITER.idFromName(`${name}-${crypto.randomUUID()}`));
  // Refills slowly enough that nothing comes back within a test.
  const rule: RateLimitRule = { per_second: 1, burst: 5 };

  it('starts full and takes what is asked', async () => {
    const limiter = bucket('full');
    expect(await limiter.take(rule, 3)).toMatchObject({ allowed: true, limit: 5, remaining: 2 });
  });

  it('refuses a take larger than what is left without spending anything', async () => {
    const limiter = bucket('refuse');
    await limiter.take(rule, 3);
    const refused = await limiter.take(rule, 4);
    expect(refused).toMatchObject({ allowed: false, remaining: 2 });
    expect(refused.retry_after_seconds).toBeGreaterThanOrEqual(1);
    // The two tokens the refused take did not spend are still there.
    expect(await limiter.take(rule, 2)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('refuses a take larger than the whole bucket and tells the caller to wait', async () => {
    const limiter = bucket('oversized');
    const refused = await limiter.take(rule, 6);
    expect(refused).toMatchObject({ allowed: false, remaining: 5 });
    expect(refused.retry_after_seconds).toBeGreaterThanOrEqual(1);
    expect(await limiter.take(rule, 5)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('never spends on a take of 0', async () => {
    const limiter = bucket('zero');
    for (let i = 0; i < 5; i++) {
      expect(await limiter.take(rule, 0)).toMatchObject({ allowed: true, remaining: 5 });
    }
    expect(await limiter.take(rule, 5)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await limiter.take(rule, 0)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('keeps one bucket per name', async () => {
    const a = bucket('a');
    const b = bucket('b');
    await a.take(rule, 5);
    expect(await a.take(rule, 1)).toMatchObject({ allowed: false });
    expect(await b.take(rule, 1)).toMatchObject({ allowed: true, remaining: 4 });
  });
});
