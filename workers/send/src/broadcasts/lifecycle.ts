// Starting, pausing, resuming and canceling a broadcast's fan-out (SendService's broadcast methods).
// Each is one conditional update of the broadcast row, then (when a chain must run) one queue
// message. Should that message be lost, recovery (recovery.ts) restarts the chain from the row.
import { AppError, type BroadcastRef, type Caller } from '@mailgrid/contracts';
import {
  type BroadcastRow,
  cancelPendingRecipients,
  createDb,
  type Db,
  findBroadcast,
  findDomainByName,
  findSegment,
  findTopic,
  moveBroadcast,
  startBroadcast,
  streamExists,
} from '@mailgrid/db';
import { parseAddress } from '@mailgrid/mime';
import { mergeTags, TemplateError } from '@mailgrid/templates';
import type { Env } from '../env';
import { queueDelaySeconds } from '../queue-delay';
import { parseScheduledAt } from '../schedule';
import { enqueueStep } from './steps';

export async function sendBroadcast(
  env: Env,
  caller: Caller,
  id: string,
  scheduledAt: string | null,
): Promise<BroadcastRef> {
  const db = createDb(env.DB);
  const broadcast = await broadcastOf(db, caller, id);
  if (broadcast.status !== 'draft' && broadcast.status !== 'scheduled') {
    throw new AppError(
      'invalid_parameter',
      `Broadcast ${id} is ${statusWord(broadcast.status)}: only a draft or a scheduled broadcast can be sent.`,
    );
  }
  const now = new Date();
  const at = scheduledAt ? parseScheduledAt(scheduledAt, now) : null;
  await assertSendable(db, caller, broadcast);
  const token = crypto.randomUUID();
  const started = await startBroadcast(db, caller.tenant_id, id, {
    scheduledAt: at?.toISOString() ?? null,
    token,
    now: now.toISOString(),
  });
  if (!started) throw new AppError('conflict', `Broadcast ${id} changed meanwhile; read it and try again.`);
  await enqueueStep(
    env,
    { step: 'freeze', tenant_id: caller.tenant_id, broadcast_id: id, token },
    at ? queueDelaySeconds(at, now) : 0,
  );
  return { object: 'broadcast', id };
}

export async function pauseBroadcast(env: Env, caller: Caller, id: string): Promise<BroadcastRef> {
  const db = createDb(env.DB);
  const broadcast = await broadcastOf(db, caller, id);
  if (broadcast.status === 'paused') return { object: 'broadcast', id };
  const now = new Date().toISOString();
  if (
    !(await moveBroadcast(db, caller.tenant_id, id, { from: ['queued'], to: 'paused', token: null, now }))
  ) {
    throw notWhile(broadcast, 'paused', 'a sending broadcast');
  }
  return { object: 'broadcast', id };
}

export async function resumeBroadcast(env: Env, caller: Caller, id: string): Promise<BroadcastRef> {
  const db = createDb(env.DB);
  const broadcast = await broadcastOf(db, caller, id);
  if (broadcast.status === 'queued') return { object: 'broadcast', id };
  const token = crypto.randomUUID();
  const now = new Date().toISOString();
  if (!(await moveBroadcast(db, caller.tenant_id, id, { from: ['paused'], to: 'queued', token, now }))) {
    throw notWhile(broadcast, 'resumed', 'a paused broadcast');
  }
  // The freeze step goes straight on to dispatching when the audience is frozen already.
  await enqueueStep(env, { step: 'freeze', tenant_id: caller.tenant_id, broadcast_id: id, token }, 0);
  return { object: 'broadcast', id };
}

/** scheduled → draft (as Resend); sending or paused → canceled, the recipients not yet sent canceled. */
export async function cancelBroadcast(env: Env, caller: Caller, id: string): Promise<BroadcastRef> {
  const db = createDb(env.DB);
  const broadcast = await broadcastOf(db, caller, id);
  const now = new Date().toISOString();
  if (broadcast.status === 'scheduled') {
    if (
      await moveBroadcast(db, caller.tenant_id, id, { from: ['scheduled'], to: 'draft', token: null, now })
    ) {
      return { object: 'broadcast', id };
    }
  } else if (broadcast.status === 'queued' || broadcast.status === 'paused') {
    const moved = await moveBroadcast(db, caller.tenant_id, id, {
      from: ['queued', 'paused'],
      to: 'canceled',
      token: null,
      now,
    });
    if (moved) {
      // No chain can claim once the row says canceled; what is still waiting is canceled here.
      await cancelPendingRecipients(db, caller.tenant_id, id);
      return { object: 'broadcast', id };
    }
  }
  throw notWhile(broadcast, 'canceled', 'a scheduled, sending or paused broadcast');
}

async function broadcastOf(db: Db, caller: Caller, id: string): Promise<BroadcastRow> {
  const broadcast = await findBroadcast(db, caller.tenant_id, id);
  if (!broadcast) throw new AppError('not_found', `Broadcast ${id} not found.`);
  return broadcast;
}

/** What must hold for every recipient to be deliverable, checked before anything is frozen. */
async function assertSendable(db: Db, caller: Caller, broadcast: BroadcastRow): Promise<void> {
  const from = parseAddress(broadcast.from_address);
  if (!from) {
    throw new AppError('invalid_from_address', `from: "${broadcast.from_address}" is not a valid address.`);
  }
  const domainName = from.email.slice(from.email.lastIndexOf('@') + 1).toLowerCase();
  const domain = await findDomainByName(db, caller.tenant_id, domainName);
  if (domain?.status !== 'verified') {
    throw new AppError(
      'invalid_from_address',
      `from: the ${domainName} domain is not verified. Add and verify it, then send from it.`,
    );
  }
  if (caller.domain_id && caller.domain_id !== domain.id) {
    throw new AppError(
      'restricted_api_key',
      `This API key may only send from its own domain, not ${domainName}.`,
    );
  }
  if (!(await findSegment(db, caller.tenant_id, broadcast.segment_id))) {
    throw new AppError('invalid_parameter', `segment_id: segment ${broadcast.segment_id} does not exist.`);
  }
  if (broadcast.topic_id && !(await findTopic(db, caller.tenant_id, broadcast.topic_id))) {
    throw new AppError('invalid_parameter', `topic_id: topic ${broadcast.topic_id} does not exist.`);
  }
  if (!(await streamExists(db, caller.tenant_id, broadcast.stream))) {
    throw new AppError('invalid_parameter', `stream: there is no stream "${broadcast.stream}".`);
  }
  if (!broadcast.html && !broadcast.text) {
    throw new AppError('missing_required_field', 'A broadcast needs html or text before it can be sent.');
  }
  try {
    mergeTags(broadcast.subject, 'subject');
    mergeTags(broadcast.html ?? '', 'html');
    mergeTags(broadcast.text ?? '', 'text');
  } catch (err) {
    if (err instanceof TemplateError) throw new AppError('validation_error', err.message);
    throw err;
  }
}

function notWhile(broadcast: BroadcastRow, verb: string, what: string): AppError {
  return new AppError(
    'invalid_parameter',
    `Broadcast ${broadcast.id} is ${statusWord(broadcast.status)}: only ${what} can be ${verb}.`,
  );
}

function statusWord(status: BroadcastRow['status']): string {
  return status === 'queued' ? 'sending' : status;
}
