// Webhooks: create, list, read (with the signing secret, as Resend's), update, delete, rotate the
// signing secret, and the delivery log Resend calls a webhook's events: list, read, attempts, replay.
// An "event" of a webhook is one delivery row: its id is the `webhook-id` header of every attempt.
import {
  AppError,
  type Caller,
  type CreateWebhookRequest,
  type CreateWebhookResponse,
  type DeletedWebhook,
  endpointProblem,
  type ListWebhookEventAttemptsQuery,
  type ListWebhookEventsQuery,
  PREVIOUS_SECRET_OVERLAP_HOURS,
  pageInMemory,
  type ReplayedWebhookEvent,
  type RotatedWebhookSecret,
  type UpdateWebhookRequest,
  unknownCursor,
  type WebhookDetail,
  type WebhookEventAttempt,
  type WebhookEventAttemptList,
  type WebhookEventDetail,
  type WebhookEventLog,
  type WebhookEventLogList,
  type WebhookEventStatus,
  type WebhookEventType,
  type WebhookList,
  type WebhookObject,
} from '@mailgrid/contracts';
import {
  createDb,
  deleteWebhook as deleteWebhookRow,
  getDelivery,
  getWebhook as getWebhookRow,
  insertWebhook,
  listDeliveryPage,
  listWebhooks as listWebhookRows,
  markForReplay,
  rotateWebhookSecret as rotateWebhookSecretRow,
  updateWebhook as updateWebhookRow,
  type WebhookAttemptRow,
  type WebhookDeliveryRow,
  type WebhookRow,
} from '@mailgrid/db';
import { openSecret, sealSecret } from '@mailgrid/runtime';
import { config, type Env } from './env';

const LIST_LIMIT = 100;

export async function createWebhook(
  env: Env,
  caller: Caller,
  input: CreateWebhookRequest,
): Promise<CreateWebhookResponse> {
  checkEndpoint(env, input.endpoint);
  const id = crypto.randomUUID();
  const secret = newSigningSecret();
  await insertWebhook(createDb(env.DB), env.DB, caller, {
    id,
    endpoint: input.endpoint,
    events: input.events,
    secret: await sealSecret(secret, config(env).WEBHOOK_SECRET_KEY),
  });
  return { object: 'webhook', id, signing_secret: secret };
}

export async function listWebhooks(env: Env, caller: Caller): Promise<WebhookList> {
  const rows = await listWebhookRows(createDb(env.DB), caller.tenant_id, LIST_LIMIT);
  return {
    object: 'list',
    has_more: rows.length > LIST_LIMIT,
    data: rows.slice(0, LIST_LIMIT).map(toObject),
  };
}

export async function getWebhook(env: Env, caller: Caller, id: string): Promise<WebhookDetail> {
  const row = await ownWebhook(env, caller, id);
  return { ...toObject(row), signing_secret: await openSecret(row.secret, config(env).WEBHOOK_SECRET_KEY) };
}

/**
 * A new secret. The one it replaces keeps signing, beside it, for PREVIOUS_SECRET_OVERLAP_HOURS (the
 * `webhook-signature` header then carries two signatures), so a receiver verifies throughout its
 * switch; a second rotation within that window retires the oldest secret at once.
 */
export async function rotateWebhookSecret(
  env: Env,
  caller: Caller,
  id: string,
): Promise<RotatedWebhookSecret> {
  const webhook = await ownWebhook(env, caller, id);
  const secret = newSigningSecret();
  const expiresAt = new Date(Date.now() + PREVIOUS_SECRET_OVERLAP_HOURS * 3600_000).toISOString();
  const sealed = await sealSecret(secret, config(env).WEBHOOK_SECRET_KEY);
  // The replaced secret moves to previous_secret as stored (sealed): it is never opened here.
  await rotateWebhookSecretRow(createDb(env.DB), env.DB, caller, webhook, sealed, expiresAt);
  return { object: 'webhook', id, signing_secret: secret, previous_secret_expires_at: expiresAt };
}

export async function updateWebhook(
  env: Env,
  caller: Caller,
  id: string,
  input: UpdateWebhookRequest,
): Promise<{ object: 'webhook'; id: string }> {
  await ownWebhook(env, caller, id);
  if (input.endpoint === undefined && input.events === undefined && input.status === undefined) {
    throw new AppError('validation_error', 'Give at least one of endpoint, events, status.');
  }
  if (input.endpoint !== undefined) checkEndpoint(env, input.endpoint);
  await updateWebhookRow(createDb(env.DB), env.DB, caller, id, input);
  return { object: 'webhook', id };
}

