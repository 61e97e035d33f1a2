// Mailgrid extra: message streams (as Postmark's). POST/GET /api/streams, GET/PATCH/DELETE
// /api/streams/:id, forwarded to `admin`.
import { AppError, CreateStreamRequest, UpdateStreamRequest, unwrap } from '@mailgrid/contracts';
import { parseBody, readJson } from '../http/body';
import { json } from '../http/responses';
import type { RouteContext } from '../router';

export async function createStream({ request, env, caller, maxBodyBytes }: RouteContext): Promise<Response> {
  const input = parseBody(CreateStreamRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.createStream(caller, input)), 201);
}

export async function listStreams({ env, caller }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.listStreams(caller)));
}

export async function getStream({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.getStream(caller, streamId(params.id))));
}

export async function updateStream({
  request,
  env,
  caller,
  params,
  maxBodyBytes,
}: RouteContext): Promise<Response> {
  const id = streamId(params.id);
  const input = parseBody(UpdateStreamRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.updateStream(caller, id, input)));
}

export async function deleteStream({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.deleteStream(caller, streamId(params.id))));
}

/** Stream ids are slugs: anything else names no stream, so admin is not asked. */
function streamId(id: string | undefined): string {
  if (!id || !/^[a-z0-9-]{1,64}$/.test(id)) throw new AppError('not_found', `No stream ${id ?? ''}.`);
  return id;
}
