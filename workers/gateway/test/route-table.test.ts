// The route table's shared rules, swept over every route: a malformed path id, cursor or limit gets
// the same 422 on every route without any worker being asked; an upper-case UUID is the same id as
// its lower-case form; a list never takes both cursors.
import { seedTenant } from '@mailgrid/testing/fixtures';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Route } from '../src/api/route';
import { routes } from '../src/api/table';
import type { Env } from '../src/env';
import { call, realEnv, recordingPeers as recordingPeersWith, uniqueSlug } from './helpers';

const OPERATOR_SECRET = 'route-table-operator-secret';
let tenant: Awaited<ReturnType<typeof seedTenant>>;

const recordingPeers = () => recordingPeersWith({ OPERATOR_SECRET });

function credentialFor(route: Route): string | undefined {
  if (route.permission === 'operator') return OPERATOR_SECRET;
  if (route.permission === 'public' || route.permission === 'identity') return undefined;
  return tenant.fullKey.token;
}

/** The route's path with each `:param` replaced, the others given a valid value. */
function pathWith(route: Route, replace: Record<string, string>): string {
  return route.path.replace(/:([a-z_]+)/g, (_match, name: string) => {
    if (replace[name] !== undefined) return replace[name];
    const expects = route.params?.[name]?.expects ?? '';
    if (expects.includes('delivery')) return `msg_${'a'.repeat(32)}`;
    if (expects.includes('stream')) return 'transactional';
    return crypto.randomUUID();
  });
}

const jsonInit = (route: Route): RequestInit =>
  route.method === 'GET' || route.method === 'DELETE'
    ? { method: route.method }
    : { method: route.method, headers: { 'content-type': 'application/json' }, body: '{}' };

const withParams = routes.filter((route) => Object.keys(route.params ?? {}).length > 0);
const paged = routes.filter((route) => 'before' in queryEntries(route));

function queryEntries(route: Route): Record<string, unknown> {
  if (!route.query) return {};
  const schema = route.query as unknown as { entries?: object; pipe?: { entries?: object }[] };
  return (schema.entries ?? schema.pipe?.[0]?.entries ?? {}) as Record<string, unknown>;
}

beforeAll(async () => {
  tenant = await seedTenant(realEnv.DB, {
    slug: uniqueSlug('gw-table'),
    domain: 'table.example.test',
    // The sweeps send hundreds of requests in a few seconds.
    rateLimit: { per_second: 10_000, burst: 10_000 },
  });
});

describe('the route table', () => {
  it('has one operation id per route and a rule for every path parameter', () => {
    const ids = routes.map((route) => route.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const route of routes) {
      const names = [...route.path.matchAll(/:([a-z_]+)/g)].map((match) => match[1]);
      expect(Object.keys(route.params ?? {}).sort(), route.operationId).toEqual(names.sort());
    }
    // The sweeps below must have something to sweep.
    expect(withParams.length).toBeGreaterThan(30);
    expect(paged.length).toBeGreaterThan(15);
  });
});

describe.each(withParams.map((route) => [`${route.method} ${route.path}`, route] as const))(
  '%s',
  (_name, route) => {
    it.each(['%ZZ', 'a b', '%00', '.x', 'x'.repeat(400)])(
      'answers a malformed path id %s with the same 422, asking no worker',
      async (bad) => {
        const { calls, env } = recordingPeers();
        for (const name of Object.keys(route.params ?? {})) {
          const response = await call(
            pathWith(route, { [name]: bad }),
            { ...jsonInit(route), key: credentialFor(route) },
            env,
          );
          expect(response.status, name).toBe(422);
          const body = (await response.json()) as { name: string; message: string };
          expect(body.name).toBe('invalid_parameter');
          expect(body.message).toBe(`Path parameter ${name} must be ${route.params?.[name]?.expects}.`);
        }
        expect(calls).toEqual([]);
      },
    );
  },
);

