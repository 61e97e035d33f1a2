import type { ApiKeySummary, Caller, CreateApiKeyRequest } from '@mailgrid/contracts';
import { runBatch } from '../batch';
import { type Db, nowIso } from '../client';
import { type AuditChange, auditEntry, operatorAuditEntry } from './audit-log';

// The authentication lookup by prefix, which finds the tenant, is in cross-tenant.ts.

export async function listApiKeys(db: Db, tenantId: string): Promise<ApiKeySummary[]> {
  return db
    .selectFrom('api_keys')
    .select(['id', 'name', 'permission', 'domain_id', 'prefix', 'created_at', 'last_used_at'])
    .where('tenant_id', '=', tenantId)
    .where('revoked_at', 'is', null)
    .orderBy('created_at', 'desc')
    .execute();
}

export interface StoredKey {
  prefix: string;
  hash: string;
}

/** Inserts the key and its audit entry (the caller's) atomically. Returns the new key's id. */
export async function insertApiKey(
  db: Db,
  d1: D1Database,
  caller: Caller,
  input: CreateApiKeyRequest,
  key: StoredKey,
): Promise<string> {
  return insertKey(db, d1, caller.tenant_id, input, key, (change) => auditEntry(db, caller, change));
}

/**
 * As insertApiKey, for a key the platform operator issues to a tenant (its first key, say): the
 * audit entry names the operator.
 */
export async function insertOperatorApiKey(
  db: Db,
  d1: D1Database,
  tenantId: string,
  requestId: string,
  input: CreateApiKeyRequest,
  key: StoredKey,
): Promise<string> {
  return insertKey(db, d1, tenantId, input, key, (change) =>
    operatorAuditEntry(db, tenantId, requestId, change),
  );
}

async function insertKey(
  db: Db,
  d1: D1Database,
  tenantId: string,
  input: CreateApiKeyRequest,
  key: StoredKey,
  audit: (change: AuditChange) => ReturnType<typeof auditEntry>,
): Promise<string> {
  const id = crypto.randomUUID();
  await runBatch(d1, [
    db.insertInto('api_keys').values({
      id,
      tenant_id: tenantId,
      name: input.name,
      prefix: key.prefix,
      hash: key.hash,
      permission: input.permission,
      domain_id: input.domain_id ?? null,
      created_at: nowIso(),
      last_used_at: null,
      revoked_at: null,
    }),
    audit({
      action: 'api_key.created',
      target_type: 'api_key',
      target_id: id,
      summary: {
        name: input.name,
        permission: input.permission,
        domain_id: input.domain_id ?? null,
        prefix: key.prefix,
      },
    }),
  ]);
  return id;
}

/** Marks the key revoked (with its audit entry). Returns its prefix, or null if the tenant has no such live key. */
export async function revokeApiKey(
  db: Db,
  d1: D1Database,
  caller: Caller,
  id: string,
): Promise<string | null> {
  const key = await db
    .selectFrom('api_keys')
    .select(['prefix'])
    .where('tenant_id', '=', caller.tenant_id)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!key) return null;
  await runBatch(d1, [
    db
      .updateTable('api_keys')
      .set({ revoked_at: nowIso() })
      .where('tenant_id', '=', caller.tenant_id)
      .where('id', '=', id),
    auditEntry(db, caller, {
      action: 'api_key.revoked',
      target_type: 'api_key',
      target_id: id,
      summary: { prefix: key.prefix },
    }),
  ]);
  return key.prefix;
}

/** Renames a live key (with its audit entry). False if the tenant has no such live key. */
export async function renameApiKey(
  db: Db,
  d1: D1Database,
  caller: Caller,
  id: string,
  name: string,
): Promise<boolean> {
  const key = await db
    .selectFrom('api_keys')
    .select(['name', 'prefix'])
    .where('tenant_id', '=', caller.tenant_id)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!key) return false;
  await runBatch(d1, [
    db
      .updateTable('api_keys')
      .set({ name })
      .where('tenant_id', '=', caller.tenant_id)
      .where('id', '=', id)
      .where('revoked_at', 'is', null),
    auditEntry(db, caller, {
      action: 'api_key.updated',
      target_type: 'api_key',
      target_id: id,
      summary: { prefix: key.prefix, name: { from: key.name, to: name } },
    }),
  ]);
  return true;
}
