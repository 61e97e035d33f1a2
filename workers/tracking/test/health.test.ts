import { exports } from 'cloudflare:workers';
import type { TrackingRpc } from '@mailgrid/contracts';
import { describe, expect, it } from 'vitest';

const { TrackingService: tracking, default: self } = exports as unknown as {
  TrackingService: TrackingRpc;
  default: Fetcher;
};

describe('TrackingService.health()', () => {
  it('reports ok with no checks: tracking has no binding it can read to probe', async () => {
    expect(await tracking.health()).toEqual({
      worker: 'tracking',
      ok: true,
      environment: 'development',
      checks: {},
    });
  });
});

describe('the public fetch handler', () => {
  it.each(['/', '/o/some-token.gif', '/c/some-token', '/unsubscribe/some-token'])(
    'answers GET %s (no valid token) with 404',
    async (path) => {
      const response = await self.fetch(`https://track.mailgrid.test${path}`);
      expect(response.status).toBe(404);
      // Never a redirect: an unsigned token must not send anyone anywhere.
      expect(response.headers.get('location')).toBeNull();
    },
  );
});
