import { exports, WorkerEntrypoint } from 'cloudflare:workers';
import type { HealthRpc } from '@mailgrid/contracts';
import { describe, expect, it } from 'vitest';
import { PreferencesService } from '../src/index';
import { preferences } from './helpers';

const entrypoints = [
  'AccountService',
  'DomainsService',
  'MessagingService',
  'AudienceService',
  'PreferencesService',
];
const worker = (exports as unknown as { default: Fetcher }).default;

describe.each(entrypoints)('%s.health()', (name) => {
  it('reports ok with its D1, KV and R2 checks', async () => {
    const entrypoint = (exports as unknown as Record<string, HealthRpc>)[name] as HealthRpc;
    expect(await entrypoint.health()).toMatchObject({
      worker: 'admin',
      ok: true,
      environment: 'development',
      checks: { d1: { ok: true }, kv: { ok: true }, files: { ok: true } },
    });
  });
});

describe('PreferencesService', () => {
  it('answers health, getPreferences and updatePreferences over RPC', async () => {
    await expect(preferences.health()).resolves.toMatchObject({ worker: 'admin', ok: true });
    const read = await preferences.getPreferences('no-such-tenant', 'reader@example.com');
    expect(read).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const change = { unsubscribed: true };
    const written = await preferences.updatePreferences('no-such-tenant', 'reader@example.com', change, null);
    expect(written).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  // RPC reaches exactly the methods on an entrypoint's prototype chain (workerd looks them up there),
  // so this is the public tracking worker's whole reach into admin. (Calling a missing one through the
  // test pool's loopback wrapper does fail, but leaves an unhandled rejection behind in the callee.)
  it('exposes nothing else: no contact, key or tenant method is reachable from tracking', () => {
    expect(rpcMethods(PreferencesService)).toEqual(['getPreferences', 'health', 'updatePreferences']);
  });
});

/** The names RPC may call on an entrypoint: its prototype chain's, up to WorkerEntrypoint. */
function rpcMethods(entrypoint: { prototype: object }): string[] {
  const names = new Set<string>();
  for (
    let proto: object | null = entrypoint.prototype;
    proto && proto !== WorkerEntrypoint.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== 'constructor') names.add(name);
  }
  return [...names].sort();
}

describe('the fetch handler', () => {
  it('answers 404: admin is reached over RPC only', async () => {
    const response = await worker.fetch('https://admin.internal/anything');
    expect(response.status).toBe(404);
  });
});
