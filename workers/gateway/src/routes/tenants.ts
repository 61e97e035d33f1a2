// The platform operator's routes (Mailgrid's own): /api/operator/tenants, with the operator secret.
import { CreateTenantRequest, ListTenantsQuery, UpdateTenantRequest, unwrap } from '@mailgrid/contracts';
import { parseBody, readJson } from '../http/body';
import { json } from '../http/responses';
import type { OperatorRouteContext } from '../router';

export async function createTenant({ request, env, operator, maxBodyBytes }: OperatorRouteContext) {
  const input = parseBody(CreateTenantRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.createTenant(operator, input)), 201);
}

export async function listTenants({ request, env, operator }: OperatorRouteContext) {
  const query = parseBody(ListTenantsQuery, Object.fromEntries(new URL(request.url).searchParams));
  return json(unwrap(await env.ADMIN.listTenants(operator, query)));
}

export async function getTenant({ env, operator, params }: OperatorRouteContext) {
  return json(unwrap(await env.ADMIN.getTenant(operator, params.id ?? '')));
}

export async function updateTenant({ request, env, operator, params, maxBodyBytes }: OperatorRouteContext) {
  const input = parseBody(UpdateTenantRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.updateTenant(operator, params.id ?? '', input)));
}

export async function suspendTenant({ env, operator, params }: OperatorRouteContext) {
  return json(unwrap(await env.ADMIN.suspendTenant(operator, params.id ?? '')));
}

export async function resumeTenant({ env, operator, params }: OperatorRouteContext) {
  return json(unwrap(await env.ADMIN.resumeTenant(operator, params.id ?? '')));
}