export async function deleteWebhook(env: Env, caller: Caller, id: string): Promise<DeletedWebhook> {
  const webhook = await ownWebhook(env, caller, id);
  await deleteWebhookRow(createDb(env.DB), env.DB, caller, webhook);
  return { object: 'webhook', id, deleted: true };
}

export async function listWebhookEvents(
  env: Env,
  caller: Caller,
  id: string,
  query: ListWebhookEventsQuery,
): Promise<WebhookEventLogList> {
  await ownWebhook(env, caller, id);
  const page = await listDeliveryPage(createDb(env.DB), caller.tenant_id, id, query);
  if (!page) throw unknownCursor(query, 'event');
  return { object: 'list', has_more: page.has_more, data: page.rows.map(toEventLog) };
}

export async function getWebhookEvent(
  env: Env,
  caller: Caller,
  id: string,
  eventId: string,
): Promise<WebhookEventDetail> {
  const delivery = await ownDelivery(env, caller, id, eventId);
  return {
    object: 'webhook_event',
    ...toEventLog(delivery),
    next_attempt_at: delivery.status === 'pending' ? delivery.next_attempt_at : null,
    payload: JSON.parse(delivery.payload) as Record<string, unknown>,
  };
}

/** Newest first, like every list; an event has a handful of attempts, so they are paged in memory. */
export async function listWebhookEventAttempts(
  env: Env,
  caller: Caller,
  id: string,
  eventId: string,
  query: ListWebhookEventAttemptsQuery,
): Promise<WebhookEventAttemptList> {
  const delivery = await ownDelivery(env, caller, id, eventId);
  const attempts = delivery.attempt_log.map((row) => toAttempt(delivery.id, row)).reverse();
  const page = pageInMemory(attempts, query, 'attempt');
  return { object: 'list', ...page };
}

export async function replayWebhookEvent(
  env: Env,
  caller: Caller,
  id: string,
  eventId: string,
): Promise<ReplayedWebhookEvent> {
  const delivery = await ownDelivery(env, caller, id, eventId);
  await markForReplay(createDb(env.DB), env.DB, caller, delivery);
  // retry 0: a replay gets the whole retry schedule again.
  await env.WEBHOOKS_QUEUE.send({
    kind: 'webhook.deliver',
    tenant_id: caller.tenant_id,
    delivery_id: delivery.id,
    retry: 0,
    attempts: delivery.attempts,
  });
  return { object: 'webhook_event', id: delivery.id };
}

async function ownDelivery(env: Env, caller: Caller, id: string, eventId: string) {
  await ownWebhook(env, caller, id);
  const delivery = await getDelivery(createDb(env.DB), caller.tenant_id, id, eventId);
  if (!delivery) throw new AppError('not_found', `No event ${eventId} of webhook ${id}.`);
  return delivery;
}

async function ownWebhook(env: Env, caller: Caller, id: string): Promise<WebhookRow> {
  const webhook = await getWebhookRow(createDb(env.DB), caller.tenant_id, id);
  if (!webhook) throw new AppError('not_found', `No webhook ${id}.`);
  return webhook;
}

function checkEndpoint(env: Env, endpoint: string) {
  const problem = endpointProblem(endpoint, config(env).ENVIRONMENT);
  if (problem) throw new AppError('validation_error', `${problem}.`);
}

/** Standard Webhooks' format: `whsec_` + base64 of 32 random bytes (the key the HMAC uses). */
function newSigningSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

/** A list's entry: never the secret (the retrieve shows it). */
function toObject(row: WebhookRow): WebhookObject {
  return {
    object: 'webhook',
    id: row.id,
    endpoint: row.endpoint,
    events: JSON.parse(row.events) as string[],
    status: row.status,
    disabled_reason: row.disabled_reason,
    created_at: row.created_at,
  };
}

function toEventLog(row: WebhookDeliveryRow): WebhookEventLog {
  return {
    id: row.id,
    type: row.type as WebhookEventType,
    created_at: row.created_at,
    status: eventStatus(row),
    attempts: row.attempts,
  };
}

function eventStatus(row: WebhookDeliveryRow): WebhookEventStatus {
  if (row.status === 'delivered') return 'success';
  if (row.status === 'failed') return 'failed';
  return row.attempts > 0 ? 'attempting' : 'pending';
}

/** `error` holds `HTTP <status>: <body start>` for an answer, or why there was none. */
function toAttempt(deliveryId: string, row: WebhookAttemptRow): WebhookEventAttempt {
  const answered = row.error?.match(/^HTTP \d{3}(?:: )?([\s\S]*)$/);
  return {
    id: `${deliveryId}-${row.attempt}`,
    http_status_code: row.status_code ?? 0,
    response: answered ? (answered[1] ?? '') : (row.error ?? ''),
    sent_at: row.at,
    attempt: row.attempt,
    duration_ms: row.duration_ms,
  };
}
