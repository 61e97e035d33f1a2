// Building and sending a tracking.event: shared by the pixel, the click redirect and unsubscribes.
import type { MachineReason, TrackingEventMessage } from '@mailgrid/contracts';
import type { TrackingClaims } from '@mailgrid/tracking-tokens';
import { config, type Env } from './env';

/** Coarse place only (country, region, city): the IP address is never stored. */
export function coarseGeo(env: Env, request: Request): TrackingEventMessage['geo'] {
  const local = config(env).LOCAL_GEO;
  if (local) return local;
  const cf = request.cf as { country?: unknown; region?: unknown; city?: unknown } | undefined;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  const geo = { country: text(cf?.country), region: text(cf?.region), city: text(cf?.city) };
  return geo.country || geo.region || geo.city ? geo : null;
}

export function trackingEvent(
  env: Env,
  request: Request,
  claims: TrackingClaims,
  type: TrackingEventMessage['type'],
  machine: MachineReason | null,
  now = new Date(),
): TrackingEventMessage {
  return {
    kind: 'tracking.event',
    // Made now, so a redelivery of this message dedupes while a second real open is a new event.
    id: crypto.randomUUID(),
    type,
    tenant_id: claims.tenant_id,
    email_id: claims.email_id,
    recipient: claims.recipient,
    ...(type === 'clicked' && claims.url !== undefined ? { url: claims.url } : {}),
    ...(claims.topic_id !== undefined ? { topic_id: claims.topic_id } : {}),
    occurred_at: now.toISOString(),
    user_agent: request.headers.get('user-agent'),
    geo: coarseGeo(env, request),
    machine,
  };
}

/** Waits before the 2nd and 3rd try of a send: a brief Queues error passes within a second. */
const RESEND_AFTER_MS = [100, 400];

/** Sends, trying again after a failure; the event's own id makes a doubled send store once. */
async function sendWithRetries(env: Env, event: TrackingEventMessage): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await env.EVENTS_QUEUE.send(event);
      return;
    } catch (err) {
      const wait = RESEND_AFTER_MS[attempt];
      if (wait === undefined) throw err;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/**
 * Sends the event, trying again after a failure; one that still fails is logged, never thrown: what
 * the person did (a redirect, an unsubscribe) stands whether or not it is counted.
 */
export async function sendTrackingEvent(env: Env, event: TrackingEventMessage): Promise<void> {
  try {
    await sendWithRetries(env, event);
  } catch (err) {
    console.error(
      JSON.stringify({
        worker: 'tracking',
        error: `events queue send failed: ${String(err)}`,
        event_type: event.type,
        tenant_id: event.tenant_id,
        email_id: event.email_id,
      }),
    );
  }
}

/** Sends after the response: the person is not kept waiting on the queue. */
export function enqueueAfterResponse(env: Env, ctx: ExecutionContext, event: TrackingEventMessage): void {
  ctx.waitUntil(sendTrackingEvent(env, event));
}
