// API keys: create (shown once), list (prefix only), rename, revoke (at once).
import { generateApiKey, type NewApiKey } from '@mailgrid/api-keys';
import {
  type ApiKeySummary,
  AppError,
  apiKeyCacheKey,
  type Caller,
  type CreateApiKeyRequest,
  type CreateApiKeyResponse,
  type UpdateApiKeyRequest,
} from '@mailgrid/contracts';
import {
  createDb,
  type Db,
  domainBelongsToTenant,
  insertApiKey,
  listApiKeys as listApiKeyRows,
  renameApiKey,
  revokeApiKey,
} from '@mailgrid/db';
import { config, type Env } from './env';

export async function createApiKey(
  env: Env,
  caller: Caller,
  input: CreateApiKeyRequest,
): Promise<CreateApiKeyResponse> {
  return issueApiKey(env, caller.tenant_id, input, (db, key) => insertApiKey(db, env.DB, caller, input, key));
}

/**
 * How every key is made, by a tenant's caller or by the operator (tenants.ts): checks the domain
 * restriction, generates the key and has `store` write it with its audit entry. Returns the token once.
 */
export async function issueApiKey(
  env: Env,
  tenantId: string,
  input: CreateApiKeyRequest,
  store: (db: Db, key: NewApiKey) => Promise<string>,
): Promise<CreateApiKeyResponse> {
  const db = createDb(env.DB);
  if (input.domain_id && !(await domainBelongsToTenant(db, tenantId, input.domain_id))) {
    throw new AppError('invalid_parameter', `domain_id ${input.domain_id} is not one of your domains.`);
  }
  const key = await generateApiKey(config(env).API_KEY_ENV);
  const id = await store(db, key);
  // The gateway caches "no key has this prefix" for a minute; a new key must work at once.
  await env.API_KEYS.delete(apiKeyCacheKey(key.prefix));
  return { id, token: key.token };
}

export async function listApiKeys(env: Env, caller: Caller): Promise<ApiKeySummary[]> {
  return listApiKeyRows(createDb(env.DB), caller.tenant_id);
}

export async function deleteApiKey(env: Env, caller: Caller, id: string): Promise<{ id: string }> {
  const prefix = await revokeApiKey(createDb(env.DB), env.DB, caller, id);
  if (!prefix) throw new AppError('not_found', `API key ${id} not found.`);
  // D1 is the truth; dropping the cached record makes the gateway read it there on the next request.
  await env.API_KEYS.delete(apiKeyCacheKey(prefix));
  return { id };
}

export async function updateApiKey(
  env: Env,
  caller: Caller,
  id: string,
  input: UpdateApiKeyRequest,
): Promise<{ object: 'api_key'; id: string }> {
  // The gateway's cached record holds no name, so the cache needs no change.
  if (!(await renameApiKey(createDb(env.DB), env.DB, caller, id, input.name))) {
    throw new AppError('not_found', `API key ${id} not found.`);
  }
  return { object: 'api_key', id };
}
