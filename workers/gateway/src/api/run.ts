// Runs one route: authenticates as its permission says (taking a rate-limit token and checking a
// signed-in user's role), parses its path parameters, query and body, then makes its RPC call and
// answers the value as JSON with the route's status. Errors become the envelope in index.ts. Every
// request a tenant's key or user made is logged after its answer (request-log.ts), errors included.
import { type Caller, MANAGER_ROLES, type PageQuery, pageInMemory, unwrap } from '@mailgrid/contracts';
import {
  authenticate,
  authenticateIdentity,
  authenticateOperator,
  requirePermission,
  requireRole,
} from '../auth';
import { config, type Env } from '../env';
import { parseBody, readJsonWithText } from '../http/body';
import { bindKey, readIdempotencyKey } from '../http/idempotency';
import { parseQuery } from '../http/query';
import { errorResponse, json } from '../http/responses';
import { takeApiToken } from '../rate-limit';
import { recordRequest } from '../request-log';
import { parseParam } from './params';
import type { Route } from './route';

export interface RequestState {
  requestId: string;
  /** Headers every response to this request carries (the rate-limit headers once known). */
  headers: Record<string, string>;
}

/** Changing users or API keys needs an owner or admin (as Resend's members); reading them does not. */
const MEMBER_MANAGEMENT = /^\/api\/(users|api-keys)(\/|$)/;

export async function runRoute(
  route: Route,
  request: Request,
  rawParams: Record<string, string | undefined>,
  env: Env,
  exec: ExecutionContext,
  state: RequestState,
): Promise<Response> {
  const principal = await authorize(route, request, env, exec, state);
  const caller = 'caller' in principal ? (principal.caller as Caller) : null;
  if (!caller || route.unlogged) return runAuthorized(route, request, rawParams, env, exec, state, principal);
  const seen: Seen = { body: undefined, value: undefined };
  let response: Response;
  try {
    response = await runAuthorized(route, request, rawParams, env, exec, state, principal, seen);
  } catch (err) {
    response = errorResponse(err, state.requestId);
    seen.value = await response
      .clone()
      .json()
      .catch(() => null);
  }
  recordRequest(env, exec, {
    request,
    caller,
    status: response.status,
    requestBody: seen.body,
    responseBody: seen.value,
  });
  return response;
}

/** What the log keeps of a request: its parsed JSON body and the value answered. */
interface Seen {
  body: unknown;
  value: unknown;
}

async function runAuthorized(
  route: Route,
  request: Request,
  rawParams: Record<string, string | undefined>,
  env: Env,
  exec: ExecutionContext,
  state: RequestState,
  principal: object,
  seen: Seen = { body: undefined, value: undefined },
): Promise<Response> {
  const params = Object.fromEntries(
    Object.entries(route.params ?? {}).map(([name, rule]) => [name, parseParam(name, rawParams[name], rule)]),
  );
  const query = route.query ? parseQuery(route.query, new URL(request.url)) : undefined;
  const maxBodyBytes = config(env).MAX_BODY_BYTES;
  // A route that reads its own body (batch) reads its own key too.
  const idempotencyKey = route.idempotent && route.body ? readIdempotencyKey(request) : null;
  let body: unknown;
  let idempotency = null;
  if (route.body && !(route.bodyOptional && !hasBody(request))) {
    const read = await readJsonWithText(request, maxBodyBytes);
    seen.body = read.json;
    body = parseBody(route.body, read.json);
    if (idempotencyKey) idempotency = await bindKey(idempotencyKey, read.text);
  } else if (route.body) {
    body = parseBody(route.body, {});
  }
  const context = {
    request,
    env,
    exec,
    requestId: state.requestId,
    maxBodyBytes,
    ...principal,
    params,
    query,
    body,
    idempotency,
  };
  // biome-ignore lint/suspicious/noExplicitAny: the route's own types checked its call where it was declared.
  const typed = context as any;
  if (route.handle) return route.handle(typed);
  if (!route.call) throw new Error(`Route ${route.operationId} has neither call nor handle.`);
  let value = unwrap(await route.call(typed));
  if (route.pagesWhole) {
    const list = value as { data: { id: string }[]; has_more?: boolean };
    const page = pageInMemory(list.data, query as PageQuery, route.pagesWhole);
    // The callee may have read only the newest rows (webhook deliveries: 50): a page that ends where
    // its read ended has more when the callee said so.
    const endsWhereReadEnded =
      (query as PageQuery).before === undefined && page.data.at(-1) === list.data.at(-1);
    value = {
      ...list,
      data: page.data,
      has_more: page.has_more || (list.has_more === true && endsWhereReadEnded),
    };
  }
  seen.value = value;
  return json(value, route.status ?? 200);
}

async function authorize(
  route: Route,
  request: Request,
  env: Env,
  exec: ExecutionContext,
  state: RequestState,
): Promise<object> {
  const permission = route.permission ?? 'full_access';
  if (permission === 'public') return {};
  if (permission === 'operator') {
    await authenticateOperator(request, env);
    return { operator: { request_id: state.requestId } };
  }
  if (permission === 'identity') {
    const { subject } = await authenticateIdentity(request, env);
    return { identity: { subject, request_id: state.requestId } };
  }
  const { caller, record, setCookie } = await authenticate(request, env, exec, state.requestId);
  if (setCookie) state.headers['set-cookie'] = setCookie;
  if (route.rateLimited !== false) Object.assign(state.headers, await takeApiToken(env, record));
  requirePermission(caller, permission);
  requireRole(
    caller,
    route.method,
    route.roles ?? (route.method !== 'GET' && MEMBER_MANAGEMENT.test(route.path) ? MANAGER_ROLES : undefined),
  );
  return { caller };
}

/**
 * An optional body is absent when nothing says one follows. A body sent without a Content-Type is
 * not ignored (it would silently stand for `{}`): it is read, and refused as not JSON.
 */
function hasBody(request: Request): boolean {
  const length = request.headers.get('content-length');
  if (length !== null) return Number(length) !== 0;
  return request.headers.has('content-type') || request.body !== null;
}
