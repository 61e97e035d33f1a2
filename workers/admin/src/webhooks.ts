// Webhooks: create (the only answer with the signing secret), list, read, update, delete, and the
// Mailgrid extras: a webhook's deliveries with their attempts, and replaying one delivery.
import {
  AppError,
  type Caller,
  type CreateWebhookRequest,
  type CreateWebhookResponse,
  type DeletedWebhook,
  endpointProblem,
  type UpdateWebhookRequest,
  type WebhookDeliveryList,
  type WebhookDeliveryObject,
  type WebhookList,
  type WebhookObject,
} from '@mailgrid/contracts';
import {
  createDb,
  deleteWebhook as deleteWebhookRow,
  getDelivery,
  getWebhook as getWebhookRow,
  insertWebhook,
  listDeliveries,
  listWebhooks as listWebhookRows,
  markForReplay,
  updateWebhook as updateWebhookRow,
  type WebhookAttemptRow,
  type WebhookDeliveryRow,
  type WebhookRow,
} from '@mailgrid/db';
import { config, type Env } from './env';

const LIST_LIMIT = 100;
const DELIVERY_LIMIT = 50;

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
    secret,
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

export async function getWebhook(env: Env, caller: Caller, id: string): Promise<WebhookObject> {
  return toObject(await ownWebhook(env, caller, id));
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

export async function listWebhookDeliveries(
  env: Env,
  caller: Caller,
  id: string,
): Promise<WebhookDeliveryList> {
  await ownWebhook(env, caller, id);
  const rows = await listDeliveries(createDb(env.DB), caller.tenant_id, id, DELIVERY_LIMIT);
  return {
    object: 'list',
    has_more: rows.length > DELIVERY_LIMIT,
    data: rows.slice(0, DELIVERY_LIMIT).map(toDeliveryObject),
  };
}

export async function replayWebhookDelivery(
  env: Env,
  caller: Caller,
  id: string,
  deliveryId: string,
): Promise<WebhookDeliveryObject> {
  const db = createDb(env.DB);
  const delivery = await getDelivery(db, caller.tenant_id, id, deliveryId);
  if (!delivery) throw new AppError('not_found', `No delivery ${deliveryId} of webhook ${id}.`);
  await markForReplay(db, env.DB, caller, delivery);
  // retry 0: a replay gets the whole retry schedule again.
  await env.WEBHOOKS_QUEUE.send({
    kind: 'webhook.deliver',
    tenant_id: caller.tenant_id,
    delivery_id: delivery.id,
    retry: 0,
    attempts: delivery.attempts,
  });
  const replayed = await getDelivery(db, caller.tenant_id, id, deliveryId);
  return toDeliveryObject(replayed ?? delivery);
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

/** Never the secret: it was shown once, by the create. */
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

function toDeliveryObject(
  row: WebhookDeliveryRow & { attempt_log: WebhookAttemptRow[] },
): WebhookDeliveryObject {
  return {
    object: 'webhook_delivery',
    id: row.id,
    webhook_id: row.webhook_id,
    event_type: row.type,
    status: row.status,
    attempts: row.attempt_log.map(({ attempt, status_code, error, duration_ms, at }) => ({
      attempt,
      status_code,
      error,
      duration_ms,
      at,
    })),
    next_attempt_at: row.status === 'pending' ? row.next_attempt_at : null,
    created_at: row.created_at,
    delivered_at: row.delivered_at,
  };
}
