// Signs tokens with the dev key from wrangler.jsonc and runs the fetch handler with a recording
// events queue, waiting for what it does after the response (the enqueue).
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { TrackingEventMessage } from '@mailgrid/contracts';
import { parseSigningKeys, signToken, type TrackingClaims } from '@mailgrid/tracking-tokens';
import type { Env } from '../src/env';
import worker from '../src/index';

export const realEnv = env as unknown as Env;
export const keys = parseSigningKeys(realEnv.TRACKING_SIGNING_KEYS, realEnv.TRACKING_SIGNING_KEY_ID);

const nowS = () => Math.floor(Date.now() / 1000);

export function claims(overrides: Partial<TrackingClaims> = {}): TrackingClaims {
  return {
    action: 'click',
    tenant_id: 'tnt_a',
    email_id: 'em_1',
    recipient: 'reader@example.com',
    url: 'https://example.com/pricing?ref=mail',
    expires_at: nowS() + 3600,
    // Sent an hour ago: a click now is a person's, not a scanner's.
    issued_at: nowS() - 3600,
    ...overrides,
  };
}

export const sign = (overrides: Partial<TrackingClaims> = {}) => signToken(keys, claims(overrides));

export interface Hit {
  response: Response;
  sent: TrackingEventMessage[];
}

export async function hit(
  path: string,
  init: RequestInit & { cf?: Record<string, unknown> } = {},
  queue: Partial<Queue> = {},
): Promise<Hit> {
  const sent: TrackingEventMessage[] = [];
  const events = {
    send: async (body: TrackingEventMessage) => {
      sent.push(body);
    },
    ...queue,
  } as unknown as Queue;
  const ctx = createExecutionContext();
  const request = new Request(`https://track.mailgrid.test${path}`, init) as Request<
    unknown,
    IncomingRequestCfProperties
  >;
  const response = await worker.fetch(request, { ...realEnv, EVENTS_QUEUE: events }, ctx);
  await waitOnExecutionContext(ctx);
  return { response, sent };
}
