// Suppressions: list, get, add (manual, one or a batch), remove (one or a batch). Sends read the same
// table, so a change applies to the next send. Each address added or removed tells the tenant's
// webhooks (suppression.added / suppression.removed).
import {
  AppError,
  type BatchAddedSuppressions,
  type BatchAddSuppressionsRequest,
  type BatchRemovedSuppressions,
  type BatchRemoveSuppressionsRequest,
  type Caller,
  type CreateSuppressionRequest,
  type DeletedSuppression,
  type ListSuppressionsQuery,
  type SuppressionList,
  type SuppressionObject,
  suppressionOrigin,
  unknownCursor,
} from '@mailgrid/contracts';
import {
  createDb,
  deleteSuppressions,
  findSuppression,
  findSuppressions,
  insertSuppressions,
  listSuppressions as listSuppressionRows,
  type SuppressionRow,
} from '@mailgrid/db';
import type { Env } from './env';
import { emitWebhookEvents } from './webhook-events';

export async function listSuppressions(
  env: Env,
  caller: Caller,
  query: ListSuppressionsQuery,
): Promise<SuppressionList> {
  const page = await listSuppressionRows(
    createDb(env.DB),
    caller.tenant_id,
    { limit: query.limit, after: query.after?.toLowerCase(), before: query.before?.toLowerCase() },
    query.origin,
  );
  if (!page) throw unknownCursor(query, 'suppression');
  return { object: 'list', has_more: page.has_more, data: page.rows.map(toObject) };
}

export async function getSuppression(
  env: Env,
  caller: Caller,
  idOrEmail: string,
): Promise<SuppressionObject> {
  const row = await findSuppression(createDb(env.DB), caller.tenant_id, idOrEmail);
  if (!row) throw new AppError('not_found', `No suppression ${idOrEmail.trim().toLowerCase()}.`);
  return toObject(row);
}

export async function addSuppression(
  env: Env,
  caller: Caller,
  input: CreateSuppressionRequest,
): Promise<SuppressionObject> {
  // Already suppressed (by a bounce, say): Resend answers with the existing entry, and so do we.
  const [row] = await addMany(env, caller, [input.email], input.reason ?? 'manual');
  if (!row) throw new Error(`suppression of ${input.email} vanished after insert`);
  return toObject(row);
}

export async function batchAddSuppressions(
  env: Env,
  caller: Caller,
  input: BatchAddSuppressionsRequest,
): Promise<BatchAddedSuppressions> {
  const rows = await addMany(env, caller, input.emails, 'manual');
  return { data: rows.map((row) => ({ object: 'suppression' as const, id: row.id })) };
}

export async function removeSuppression(
  env: Env,
  caller: Caller,
  idOrEmail: string,
): Promise<DeletedSuppression> {
  const row = await findSuppression(createDb(env.DB), caller.tenant_id, idOrEmail);
  if (!row) throw new AppError('not_found', `${idOrEmail.trim().toLowerCase()} is not suppressed.`);
  await removeMany(env, caller, [row]);
  return { object: 'suppression', id: row.id, deleted: true };
}

export async function batchRemoveSuppressions(
  env: Env,
  caller: Caller,
  input: BatchRemoveSuppressionsRequest,
): Promise<BatchRemovedSuppressions> {
  const refs = [...new Set((input.emails ?? input.ids ?? []).map((ref) => ref.toLowerCase()))];
  const rows = await findSuppressions(createDb(env.DB), caller.tenant_id, refs);
  const byRef = new Map(rows.flatMap((row) => [[row.email, row] as const, [row.id, row] as const]));
  await removeMany(env, caller, rows);
  return {
    data: refs.map((ref) => {
      const row = byRef.get(ref);
      return { object: 'suppression' as const, id: row?.id ?? ref, deleted: row !== undefined };
    }),
  };
}

/** The rows of these addresses, in order, after adding those not yet there (one batch, one event each). */
async function addMany(
  env: Env,
  caller: Caller,
  emails: string[],
  reason: string,
): Promise<SuppressionRow[]> {
  const db = createDb(env.DB);
  const wanted = [...new Set(emails.map((email) => email.toLowerCase()))];
  const existing = new Set((await findSuppressions(db, caller.tenant_id, wanted)).map((row) => row.email));
  const fresh = wanted.filter((email) => !existing.has(email));
  const added = fresh.length > 0 ? await insertSuppressions(db, env.DB, caller, fresh, reason) : new Set();
  const rows = await findSuppressions(db, caller.tenant_id, wanted);
  const byEmail = new Map(rows.map((row) => [row.email, row]));
  await emitWebhookEvents(
    env,
    caller.tenant_id,
    rows
      .filter((row) => added.has(row.email))
      .map((row) => ({ type: 'suppression.added' as const, data: suppressionEventData(row) })),
  );
  return wanted.flatMap((email) => byEmail.get(email) ?? []);
}

async function removeMany(env: Env, caller: Caller, rows: SuppressionRow[]) {
  if (rows.length === 0) return;
  await deleteSuppressions(createDb(env.DB), env.DB, caller, rows);
  await emitWebhookEvents(
    env,
    caller.tenant_id,
    rows.map((row) => ({ type: 'suppression.removed' as const, data: suppressionEventData(row) })),
  );
}

/** Resend's suppression object in events: the API's object without `object` and Mailgrid's `reason`. */
function suppressionEventData(row: SuppressionRow) {
  return {
    id: row.id,
    email: row.email,
    origin: suppressionOrigin(row.reason),
    source_id: row.source_id,
    created_at: row.created_at,
  };
}

function toObject(row: SuppressionRow): SuppressionObject {
  return {
    object: 'suppression',
    id: row.id,
    email: row.email,
    origin: suppressionOrigin(row.reason),
    source_id: row.source_id,
    reason: row.reason,
    created_at: row.created_at,
  };
}
