// Customer webhooks, their deliveries and each delivery's attempts. Admin's writes run with their
// audit entry in one D1 batch. The deliverer's batch functions (claimWebhookDeliveryBatch,
// recordWebhookAttempts) span tenants and live in cross-tenant.ts; they write a delivery's state and
// its attempt row in one batch, so the two never disagree.
import type { Caller } from '@mailgrid/contracts';
import { type SqlBool, sql } from 'kysely';
import { runBatch } from '../batch';
import { type Db, nowIso } from '../client';
import { listNewestFirst } from '../pagination';
import type { WebhookDeliveryRow, WebhookRow } from '../schema';
import { auditEntry } from './audit-log';

export interface NewWebhook {
  id: string;
  endpoint: string;
  events: string[];
  secret: string;
}

/** Stores the webhook with its audit entry (which names the endpoint and events, never the secret). */
export async function insertWebhook(
  db: Db,
  d1: D1Database,
  caller: Caller,
  webhook: NewWebhook,
): Promise<void> {
  const now = nowIso();
  await runBatch(d1, [
    db.insertInto('webhooks').values({
      id: webhook.id,
      tenant_id: caller.tenant_id,
      endpoint: webhook.endpoint,
      events: JSON.stringify(webhook.events),
      disabled_reason: null,
      secret: webhook.secret,
      previous_secret: null,
      previous_secret_expires_at: null,
      created_at: now,
      updated_at: now,
    }),
    auditEntry(db, caller, {
      action: 'webhook.created',
      target_type: 'webhook',
      target_id: webhook.id,
      summary: { endpoint: webhook.endpoint, events: webhook.events },
    }),
  ]);
}

