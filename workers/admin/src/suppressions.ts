// Suppressions: list, add (manual), remove. Sends read the same table, so a change applies to the next send.
import {
  AppError,
  type Caller,
  type CreateSuppressionRequest,
  type DeletedSuppression,
  type ListSuppressionsQuery,
  type SuppressionList,
  type SuppressionObject,
  type SuppressionOrigin,
  unknownCursor,
} from '@mailgrid/contracts';
import {
  createDb,
  deleteSuppression,
  getSuppression,
  insertSuppression,
  listSuppressions as listSuppressionRows,
} from '@mailgrid/db';
import type { Env } from './env';

export async function listSuppressions(
  env: Env,
  caller: Caller,
  query: ListSuppressionsQuery,
): Promise<SuppressionList> {
  const page = await listSuppressionRows(createDb(env.DB), caller.tenant_id, {
    limit: query.limit,
    after: query.after?.toLowerCase(),
    before: query.before?.toLowerCase(),
  });
  if (!page) throw unknownCursor(query, 'suppression');
  return { object: 'list', has_more: page.has_more, data: page.rows.map(toObject) };
}

export async function addSuppression(
  env: Env,
  caller: Caller,
  input: CreateSuppressionRequest,
): Promise<SuppressionObject> {
  const db = createDb(env.DB);
  const email = input.email.toLowerCase();
  // Already suppressed (by a bounce, say): Resend answers with the existing entry, and so do we.
  const existing = await getSuppression(db, caller.tenant_id, email);
  if (!existing) await insertSuppression(db, env.DB, caller, email, input.reason ?? 'manual');
  const row = existing ?? (await getSuppression(db, caller.tenant_id, email));
  if (!row) throw new Error(`suppression of ${email} vanished after insert`);
  return toObject(row);
}

export async function removeSuppression(
  env: Env,
  caller: Caller,
  email: string,
): Promise<DeletedSuppression> {
  const address = email.trim().toLowerCase();
  if (!(await deleteSuppression(createDb(env.DB), env.DB, caller, address))) {
    throw new AppError('not_found', `${address} is not suppressed.`);
  }
  return { object: 'suppression', id: address, deleted: true };
}

function toObject(row: { email: string; reason: string; created_at: string }): SuppressionObject {
  return {
    object: 'suppression',
    id: row.email,
    email: row.email,
    origin: originOf(row.reason),
    reason: row.reason,
    created_at: row.created_at,
  };
}

/** The events consumer writes `bounce:<type>/<subtype>` and `complaint`; anything else was added by hand. */
function originOf(reason: string): SuppressionOrigin {
  if (reason.startsWith('bounce')) return 'bounce';
  if (reason === 'complaint') return 'complaint';
  return 'manual';
}
