// The events queue's consumer for tracking events (opens, clicks, unsubscribes the tracking worker
// saw for verified tokens). Like the SES path: per queue batch, one D1 read (the emails and their
// tenants' webhooks) and ONE D1 batch of multi-row statements writes every new event
// (deduped on the message's own id, so a redelivery stores nothing twice), the emails' last_event
// moves, the day counters and the webhook deliveries; after the commit the deliveries are queued.
// Machine hits (Apple MPP, scanners, bots, HEAD) are stored with `machine = 1` and counted as
// machine_opened/machine_clicked; they never move last_event, which tells what a person did.
import type { MachineReason, TrackingEventMessage } from '@mailgrid/contracts';
import type { Env } from './env';
import { consumeOneEventEach } from './one-event-each';

const TYPES = {
  opened: 'email.opened',
  clicked: 'email.clicked',
  unsubscribed: 'email.unsubscribed',
} as const;
const MACHINE_REASONS: readonly MachineReason[] = ['apple_mpp', 'scanner', 'head', 'bot'];

export function consumeTrackingBatch(
  messages: readonly Message<TrackingEventMessage>[],
  env: Env,
): Promise<void> {
  return consumeOneEventEach(messages, env, {
    kind: 'tracking.event',
    logEvent: 'events.tracking_batch',
    parses: isTrackingEvent,
    toEvent: (event, email, createdAt) => {
      const type = TYPES[event.type];
      const data = eventData(event);
      return {
        row: {
          id: crypto.randomUUID(),
          tenant_id: event.tenant_id,
          email_id: event.email_id,
          type,
          recipient: event.recipient,
          occurred_at: event.occurred_at,
          source: 'tracking',
          dedupe_key: `tracking:${event.id}`,
          data: JSON.stringify(data),
          machine: event.machine ? 1 : 0,
          created_at: createdAt,
        },
        payload: { type, recipient: event.recipient, occurred_at: event.occurred_at, data },
        email,
        // Only a person's open or click says how far the email got; an unsubscribe is no rung of it.
        reaches: !event.machine && event.type !== 'unsubscribed' ? event.type : null,
      };
    },
  });
}

/** What GET /api/emails/:id/events shows and webhooks carry: never the IP, only coarse geo. */
function eventData(event: TrackingEventMessage): Record<string, unknown> {
  return {
    ...(event.url !== undefined ? { link: event.url } : {}),
    ...(event.topic_id !== undefined ? { topic_id: event.topic_id } : {}),
    user_agent: event.user_agent,
    geo: event.geo,
    machine: event.machine !== null,
    machine_reason: event.machine,
  };
}

function isTrackingEvent(body: unknown): body is TrackingEventMessage {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  const text = (value: unknown) => typeof value === 'string' && value !== '';
  return (
    b.kind === 'tracking.event' &&
    text(b.id) &&
    typeof b.type === 'string' &&
    b.type in TYPES &&
    text(b.tenant_id) &&
    text(b.email_id) &&
    text(b.recipient) &&
    text(b.occurred_at) &&
    !Number.isNaN(Date.parse(b.occurred_at as string)) &&
    (b.url === undefined || text(b.url)) &&
    (b.topic_id === undefined || text(b.topic_id)) &&
    (b.user_agent === null || typeof b.user_agent === 'string') &&
    (b.geo === null || (typeof b.geo === 'object' && b.geo !== undefined)) &&
    (b.machine === null || MACHINE_REASONS.includes(b.machine as MachineReason))
  );
}