export async function getWebhook(db: Db, tenantId: string, id: string): Promise<WebhookRow | undefined> {
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Newest first; `limit + 1` rows so the caller can tell has_more. */
export async function listWebhooks(db: Db, tenantId: string, limit: number): Promise<WebhookRow[]> {
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
}

export interface WebhookChanges {
  endpoint?: string;
  events?: string[];
  status?: 'enabled' | 'disabled';
}

/** The caller has checked the webhook is the tenant's. A status the tenant sets clears Mailgrid's reason. */
export async function updateWebhook(
  db: Db,
  d1: D1Database,
  caller: Caller,
  id: string,
  changes: WebhookChanges,
): Promise<void> {
  await runBatch(d1, [
    db
      .updateTable('webhooks')
      .set({
        ...(changes.endpoint === undefined ? {} : { endpoint: changes.endpoint }),
        ...(changes.events === undefined ? {} : { events: JSON.stringify(changes.events) }),
        ...(changes.status === undefined ? {} : { status: changes.status, disabled_reason: null }),
        updated_at: nowIso(),
      })
      .where('tenant_id', '=', caller.tenant_id)
      .where('id', '=', id),
    auditEntry(db, caller, {
      action: 'webhook.updated',
      target_type: 'webhook',
      target_id: id,
      summary: { ...changes },
    }),
  ]);
}

/** Deletes the webhook (its deliveries and attempts cascade) with its audit entry. */
export async function deleteWebhook(
  db: Db,
  d1: D1Database,
  caller: Caller,
  webhook: WebhookRow,
): Promise<void> {
  await runBatch(d1, [
    db.deleteFrom('webhooks').where('tenant_id', '=', caller.tenant_id).where('id', '=', webhook.id),
    auditEntry(db, caller, {
      action: 'webhook.deleted',
      target_type: 'webhook',
      target_id: webhook.id,
      summary: { endpoint: webhook.endpoint },
    }),
  ]);
}

export interface NewDelivery {
  id: string;
  webhook_id: string;
  event_id: string;
  type: string;
  payload: string;
  created_at: string;
}

export async function getDelivery(db: Db, tenantId: string, webhookId: string, deliveryId: string) {
  const delivery = await db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('webhook_id', '=', webhookId)
    .where('id', '=', deliveryId)
    .executeTakeFirst();
  if (!delivery) return undefined;
  return { ...delivery, attempt_log: (await attemptsOf(db, [delivery.id])).get(delivery.id) ?? [] };
}

async function attemptsOf(db: Db, deliveryIds: string[]) {
  const byDelivery = new Map<string, Awaited<ReturnType<typeof attemptRows>>>();
  if (deliveryIds.length === 0) return byDelivery;
  for (const row of await attemptRows(db, deliveryIds)) {
    const list = byDelivery.get(row.delivery_id) ?? [];
    list.push(row);
    byDelivery.set(row.delivery_id, list);
  }
  return byDelivery;
}

function attemptRows(db: Db, deliveryIds: string[]) {
  return db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('delivery_id', 'in', deliveryIds)
    .orderBy('attempt')
    .execute();
}

/** Puts the delivery back to pending, due now, with its audit entry: the replay's queue message follows. */
export async function markForReplay(db: Db, d1: D1Database, caller: Caller, delivery: WebhookDeliveryRow) {
  const now = nowIso();
  await runBatch(d1, [
    db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', next_attempt_at: now })
      .where('tenant_id', '=', caller.tenant_id)
      .where('id', '=', delivery.id),
    auditEntry(db, caller, {
      action: 'webhook_delivery.replayed',
      target_type: 'webhook_delivery',
      target_id: delivery.id,
      summary: { webhook_id: delivery.webhook_id, previous_status: delivery.status },
    }),
  ]);
}

/**
 * A new signing secret; the one it replaces keeps signing (beside it) until `previousExpiresAt`. A
 * second rotation inside that window retires the oldest secret at once: two secrets at most.
 */
export async function rotateWebhookSecret(
  db: Db,
  d1: D1Database,
  caller: Caller,
  webhook: WebhookRow,
  secret: string,
  previousExpiresAt: string,
): Promise<void> {
  await runBatch(d1, [
    db
      .updateTable('webhooks')
      .set({
        secret,
        previous_secret: webhook.secret,
        previous_secret_expires_at: previousExpiresAt,
        updated_at: nowIso(),
      })
      .where('tenant_id', '=', caller.tenant_id)
      .where('id', '=', webhook.id),
    auditEntry(db, caller, {
      action: 'webhook.secret_rotated',
      target_type: 'webhook',
      target_id: webhook.id,
      summary: { previous_secret_expires_at: previousExpiresAt },
    }),
  ]);
}

/**
 * A page of the webhook's deliveries (Resend's webhook events), newest first, after or before a
 * delivery id. Null when the cursor is not one of this webhook's deliveries.
 */
export async function listDeliveryPage(
  db: Db,
  tenantId: string,
  webhookId: string,
  page: { limit: number; after?: string; before?: string },
) {
  return listNewestFirst(db, tenantId, 'webhook_deliveries', page, sql<SqlBool>`webhook_id = ${webhookId}`);
}

/** A delivery of an event that is not an email's: the same fields, written as they are. */
export type ResourceDelivery = NewDelivery;

/**
 * The insert of one delivery of an event that is not an email's (contact, domain, topic, suppression
 * changes): there is no events row to join, so the values are written as they are.
 */
export function resourceDeliveryInsert(db: Db, tenantId: string, delivery: ResourceDelivery) {
  return db
    .insertInto('webhook_deliveries')
    .values({
      id: delivery.id,
      tenant_id: tenantId,
      webhook_id: delivery.webhook_id,
      event_id: delivery.event_id,
      type: delivery.type,
      payload: delivery.payload,
      next_attempt_at: delivery.created_at,
      created_at: delivery.created_at,
    })
    .onConflict((conflict) => conflict.columns(['webhook_id', 'event_id']).doNothing());
}

/** The tenant's enabled webhooks subscribed to `type` (null: all of them). */
export async function subscribedWebhooks(db: Db, tenantId: string, type: string | null) {
  const rows = await db
    .selectFrom('webhooks')
    .select(['id', 'events'])
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'enabled')
    .execute();
  return type === null ? rows : rows.filter((row) => (JSON.parse(row.events) as string[]).includes(type));
}
