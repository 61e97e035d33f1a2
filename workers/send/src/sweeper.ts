// Recovery (SendService.recover, run every minute by the gateway's cron): emails stranded in
// queued/sending/scheduled well past their time get a fresh queue message. Normally there are none:
// accept writes the queue message before the row, and the consumer retries within MAX_ATTEMPTS. This
// covers what the queue itself may lose (a message moved to the DLQ by retries we did not count, a
// platform fault, a local stack restarted: `wrangler dev` keeps no queue messages across restarts)
// and a worker that died holding a claim. A duplicate message is harmless: the consumer's claim lets
// one delivery send and the rest stop, and a vanished claim is settled from SES's Send event first.
import type { SendQueueMessage } from '@mailgrid/contracts';
import { createDb } from '@mailgrid/db';
import { findStrandedEmails } from '@mailgrid/db/cross-tenant';
import { config, type Env } from './env';

const SWEEP_LIMIT = 500;

export async function sweepStranded(env: Env, now = new Date()): Promise<number> {
  const strandedAfterMs = config(env).SEND_STRANDED_AFTER_SECONDS * 1000;
  const stranded = await findStrandedEmails(
    createDb(env.DB),
    new Date(now.getTime() - strandedAfterMs),
    SWEEP_LIMIT,
  );
  for (let i = 0; i < stranded.length; i += 100) {
    await env.SEND_QUEUE.sendBatch(
      stranded.slice(i, i + 100).map((email) => ({
        body: { kind: 'send', tenant_id: email.tenant_id, email_id: email.id } satisfies SendQueueMessage,
      })),
    );
  }
  if (stranded.length > 0) console.log(JSON.stringify({ event: 'send.swept', emails: stranded.length }));
  return stranded.length;
}
