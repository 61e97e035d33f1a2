// send.accept: an email (or a batch) is accepted once it is durably recorded and queued. Order:
// bodies to R2, messages to the queue, then rows to D1 in one batch (with the idempotency key's
// completion). A queue message whose row never arrives is dropped by the consumer; a row is never
// written without its queue message, so no accepted email can sit in `queued` forever.
import {
  AppError,
  type BatchResponse,
  type BatchValidation,
  type Caller,
  type SendEmailRequest,
  type SendQueueMessage,
} from '@mailgrid/contracts';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  countAcceptedEmails,
  createDb,
  type D1Usage,
  type Db,
  insertEmail,
  meteredD1,
  releaseIdempotencyKey,
  runBatch,
} from '@mailgrid/db';
import type { Compilable } from 'kysely';
import { bodyKey, putBody } from './body-store';
import { assertDailyQuota, usageDay } from './daily-quota';
import { config, type Env } from './env';
import { liftExtras } from './extras';
import { requestLookups } from './lookups';
import { assertNotPaused, pausedStreams } from './paused';
import { type PreparedEmail, prepareEmail } from './prepare';
import { queueDelaySeconds } from './queue-delay';

export interface Idempotency {
  key: string;
  /** SHA-256 of the request body. */
  hash: string;
}

export async function acceptEmail(
  env: Env,
  caller: Caller,
  input: SendEmailRequest,
  idempotency: Idempotency | null,
): Promise<{ id: string }> {
  const { db: d1, usage } = meteredD1(env.DB);
  const db = createDb(d1);
  return withIdempotency(db, caller, idempotency, async (complete) => {
    const email = liftExtras(input);
    assertNotPaused(await pausedStreams(db, caller), email.stream);
    const prepared = await prepareEmail(db, caller, email, new Date(), '', prepareOptions(env));
    const response = { id: prepared.id };
    await persist(env, d1, db, caller, [prepared], complete(response));
    logAccepted(1, usage);
    return response;
  });
}

export async function acceptBatch(
  env: Env,
  caller: Caller,
  inputs: { index: number; email: SendEmailRequest }[],
  invalid: { index: number; message: string }[],
  mode: BatchValidation,
  idempotency: Idempotency | null,
): Promise<BatchResponse> {
  const { db: d1, usage } = meteredD1(env.DB);
  const db = createDb(d1);
  return withIdempotency(db, caller, idempotency, async (complete) => {
    const now = new Date();
    const errors = [...invalid];
    const prepared: PreparedEmail[] = [];
    const paused = await pausedStreams(db, caller);
    const options = prepareOptions(env);
    const lookups = requestLookups(db, caller.tenant_id);
    for (const { index, email: input } of inputs) {
      try {
        const email = liftExtras(input, `[${index}]`);
        assertNotPaused(paused, email.stream, `[${index}]`);
        if (email.attachments?.length)
          throw new AppError(
            'invalid_parameter',
            `[${index}].attachments: batch emails cannot carry attachments.`,
          );
        prepared.push(await prepareEmail(db, caller, email, now, `[${index}]`, { ...options, lookups }));
      } catch (err) {
        if (!(err instanceof AppError) || mode === 'strict') throw err;
        errors.push({ index, message: err.message });
      }
    }
    const response: BatchResponse = { data: prepared.map((email) => ({ id: email.id })) };
    if (mode === 'permissive') response.errors = errors.sort((a, b) => a.index - b.index);
    await persist(env, d1, db, caller, prepared, complete(response));
    logAccepted(prepared.length, usage);
    return response;
  });
}

function prepareOptions(env: Env) {
  return { allowLocalAttachmentUrls: config(env).ENVIRONMENT === 'development', files: env.FILES };
}

/** One line per accept: how many emails and what they cost in D1 (the benchmark reads these). */
function logAccepted(emails: number, d1: D1Usage) {
  console.log(JSON.stringify({ event: 'emails.accepted', emails, d1 }));
}

async function persist(
  env: Env,
  d1: D1Database,
  db: Db,
  caller: Caller,
  emails: PreparedEmail[],
  extra: Compilable[],
) {
  if (emails.length === 0) {
    await runBatch(d1, extra);
    return;
  }
  const now = new Date();
  await assertDailyQuota(db, caller, emails.length, now);
  await Promise.all(emails.map((email) => putBody(env, bodyKey(caller.tenant_id, email.id), email.body)));
  const messages = emails
    .filter((email) => email.deliverable)
    .map((email) => ({
      body: { kind: 'send', tenant_id: caller.tenant_id, email_id: email.id } satisfies SendQueueMessage,
      delaySeconds: email.scheduledAt ? queueDelaySeconds(email.scheduledAt, now) : 0,
    }));
  if (messages.length > 0) await env.SEND_QUEUE.sendBatch(messages);
  await runBatch(d1, [
    ...emails.map((email) => insertEmail(db, caller.tenant_id, toRow(caller, email, now))),
    countAcceptedEmails(db, caller.tenant_id, usageDay(now), emails.length),
    ...extra,
  ]);
}

function toRow(caller: Caller, email: PreparedEmail, now: Date) {
  const status = !email.deliverable ? 'suppressed' : email.scheduledAt ? 'scheduled' : 'queued';
  return {
    id: email.id,
    domain_id: email.domainId,
    stream: email.stream,
    from_address: email.from,
    to_addresses: JSON.stringify(email.to),
    cc_addresses: JSON.stringify(email.cc),
    bcc_addresses: JSON.stringify(email.bcc),
    reply_to: JSON.stringify(email.replyTo),
    suppressed: JSON.stringify(email.suppressed),
    subject: email.subject,
    tags: JSON.stringify(email.tags),
    body_key: bodyKey(caller.tenant_id, email.id),
    track_opens: email.trackOpens === null ? null : Number(email.trackOpens),
    track_clicks: email.trackClicks === null ? null : Number(email.trackClicks),
    topic_id: email.topicId,
    list_unsubscribe: email.listUnsubscribe === null ? null : Number(email.listUnsubscribe),
    status,
    last_event: status,
    scheduled_at: email.scheduledAt?.toISOString() ?? null,
    claim_token: null,
    claimed_until: null,
    ses_message_id: null,
    error: null,
    created_at: now.toISOString(),
    sent_at: null,
  } as const;
}

/**
 * Runs `work` under the request's idempotency key (Resend's rules): the same key and body replay the
 * first response; another body → 409 invalid_idempotent_request; still running → 409
 * concurrent_idempotent_requests. A failed request gives its key back.
 */
async function withIdempotency<T>(
  db: Db,
  caller: Caller,
  idempotency: Idempotency | null,
  work: (complete: (response: T) => Compilable[]) => Promise<T>,
): Promise<T> {
  if (!idempotency) return work(() => []);
  const claim = await claimIdempotencyKey(db, caller.tenant_id, idempotency.key, idempotency.hash);
  if (!claim.claimed) {
    const { existing } = claim;
    if (existing.request_hash !== idempotency.hash) {
      throw new AppError(
        'invalid_idempotent_request',
        'This Idempotency-Key was already used with a different request body.',
      );
    }
    if (existing.status === 'in_flight') {
      throw new AppError(
        'concurrent_idempotent_requests',
        'A request with this Idempotency-Key is still being processed; retry in a moment.',
      );
    }
    return JSON.parse(existing.response ?? 'null') as T;
  }
  try {
    return await work((response) => [
      completeIdempotencyKey(db, caller.tenant_id, idempotency.key, response),
    ]);
  } catch (err) {
    await releaseIdempotencyKey(db, caller.tenant_id, idempotency.key);
    throw err;
  }
}
