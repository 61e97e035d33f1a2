// Resend's Domains API: POST/GET /api/domains, GET/PATCH/DELETE /api/domains/:id and
// POST /api/domains/:id/verify, forwarded to `admin`. Update and verify answer with the whole
// domain (Resend's `{ object, id }` plus its status and records).
import {
  AppError,
  CreateDomainRequest,
  ListDomainsQuery,
  UpdateDomainRequest,
  unwrap,
} from '@mailgrid/contracts';
import { parseBody, readJson } from '../http/body';
import { json } from '../http/responses';
import type { RouteContext } from '../router';

export async function createDomain({ request, env, caller, maxBodyBytes }: RouteContext): Promise<Response> {
  const input = parseBody(CreateDomainRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.createDomain(caller, input)), 201);
}

export async function listDomains({ request, env, caller }: RouteContext): Promise<Response> {
  const query = parseBody(ListDomainsQuery, Object.fromEntries(new URL(request.url).searchParams));
  return json(unwrap(await env.ADMIN.listDomains(caller, query)));
}

export async function getDomain({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.getDomain(caller, domainId(params.id))));
}

export async function updateDomain({
  request,
  env,
  caller,
  params,
  maxBodyBytes,
}: RouteContext): Promise<Response> {
  const id = domainId(params.id);
  const input = parseBody(UpdateDomainRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.updateDomain(caller, id, input)));
}

/** No body: the SDK's verify sends none. */
export async function verifyDomain({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.verifyDomain(caller, domainId(params.id))));
}

export async function deleteDomain({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.deleteDomain(caller, domainId(params.id))));
}

/** Domain ids are UUIDs: anything else names no domain, so admin is not asked. */
function domainId(id: string | undefined): string {
  if (!id || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
    throw new AppError('not_found', `Domain ${id ?? ''} not found.`);
  }
  return id;
}
