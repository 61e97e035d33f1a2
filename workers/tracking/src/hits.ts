// GET|HEAD /o/<token> (the open pixel) and GET|HEAD /c/<token> (the click redirect).
import { signingKeysOf, type TokenAction, type TrackingClaims, verifyToken } from '@mailgrid/tracking-tokens';
import { enqueueAfterResponse, trackingEvent } from './enqueue';
import { config, type Env } from './env';

import { detectMachine } from './machine';
import { invalidLink } from './pages';
import { NO_CACHE_HEADERS, PIXEL_GIF } from './pixel';

/** The claims of a token of this action, or null: a valid open token is no click token. */
export async function verifiedClaims(
  env: Env,
  token: string,
  action: TokenAction,
): Promise<TrackingClaims | null> {
  const claims = await verifyToken(signingKeysOf(config(env)), token);
  return claims?.action === action ? claims : null;
}

export async function openPixel(request: Request, env: Env, ctx: ExecutionContext, token: string) {
  // Some senders give the pixel a file name; the token itself never ends in ".gif".
  const claims = await verifiedClaims(env, token.replace(/\.gif$/, ''), 'open');
  if (!claims) return invalidLink(request.method);
  enqueueAfterResponse(
    env,
    ctx,
    trackingEvent(env, request, claims, 'opened', machineOf(request, claims, 'open')),
  );
  return new Response(request.method === 'HEAD' ? null : PIXEL_GIF, {
    headers: {
      'content-type': 'image/gif',
      'content-length': String(PIXEL_GIF.byteLength),
      ...NO_CACHE_HEADERS,
    },
  });
}

export async function clickRedirect(request: Request, env: Env, ctx: ExecutionContext, token: string) {
  const claims = await verifiedClaims(env, token, 'click');
  // verifyToken only passes a click token with an http(s) URL; anything else never redirects.
  if (!claims?.url) return invalidLink(request.method);
  enqueueAfterResponse(
    env,
    ctx,
    trackingEvent(env, request, claims, 'clicked', machineOf(request, claims, 'click')),
  );
  return new Response(null, {
    status: 302,
    headers: { location: claims.url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
  });
}

function machineOf(request: Request, claims: TrackingClaims, action: 'open' | 'click') {
  const cf = request.cf as { asn?: unknown } | undefined;
  return detectMachine({
    method: request.method,
    userAgent: request.headers.get('user-agent'),
    asn: typeof cf?.asn === 'number' ? cf.asn : undefined,
    ip: request.headers.get('cf-connecting-ip'),
    issuedAt: claims.issued_at,
    action,
    nowMs: Date.now(),
  });
}
