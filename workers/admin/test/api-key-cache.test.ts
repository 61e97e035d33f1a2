// A new key works at once even if its prefix was cached as unknown: createApiKey deletes the
// gateway's KV entry for the prefix (the gateway caches misses for a minute). Called directly with
// a KV that records deletes, because the prefix is random and only known once the key exists.
import { apiKeyCacheKey } from '@mailgrid/contracts';
import { callerFor, seedTenant } from '@mailgrid/testing/fixtures';
import { describe, expect, it } from 'vitest';
import { createApiKey } from '../src/api-keys';
import type { Env } from '../src/env';
import { realEnv } from './helpers';

describe('createApiKey and the gateway cache', () => {
  it("deletes the new key's prefix entry (a cached miss) from API_KEYS", async () => {
    const tenant = await seedTenant(realEnv.DB, {
      slug: `cache-${crypto.randomUUID().slice(0, 8)}`,
      domain: 'cache.example.test',
    });
    const deleted: string[] = [];
    const env = {
      ...realEnv,
      API_KEYS: {
        delete: async (key: string) => {
          deleted.push(key);
          await realEnv.API_KEYS.delete(key);
        },
      },
    } as unknown as Env;
    const created = await createApiKey(env, callerFor(tenant.tenantId, tenant.fullKey), {
      name: 'new',
      permission: 'full_access',
    });
    expect(deleted).toEqual([apiKeyCacheKey(created.token.slice(0, 'mg_dev_'.length + 8))]);
  });
});
