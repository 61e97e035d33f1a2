// Failed API-key authentication is cheap and bounded: a malformed key touches no storage, an unknown
// prefix is read from D1 once and then answered from KV, and each client address may fail only
// AUTH_FAILURE_RULE.burst times (then one per refill) before it is answered 429 without D1 being
// asked. A valid key keeps working from that address (see rate-limit.ts for what "valid" can mean
// before D1 is read). D1 reads are counted by wrapping the binding in meteredD1.
import { apiKeyCacheKey } from '@mailgrid/contracts';
import { meteredD1 } from '@mailgrid/db';
import { seedTenant } from '@mailgrid/testing/fixtures';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../src/env';
import { AUTH_FAILURE_RULE, clientAddress } from '../src/rate-limit';
import { call, realEnv, testEnv, uniqueSlug } from './helpers';

let tenant: Awaited<ReturnType<typeof seedTenant>>;

beforeAll(async () => {
  tenant = await seedTenant(realEnv.DB, { slug: uniqueSlug('auth-fail'), domain: 'auth-fail.example.test' });
});

beforeEach(() => {
  // findKey logs one line per D1 lookup (the bench counts them); quiet here.
  vi.spyOn(console, 'log').mockImplementation(() => {});
  return () => vi.restoreAllMocks();
});

/** The real env with D1 reads, KV calls and failure-bucket calls counted. */
function countingEnv() {
  const { db, usage } = meteredD1(realEnv.DB);
  const kv = { get: 0, put: 0 };
  const buckets: string[] = [];
  const base = testEnv();
  const env = {
    ...base,
    DB: db,
    API_KEYS: new Proxy(realEnv.API_KEYS, {
      get(target, property) {
        if (property === 'get' || property === 'put') kv[property]++;
        const value = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }),
    RATE_LIMITER: {
      idFromName: (name: string) => {
        buckets.push(name);
        return realEnv.RATE_LIMITER.idFromName(name);
      },
      get: (id: DurableObjectId) => realEnv.RATE_LIMITER.get(id),
    },
  } as unknown as Env;
  return { env, d1: usage, kv, buckets };
}

/** A key nobody issued: well-formed, its prefix random. */
function madeUpKey(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const random = crypto.getRandomValues(new Uint8Array(40));
  return `mg_dev_${[...random].map((byte) => alphabet[byte % 62]).join('')}`;
}

let nextAddress = 1;
/** A client address no other test uses (TEST-NET-3), so each test starts with a full bucket. */
function freshAddress(): string {
  const n = nextAddress++;
  return `203.0.113.${n}`;
}

function from(address: string, key: string, env: Env): Promise<Response> {
  return call('/health', { key, headers: { 'cf-connecting-ip': address } }, env);
}

describe('a malformed key', () => {
  it.each([
    ['another service’s key', 're_123456789'],
    ['a Mailgrid key cut short', 'mg_dev_abc'],
    ['an unknown environment', `mg_prod_${'A'.repeat(40)}`],
    ['a character outside base62', `mg_dev_${'A'.repeat(39)}-`],
  ])('(%s) is 401 without touching D1, KV or the failure bucket', async (_, key) => {
    const { env, d1, kv, buckets } = countingEnv();
    const response = await from(freshAddress(), key, env);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ name: 'invalid_api_key' });
    expect({ d1: d1.statements, kv, buckets }).toEqual({ d1: 0, kv: { get: 0, put: 0 }, buckets: [] });
  });

  it('is never answered 429, however many are sent (they cost nothing to refuse)', async () => {
    const { env, buckets } = countingEnv();
    const address = freshAddress();
    for (let i = 0; i < AUTH_FAILURE_RULE.burst + 2; i++) {
      expect((await from(address, 'mg_dev_short', env)).status).toBe(401);
    }
    expect(buckets).toEqual([]);
  });
});

describe('an unknown prefix', () => {
  it('is read from D1 once: the second request is answered from the KV miss entry', async () => {
    const { env, d1 } = countingEnv();
    const address = freshAddress();
    const key = madeUpKey();
    expect((await from(address, key, env)).status).toBe(401);
    expect(d1.statements).toBe(1);
    expect((await from(address, key, env)).status).toBe(401);
    expect(d1.statements).toBe(1);
    // Cached as missing for a minute: not a record, so nothing can authenticate against it.
    expect(await realEnv.API_KEYS.get(apiKeyCacheKey(key.slice(0, 15)), 'json')).toEqual({ missing: true });
  });

  it('works at once when a key with that prefix is created (admin deletes the miss entry)', async () => {
    const fresh = await seedTenant(realEnv.DB, { slug: uniqueSlug('late'), domain: 'late.example.test' });
    // As if someone had tried this prefix just before the key existed.
    await realEnv.API_KEYS.put(apiKeyCacheKey(fresh.fullKey.prefix), JSON.stringify({ missing: true }));
    expect((await from(freshAddress(), fresh.fullKey.token, testEnv())).status).toBe(401);
    // What admin's createApiKey does after inserting the key.
    await realEnv.API_KEYS.delete(apiKeyCacheKey(fresh.fullKey.prefix));
    expect((await from(freshAddress(), fresh.fullKey.token, testEnv())).status).toBe(200);
  });
});

