// Resend's Contact Properties API: POST/GET /api/contact-properties and GET/PATCH/DELETE
// /api/contact-properties/:id, forwarded to `admin`.
import { CreateContactPropertyRequest, UpdateContactPropertyRequest, unwrap } from '@mailgrid/contracts';
import { parseBody, readJson } from '../http/body';
import { json } from '../http/responses';
import type { RouteContext } from '../router';
import { listQuery } from './contacts';

export async function createContactProperty({
  request,
  env,
  caller,
  maxBodyBytes,
}: RouteContext): Promise<Response> {
  const input = parseBody(CreateContactPropertyRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.createContactProperty(caller, input)), 201);
}

export async function listContactProperties({ request, env, caller }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.listContactProperties(caller, listQuery(request))));
}

export async function getContactProperty({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.getContactProperty(caller, params.id ?? '')));
}

export async function updateContactProperty({
  request,
  env,
  caller,
  params,
  maxBodyBytes,
}: RouteContext): Promise<Response> {
  const input = parseBody(UpdateContactPropertyRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.updateContactProperty(caller, params.id ?? '', input)));
}

export async function deleteContactProperty({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.deleteContactProperty(caller, params.id ?? '')));
}
