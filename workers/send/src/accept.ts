// send.accept: an email (or a batch) is accepted once it is durably recorded and queued. Order:
// one D1 batch reads everything the request needs and claims its idempotency key (lookups.ts); the
// emails are prepared in memory; bodies to R2, messages to the queue, then rows to D1 in one batch
// (all emails in one multi-row insert, the day's counter, the key's completion). So an accept is 2
// D1 round trips, one email or 100 (a refused one gives its key back in a third). A queue message
// whose row never arrives is dropped by the consumer; a row is never written without its queue
// message, so no accepted email can sit in `queued` forever.
import {
  AppError,
  type BatchResponse,
  type BatchValidation,
  type Caller,
  type SendEmailRequest,
  type SendQueueMessage,
} from '@mailgrid/contracts';
import {
  type ClaimOutcome,
  completeIdempotencyKey,
  countAcceptedEmails,
  createDb,
  type D1Usage,
  type Db,
  insertEmails,
  meteredD1,
  releaseIdempotencyKey,
  runBatch,
} from '@mailgrid/db';
import type { Compilable } from 'kysely';
import { bodyKey, inlineBody, storeBody } from './body-store';
import { assertDailyQuota, usageDay } from './daily-quota';
import { config, type Env } from './env';
import { liftExtras } from './extras';
import { type Lookups, planReads, readForAccept } from './lookups';
import { assertNotPaused } from './paused';
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
  const now = new Date();
  const lifted = attempt(() => liftExtras(input));
  const lookups = await readForAccept(
    d1,
    db,
    caller.tenant_id,
    planReads(lifted.ok ? [lifted.value] : []),
    idempotency,
    now,
  );
  return withIdempotency(db, caller, idempotency, lookups.claim, async (complete) => {
    const email = settle(lifted);
    assertNotPaused(lookups.paused, email.stream);
    const prepared = await prepareEmail(caller, email, now, '', prepareOptions(env, lookups));
    const response = { id: prepared.id };
    await persist(env, d1, db, caller, lookups, [prepared], complete(response), now);
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
  const now = new Date();
  const lifted = inputs.map(({ index, email }) => ({
    index,
    email: attempt(() => liftExtras(email, `[${index}]`)),
  }));
  // Batch emails cannot carry attachments (refused below): their files are not worth reading.
  const plan = planReads(
    lifted.flatMap(({ email }) => (email.ok ? [{ ...email.value, attachments: undefined }] : [])),
  );
  const lookups = await readForAccept(d1, db, caller.tenant_id, plan, idempotency, now);
  return withIdempotency(db, caller, idempotency, lookups.claim, async (complete) => {
    const errors = [...invalid];
    const prepared: PreparedEmail[] = [];
    const options = prepareOptions(env, lookups);
    for (const { index, email: liftedEmail } of lifted) {
      try {
        const email = settle(liftedEmail);
        assertNotPaused(lookups.paused, email.stream, `[${index}]`);
        if (email.attachments?.length)
          throw new AppError(
            'invalid_parameter',
            `[${index}].attachments: batch emails cannot carry attachments.`,
          );
        prepared.push(await prepareEmail(caller, email, now, `[${index}]`, options));
      } catch (err) {
        if (!(err instanceof AppError) || mode === 'strict') throw err;
        errors.push({ index, message: err.message });
      }
    }
    const response: BatchResponse = { data: prepared.map((email) => ({ id: email.id })) };
    if (mode === 'permissive') response.errors = errors.sort((a, b) => a.index - b.index);
    await persist(env, d1, db, caller, lookups, prepared, complete(response), now);
    logAccepted(prepared.length, usage);
    return response;
  });
}

function prepareOptions(env: Env, lookups: Lookups) {
  return { allowLocalAttachmentUrls: config(env).ENVIRONMENT === 'development', files: env.FILES, lookups };
}

/** A step's value or what it threw, kept until the request's reads are in: errors keep their order. */
type Attempt<T> = { ok: true; value: T } | { ok: false; error: unknown };

function attempt<T>(step: () => T): Attempt<T> {
  try {
    return { ok: true, value: step() };
  } catch (err) {
    return { ok: false, error: err };
  }
}

function settle<T>(result: Attempt<T>): T {
  if (!result.ok) throw result.error;
  return result.value;
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
  lookups: Lookups,
  emails: PreparedEmail[],
  extra: Compilable[],
  now: Date,
) {
  if (emails.length === 0) {
    await runBatch(d1, extra);
    return;
  }
  assertDailyQuota(lookups.quota, emails.length, now);
  await Promise.all(emails.map((email) => storeBody(env, bodyKey(caller.tenant_id, email.id), email.body)));
  const messages = emails
    .filter((email) => email.deliverable)
    .map((email) => ({
      body: { kind: 'send', tenant_id: caller.tenant_id, email_id: email.id } satisfies SendQueueMessage,
      delaySeconds: email.scheduledAt ? queueDelaySeconds(email.scheduledAt, now) : 0,
    }));
  if (messages.length > 0) await env.SEND_QUEUE.sendBatch(messages);
  await runBatch(d1, [
    ...insertEmails(
      db,
      caller.tenant_id,
      emails.map((email) => toRow(caller, email, now)),
    ),
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
    // A small body rides in the row (no R2 write); a large one is in R2 at body_key.
    body: inlineBody(email.body),
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
 * concurrent_idempotent_requests. A failed request gives its key back. `claim` is the key's claim,
 * made in the accept's read batch (null: no key).
 */
async function withIdempotency<T>(
  db: Db,
  caller: Caller,
  idempotency: Idempotency | null,
  claim: ClaimOutcome | null,
  work: (complete: (response: T) => Compilable[]) => Promise<T>,
): Promise<T> {
  if (!idempotency || !claim) return work(() => []);
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
