import { describe, expect, it } from 'vitest';
import { api, errorOf, mesh } from './client';

describe('per-tenant rate limiting', () => {
  it('lets a burst through, then answers 429 with the rate-limit headers', async () => {
    // The limited tenant: bursts of 3, 1 token per second. Five at once: three pass, two wait.
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => api('/health', { key: mesh.limited.full.token })),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 200, 200, 429, 429]);

    const refused = responses.find((response) => response.status === 429) as Response;
    expect(refused.headers.get('ratelimit-limit')).toBe('3');
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(refused.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await errorOf(refused)).toMatchObject({ statusCode: 429, name: 'rate_limit_exceeded' });

    const allowed = responses.find((response) => response.status === 200) as Response;
    expect(allowed.headers.get('ratelimit-limit')).toBe('3');
    expect(allowed.headers.get('retry-after')).toBeNull();
  });

  it("does not spend one tenant's budget on another's traffic", async () => {
    const response = await api('/health', { key: mesh.other.full.token });
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit-limit')).toBe('20');
  });

  it('gives an unconfigured tenant the default of bursts of 20 at 10 per second', async () => {
    const responses = await Promise.all(
      Array.from({ length: 30 }, () => api('/health', { key: mesh.defaults.full.token })),
    );
    const passed = responses.filter((response) => response.status === 200).length;
    const refused = responses.filter((response) => response.status === 429).length;
    // 20 from the burst, plus whatever refilled (10/s) while the 30 requests were being answered.
    expect(passed).toBeGreaterThanOrEqual(20);
    expect(refused).toBeGreaterThan(0);
    expect(passed + refused).toBe(30);
  });
});
