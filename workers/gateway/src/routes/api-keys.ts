// Resend's API Keys API: POST/GET /api/api-keys, PATCH/DELETE /api/api-keys/:id.
import { CreateApiKeyRequest, UpdateApiKeyRequest, unwrap } from '@mailgrid/contracts';
import { parseBody, readJson } from '../http/body';
import { json } from '../http/responses';
import type { RouteContext } from '../router';

export async function createApiKey({ request, env, caller, maxBodyBytes }: RouteContext): Promise<Response> {
  const input = parseBody(CreateApiKeyRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.createApiKey(caller, input)), 201);
}

export async function listApiKeys({ env, caller }: RouteContext): Promise<Response> {
  const data = unwrap(await env.ADMIN.listApiKeys(caller));
  return json({ object: 'list', has_more: false, data });
}

export async function deleteApiKey({ env, caller, params }: RouteContext): Promise<Response> {
  const { id } = unwrap(await env.ADMIN.deleteApiKey(caller, params.id ?? ''));
  return json({ object: 'api_key', id, deleted: true });
}

export async function updateApiKey({
  request,
  env,
  caller,
  params,
  maxBodyBytes,
}: RouteContext): Promise<Response> {
  const input = parseBody(UpdateApiKeyRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.updateApiKey(caller, params.id ?? '', input)));
}