describe('failed authentications per client address', () => {
  it(`are answered 401 up to the burst (${AUTH_FAILURE_RULE.burst}), then 429 with retry-after before D1 is read`, async () => {
    const { env, d1 } = countingEnv();
    const address = freshAddress();
    for (let i = 0; i < AUTH_FAILURE_RULE.burst; i++) {
      const response = await from(address, madeUpKey(), env);
      expect(response.status).toBe(401);
    }
    expect(d1.statements).toBe(AUTH_FAILURE_RULE.burst);

    for (let i = 0; i < 5; i++) {
      const refused = await from(address, madeUpKey(), env);
      expect(refused.status).toBe(429);
      const body = await refused.json<{ name: string; message: string; request_id: string }>();
      expect(body.name).toBe('rate_limit_exceeded');
      expect(body.message).toContain('failed authentications');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refused.headers.get('x-request-id')).toBe(body.request_id);
    }
    // The refused attempts never reached D1.
    expect(d1.statements).toBe(AUTH_FAILURE_RULE.burst);
  });

  it('count a wrong secret on a real prefix and a cached miss alike', async () => {
    const { env, d1 } = countingEnv();
    const address = freshAddress();
    const token = tenant.sendingKey.token;
    const forged = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const unknown = madeUpKey();
    for (let i = 0; i < AUTH_FAILURE_RULE.burst; i++) {
      expect((await from(address, i % 2 ? forged : unknown, env)).status).toBe(401);
    }
    expect((await from(address, forged, env)).status).toBe(429);
    expect((await from(address, unknown, env)).status).toBe(429);
    // One read for the unknown prefix; the real one was in KV or read once.
    expect(d1.statements).toBeLessThanOrEqual(2);
  });

  it('do not touch another address', async () => {
    const { env } = countingEnv();
    const noisy = freshAddress();
    for (let i = 0; i <= AUTH_FAILURE_RULE.burst; i++) await from(noisy, madeUpKey(), env);
    expect((await from(noisy, madeUpKey(), env)).status).toBe(429);
    expect((await from(freshAddress(), madeUpKey(), env)).status).toBe(401);
  });

  it('cannot slip past the limit by arriving all at once: D1 reads stay within the burst', async () => {
    const { env, d1 } = countingEnv();
    const address = freshAddress();
    // From an address with no failure yet, one lookup goes to D1 uncharged; those arriving while it
    // is under way (and every one after a failure) take their token before D1.
    const statuses = await Promise.all(
      Array.from({ length: 40 }, async () => (await from(address, madeUpKey(), env)).status),
    );
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(
      AUTH_FAILURE_RULE.burst + 1,
    );
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(
      40 - AUTH_FAILURE_RULE.burst - 1,
    );
    // The bucket, not the arrival order, decides: its burst, the one uncharged lookup, and a refill
    // (one per 5 s) in a slow run.
    expect(d1.statements).toBeLessThanOrEqual(AUTH_FAILURE_RULE.burst + 2);
  });

  it('do not lock out a valid key from the same address: only failed attempts are refused', async () => {
    const { env } = countingEnv();
    const address = freshAddress();
    // The key is in use (its record in KV), as a working client's is.
    expect((await from(address, tenant.fullKey.token, env)).status).toBe(200);
    for (let i = 0; i <= AUTH_FAILURE_RULE.burst; i++) await from(address, madeUpKey(), env);
    expect((await from(address, madeUpKey(), env)).status).toBe(429);
    // Key lookups in D1, as findKey logs them (the request log's own writes are not lookups).
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const lookups = () => log.mock.calls.filter(([line]) => String(line).includes('auth.key_lookup')).length;
    const before = lookups();

    for (let i = 0; i < 3; i++) {
      const response = await from(address, tenant.fullKey.token, env);
      expect(response.status).toBe(200);
      // The tenant's own limit still applies and is what the headers describe.
      expect(response.headers.get('ratelimit-limit')).toBe('20');
    }
    expect(lookups()).toBe(before);
  });

  it('make a key not yet in the cache wait for the next token, then let it in', async () => {
    const fresh = await seedTenant(realEnv.DB, { slug: uniqueSlug('cold'), domain: 'cold.example.test' });
    const { env } = countingEnv();
    const address = freshAddress();
    for (let i = 0; i <= AUTH_FAILURE_RULE.burst; i++) await from(address, madeUpKey(), env);
    // Until D1 is read, a key KV does not hold looks exactly like a guess.
    const refused = await from(address, fresh.fullKey.token, env);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil(1 / AUTH_FAILURE_RULE.per_second));
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
    expect((await from(address, fresh.fullKey.token, env)).status).toBe(200);
    // Cached now: from here on it passes without a token.
    expect((await from(address, fresh.fullKey.token, env)).status).toBe(200);
  }, 15_000);
});

describe('the client address', () => {
  const address = (ip?: string) =>
    clientAddress(new Request('https://x.test/', ip ? { headers: { 'cf-connecting-ip': ip } } : {}));

  it('is cf-connecting-ip, an IPv6 one reduced to its /64', () => {
    expect(address('198.51.100.7')).toBe('198.51.100.7');
    expect(address('2001:db8:0:1:aaaa::1')).toBe('2001:db8:0:1::/64');
    expect(address('2001:0DB8:0000:0001:ffff:ffff:ffff:ffff')).toBe('2001:db8:0:1::/64');
    expect(address('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(address('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(address()).toBe('unknown');
  });
});
