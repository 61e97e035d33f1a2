// The tracking host's paths (pixel, clicks, unsubscribe) arriving at the gateway, handed to the
// tracking worker before any API auth. In local dev the gateway is the only worker with a port, and
// TRACKING_BASE_URL points here; in production tracking has its own hostname.
import { AppError } from '@mailgrid/contracts';
import type { Env } from './env';
import { readBytes } from './http/body';

export const TRACKING_PATH = /^\/(o|c|u)\//;

/** Tracking's forms (one-click unsubscribe, the preference page) are a few hundred bytes. */
const MAX_TRACKING_BODY = 64 * 1024;

export async function forwardToTracking(request: Request, env: Env): Promise<Response> {
  if (!request.body) return env.TRACKING.fetch(request);
  // The body is read here, not streamed on: a request passed over a service binding with its body
  // unread, and answered without reading it (a 404 or a 405), breaks the binding's connection under
  // wrangler dev, and the next forwarded request fails with a 500.
  let body: Uint8Array;
  try {
    body = await readBytes(request, MAX_TRACKING_BODY);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'payload_too_large') throw err;
    return new Response('The request body is too large.', {
      status: 413,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    });
  }
  return env.TRACKING.fetch(new Request(request, { body }));
}
