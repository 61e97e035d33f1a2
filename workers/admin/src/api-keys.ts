// API keys: create (shown once), list (prefix only), rename, revoke (at once).
import { generateApiKey } from '@mailgrid/api-keys';
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
  const db = createDb(env.DB);
  if (input.domain_id && !(await domainBelongsToTenant(db, caller.tenant_id, input.domain_id))) {
    throw new AppError('invalid_parameter', `domain_id ${input.domain_id} is not one of your domains.`);
  }
  const key = await generateApiKey(config(env).API_KEY_ENV);
  const id = await insertApiKey(db, env.DB, caller, input, key);
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
