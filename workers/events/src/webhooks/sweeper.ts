// Recovery, each minute (EventsService.recover, called by the gateway's cron; or this worker's own
// scheduled handler): webhook deliveries stranded in `pending` well past their next_attempt_at get
// their queue message again. Normally there are none: a delivery's message is queued when it is
// created and each retry's when the attempt before it is recorded, and a message arrives when its
// delivery is due. This covers the message the queue loses: `wrangler dev` keeps no queue messages
// across a restart, and in production a platform fault, a queue send that failed after its attempt
// was recorded, or retries that ended in the DLQ can lose one.
//
// Never a second POST: the swept message carries the attempt count the sweep saw, and the deliverer
// claims that attempt before sending (claimWebhookDeliveryBatch). If the original message turns up
// after all, or an earlier sweep's, whichever claims first sends and the others find the count moved
// on. The sweep's own query is a claim too (claimStrandedWebhookDeliveries moves next_attempt_at to
// now), so a delivery is queued again once per WEBHOOK_STRANDED_AFTER_SECONDS, not every minute.
import type { WebhookDeliverMessage } from '@mailgrid/contracts';
import { createDb } from '@mailgrid/db';
import { claimStrandedWebhookDeliveries } from '@mailgrid/db/cross-tenant';
import { config, type Env } from '../env';

/** Deliveries queued again per run at most; the next run takes the rest, oldest first. */
export const SWEEP_LIMIT = 500;

export async function sweepStrandedDeliveries(env: Env, now = new Date()): Promise<number> {
  const strandedAfterMs = config(env).WEBHOOK_STRANDED_AFTER_SECONDS * 1000;
  const stranded = await claimStrandedWebhookDeliveries(
    createDb(env.DB),
    new Date(now.getTime() - strandedAfterMs),
    now,
    SWEEP_LIMIT,
  );
  // sendBatch takes at most 100 messages. A send that fails leaves the rest claimed but unqueued:
  // the sweep after WEBHOOK_STRANDED_AFTER_SECONDS takes them again.
  for (let start = 0; start < stranded.length; start += 100) {
    await env.WEBHOOKS_QUEUE.sendBatch(
      stranded.slice(start, start + 100).map((delivery) => ({
        body: {
          kind: 'webhook.deliver',
          tenant_id: delivery.tenant_id,
          delivery_id: delivery.id,
          // On the normal path the retry number equals the attempts made, so the delivery keeps its
          // place in the schedule. (After a replay, which restarts the schedule at 0, this gives it
          // the rest of the original one instead.)
          retry: delivery.attempts,
          // The count at the sweep: the deliverer sends only if no attempt was made since.
          attempts: delivery.attempts,
        } satisfies WebhookDeliverMessage,
      })),
    );
  }
  if (stranded.length > 0)
    console.log(JSON.stringify({ event: 'webhooks.swept', deliveries: stranded.length }));
  return stranded.length;
}