describe('UUIDs in any case', () => {
  const uuidRoutes = withParams.filter(
    (route) =>
      route.method === 'GET' &&
      route.params?.id?.expects.includes('(a UUID)') &&
      !route.handle &&
      // The gateway answers the request log from its own D1, asking no peer (request-logs.test.ts).
      !route.operationId.startsWith('logs/'),
  );

  it.each(uuidRoutes.map((route) => [route.path, route] as const))(
    '%s takes an upper-case id as the same id',
    async (_path, route) => {
      const { calls, env } = recordingPeers();
      const id = crypto.randomUUID();
      const response = await call(
        pathWith(route, { id: id.toUpperCase() }),
        { key: credentialFor(route) },
        env,
      );
      expect(response.status).toBe(200);
      expect(calls[0]?.args).toContain(id);
    },
  );
});

describe.each(paged.map((route) => [`${route.method} ${route.path}`, route] as const))(
  'paging on %s',
  (_name, route) => {
    const base = pathWith(route, {});
    it.each([
      ['limit=0', 'Query parameter limit: must be a whole number from 1 to'],
      ['limit=101', 'Query parameter limit: must be a whole number from 1 to'],
      ['limit=ten', 'Query parameter limit: must be a whole number from 1 to'],
      ['limit=-1', 'Query parameter limit: must be a whole number from 1 to'],
      ['after=%20', 'Query parameter after: must be'],
      ['before=not%20an%20id', 'Query parameter before: must be'],
    ])('answers %s with the same 422, asking no worker', async (query, message) => {
      const { calls, env } = recordingPeers();
      const response = await call(`${base}?${query}`, { key: credentialFor(route) }, env);
      expect(response.status).toBe(422);
      const body = (await response.json()) as { name: string; message: string };
      expect(body.name).toBe('invalid_parameter');
      expect(body.message).toContain(message);
      expect(calls).toEqual([]);
    });

    it('refuses after and before together', async () => {
      const { calls, env } = recordingPeers();
      const cursor =
        {
          '/api/suppressions': 'a@example.com',
          '/api/streams': 'transactional',
          '/api/webhooks/:id/deliveries': `msg_${'a'.repeat(32)}`,
          '/api/webhooks/:id/events': `msg_${'a'.repeat(32)}`,
          '/api/webhooks/:id/events/:event_id/attempts': `msg_${'a'.repeat(32)}-1`,
        }[route.path] ?? crypto.randomUUID();
      const response = await call(
        `${base}?after=${cursor}&before=${cursor}`,
        { key: credentialFor(route) },
        env,
      );
      expect(response.status).toBe(422);
      expect(((await response.json()) as { message: string }).message).toBe(
        'Use either after or before, not both.',
      );
      expect(calls).toEqual([]);
    });
  },
);

describe('a list the callee reads whole, or only its newest rows', () => {
  const ids = Array.from({ length: 5 }, () => crypto.randomUUID());
  const path = '/api/webhooks';

  async function page(query: string, calleeHasMore: boolean) {
    const listWebhooks = async () => ({
      ok: true,
      value: { object: 'list', has_more: calleeHasMore, data: ids.map((id) => ({ id })) },
    });
    const { env } = recordingPeersWith({
      OPERATOR_SECRET,
      MESSAGING: { listWebhooks } as unknown as Env['MESSAGING'],
    });
    const response = await call(`${path}?${query}`, { key: tenant.fullKey.token }, env);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { has_more: boolean; data: { id: string }[] };
    return { has_more: body.has_more, ids: body.data.map((row) => row.id) };
  }

  it('pages it with the standard query', async () => {
    expect(await page('limit=2', false)).toEqual({ has_more: true, ids: ids.slice(0, 2) });
    expect(await page(`limit=2&after=${ids[1]}`, false)).toEqual({ has_more: true, ids: ids.slice(2, 4) });
    expect(await page(`limit=2&after=${ids[3]}`, false)).toEqual({ has_more: false, ids: ids.slice(4) });
    expect(await page(`limit=2&before=${ids[4]}`, false)).toEqual({ has_more: true, ids: ids.slice(2, 4) });
  });

  it('keeps the callee has_more when the page ends where its read ended', async () => {
    expect(await page(`limit=2&after=${ids[3]}`, true)).toEqual({ has_more: true, ids: ids.slice(4) });
    expect(await page('limit=10', true)).toEqual({ has_more: true, ids });
    expect(await page('limit=2', true)).toEqual({ has_more: true, ids: ids.slice(0, 2) });
  });
});
