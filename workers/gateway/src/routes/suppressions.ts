// Resend's Suppressions API: GET/POST /api/suppressions, DELETE /api/suppressions/:email, forwarded to `admin`.
import { CreateSuppressionRequest, ListSuppressionsQuery, unwrap } from '@mailgrid/contracts';
import { parseBody, readJson } from '../http/body';
import { decodedParam } from '../http/params';
import { json } from '../http/responses';
import type { RouteContext } from '../router';

export async function listSuppressions({ request, env, caller }: RouteContext): Promise<Response> {
  const query = parseBody(ListSuppressionsQuery, Object.fromEntries(new URL(request.url).searchParams));
  return json(unwrap(await env.ADMIN.listSuppressions(caller, query)));
}

export async function createSuppression({
  request,
  env,
  caller,
  maxBodyBytes,
}: RouteContext): Promise<Response> {
  const input = parseBody(CreateSuppressionRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.addSuppression(caller, input)), 201);
}

export async function deleteSuppression({ env, caller, params }: RouteContext): Promise<Response> {
  // The address arrives percent-encoded in the path (`+` and `@` may be escaped).
  const email = decodedParam(params.email, 'The path must end with an email address, percent-encoded.');
  return json(unwrap(await env.ADMIN.removeSuppression(caller, email)));
}
