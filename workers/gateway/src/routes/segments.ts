// Resend's Segments API: POST/GET /api/segments, GET/PATCH/DELETE /api/segments/:id and
// GET /api/segments/:id/contacts, forwarded to `admin`.
import { CreateSegmentRequest, UpdateSegmentRequest, unwrap } from '@mailgrid/contracts';
import { parseBody, readJson } from '../http/body';
import { json } from '../http/responses';
import type { RouteContext } from '../router';
import { listQuery } from './contacts';

export async function createSegment({ request, env, caller, maxBodyBytes }: RouteContext): Promise<Response> {
  const input = parseBody(CreateSegmentRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.createSegment(caller, input)), 201);
}

export async function listSegments({ request, env, caller }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.listSegments(caller, listQuery(request))));
}

export async function getSegment({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.getSegment(caller, params.id ?? '')));
}

export async function updateSegment({
  request,
  env,
  caller,
  params,
  maxBodyBytes,
}: RouteContext): Promise<Response> {
  const input = parseBody(UpdateSegmentRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.updateSegment(caller, params.id ?? '', input)));
}

export async function deleteSegment({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.deleteSegment(caller, params.id ?? '')));
}

export async function listSegmentContacts({ request, env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.listSegmentContacts(caller, params.id ?? '', listQuery(request))));
}
