// Resend's Topics API: POST/GET /api/topics and GET/PATCH/DELETE /api/topics/:id, forwarded to `admin`.
import { CreateTopicRequest, UpdateTopicRequest, unwrap } from '@mailgrid/contracts';
import { parseBody, readJson } from '../http/body';
import { json } from '../http/responses';
import type { RouteContext } from '../router';

export async function createTopic({ request, env, caller, maxBodyBytes }: RouteContext): Promise<Response> {
  const input = parseBody(CreateTopicRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.createTopic(caller, input)), 201);
}

export async function listTopics({ env, caller }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.listTopics(caller)));
}

export async function getTopic({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.getTopic(caller, params.id ?? '')));
}

export async function updateTopic({
  request,
  env,
  caller,
  params,
  maxBodyBytes,
}: RouteContext): Promise<Response> {
  const input = parseBody(UpdateTopicRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.updateTopic(caller, params.id ?? '', input)));
}

export async function deleteTopic({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.deleteTopic(caller, params.id ?? '')));
}
