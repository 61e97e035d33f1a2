// The gateway's route table. Each route names the permission it needs; the wrapper authenticates,
// takes a rate-limit token and checks the permission before the handler runs. A known path with
// another method is a 405 with `allow`; anything else is a 404.
import { type ApiKeyPermission, AppError, type Caller } from '@mailgrid/contracts';
import { type IRequest, IttyRouter } from 'itty-router';
import { authenticate, requirePermission } from './auth';
import type { Env } from './env';
import { takeApiToken } from './rate-limit';
import { createApiKey, deleteApiKey, listApiKeys } from './routes/api-keys';
import { health } from './routes/health';

export interface RequestState {
  requestId: string;
  /** Headers every response to this request carries (the rate-limit headers once known). */
  headers: Record<string, string>;
}

export interface RouteContext {
  request: Request;
  env: Env;
  exec: ExecutionContext;
  caller: Caller;
  params: Record<string, string | undefined>;
  maxBodyBytes: number;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

interface Route {
  method: Method;
  path: string;
  /** `sending_access`: any valid key; `full_access`: management routes. */
  permission: ApiKeyPermission;
  handler: (context: RouteContext) => Promise<Response>;
}

const routes: Route[] = [
  { method: 'GET', path: '/health', permission: 'sending_access', handler: ({ env }) => health(env) },
  { method: 'GET', path: '/api/api-keys', permission: 'full_access', handler: listApiKeys },
  { method: 'POST', path: '/api/api-keys', permission: 'full_access', handler: createApiKey },
  { method: 'DELETE', path: '/api/api-keys/:id', permission: 'full_access', handler: deleteApiKey },
];

type Args = [Env, ExecutionContext, RequestState];

export function buildRouter() {
  const router = IttyRouter<IRequest, Args, Response>();
  for (const route of routes) {
    router[route.method.toLowerCase() as Lowercase<Method>](route.path, (request, env, exec, state) =>
      runRoute(route, request, env, exec, state),
    );
  }
  const methodsByPath = Map.groupBy(routes, (route) => route.path);
  for (const [path, sameRoutes] of methodsByPath) {
    const allow = sameRoutes.map((route) => route.method).join(', ');
    router.all(path, (request) => {
      throw new AppError(
        'method_not_allowed',
        `${request.method} is not allowed on ${path}. Allowed: ${allow}.`,
        { allow },
      );
    });
  }
  router.all('*', (request) => {
    throw new AppError('not_found', `No route for ${request.method} ${new URL(request.url).pathname}.`);
  });
  return router;
}

async function runRoute(
  route: Route,
  request: IRequest,
  env: Env,
  exec: ExecutionContext,
  state: RequestState,
) {
  const { caller, record } = await authenticate(request, env, exec, state.requestId);
  Object.assign(state.headers, await takeApiToken(env, record));
  requirePermission(caller, route.permission);
  return route.handler({
    request,
    env,
    exec,
    caller,
    params: request.params,
    maxBodyBytes: Number(env.MAX_BODY_BYTES),
  });
}
