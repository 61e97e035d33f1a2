// The freeze step: a scheduled broadcast whose time has come starts; then the audience is frozen into
// recipient rows a page at a time (each page one D1 batch, conditional on the cursor, so a redelivered
// step writes nothing twice), for up to FREEZE_STEP_MS; then the next step is queued. When the last
// page is in, the count is recorded and dispatching begins.
import type { BroadcastQueueMessage } from '@mailgrid/contracts';
import {
  beginScheduled,
  createDb,
  findBroadcast,
  findDomainByName,
  findTopic,
  freezeAudiencePage,
  meteredD1,
  moveBroadcast,
} from '@mailgrid/db';
import { parseAddress } from '@mailgrid/mime';
import type { Env } from '../env';
import { queueDelaySeconds } from '../queue-delay';
import { broadcastBodyKey, storeBroadcastBody } from './content';
import { enqueueStep } from './steps';

/** Contacts per INSERT … SELECT: one statement writes a page. */
export const FREEZE_PAGE_SIZE = 1000;
const FREEZE_STEP_MS = 10_000;

export async function freezeStep(env: Env, message: BroadcastQueueMessage): Promise<void> {
  const { db: d1, usage } = meteredD1(env.DB);
  let done = false;
  try {
    done = await freeze(env, d1, message);
  } finally {
    // One line per freeze step, however it ended (a redelivered step's reads count too): what freezing
    // cost in D1, measured. The benchmark sums these lines.
    console.log(
      JSON.stringify({ event: 'broadcast.freeze', broadcast_id: message.broadcast_id, done, d1: usage }),
    );
  }
}

/** Runs the step; true once the audience is frozen and dispatching is queued. */
async function freeze(env: Env, d1: D1Database, message: BroadcastQueueMessage): Promise<boolean> {
  const db = createDb(d1);
  const { tenant_id: tenantId, broadcast_id: id, token } = message;
  const broadcast = await findBroadcast(db, tenantId, id);
  if (!broadcast || broadcast.dispatch_token !== token) return false;
  const now = new Date();
  if (broadcast.status === 'scheduled') {
    const at = new Date(broadcast.scheduled_at ?? now);
    if (at.getTime() > now.getTime() + 1000) {
      // Beyond the queue's 12-hour delay: hop again.
      await enqueueStep(env, message, queueDelaySeconds(at, now));
      return false;
    }
    if (!(await beginScheduled(db, tenantId, id, token, now.toISOString()))) return false;
  } else if (broadcast.status !== 'queued') {
    return false; // paused or over: resume starts a new chain.
  }
  if (broadcast.frozen_at) {
    await enqueueStep(env, { ...message, step: 'dispatch' }, 0);
    return true;
  }

  const from = parseAddress(broadcast.from_address);
  const domain = from ? await findDomainByName(db, tenantId, from.email.split('@').pop() ?? '') : undefined;
  const topic = broadcast.topic_id ? await findTopic(db, tenantId, broadcast.topic_id) : undefined;
  if (!domain || (broadcast.topic_id && !topic)) {
    // Removed since the send was accepted: nothing can go out as asked.
    console.error(
      JSON.stringify({ worker: 'send', broadcast_id: id, error: 'domain or topic gone; canceled' }),
    );
    await moveBroadcast(db, tenantId, id, {
      from: ['queued'],
      to: 'canceled',
      token: null,
      now: now.toISOString(),
    });
    return false;
  }
  const bodyKey =
    broadcast.freeze_cursor === null
      ? await storeBroadcastBody(env, db, broadcast)
      : broadcastBodyKey(tenantId, id);
  const recipients = {
    broadcast_id: id,
    domain_id: domain.id,
    stream: broadcast.stream,
    from_address: broadcast.from_address,
    reply_to: broadcast.reply_to,
    subject: broadcast.subject,
    body_key: bodyKey,
    topic_id: broadcast.topic_id,
    topic_default: topic?.default_subscription ?? null,
    segment_id: broadcast.segment_id,
  };
  let after = broadcast.freeze_cursor;
  const until = Date.now() + FREEZE_STEP_MS;
  while (Date.now() < until) {
    const page = await freezeAudiencePage(db, d1, tenantId, recipients, {
      token,
      after,
      pageSize: FREEZE_PAGE_SIZE,
      now: new Date().toISOString(),
    });
    // Not written: another delivery of this step got there first, or the chain changed.
    if (!page.written) return false;
    if (page.last) {
      await enqueueStep(env, { ...message, step: 'dispatch' }, 0);
      return true;
    }
    after = page.cursor;
  }
  await enqueueStep(env, message, 0);
  return false;
}
