// The gateway's route table. Each route names the permission it needs; the wrapper authenticates,
// takes a rate-limit token and checks the permission before the handler runs. A known path with
// another method is a 405 with `allow`; anything else is a 404.
import { type ApiKeyPermission, AppError, type Caller } from '@mailgrid/contracts';
import { type IRequest, IttyRouter } from 'itty-router';
import { authenticate, requirePermission } from './auth';
import type { Env } from './env';
import { takeApiToken } from './rate-limit';
import { createApiKey, deleteApiKey, listApiKeys } from './routes/api-keys';
import { cancelEmail, getEmail, listEmails, sendBatch, sendEmail, updateEmail } from './routes/emails';
import { listEmailEvents } from './routes/events';
import { health } from './routes/health';
import { getReputation, resumeSending } from './routes/reputation';
import { sesWebhook } from './routes/ses-webhook';
import { getStats } from './routes/stats';
import { createSuppression, deleteSuppression, listSuppressions } from './routes/suppressions';
import {
  createTemplate,
  deleteTemplate,
  duplicateTemplate,
  getTemplate,
  listTemplates,
  publishTemplate,
  updateTemplate,
} from './routes/templates';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhookDeliveries,
  listWebhooks,
  replayWebhookDelivery,
  updateWebhook,
} from './routes/webhooks';

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

/** What a public route's handler gets: no caller, since no API key was asked for. */
export type PublicRouteContext = Omit<RouteContext, 'caller'>;

const METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'] as const;
type Method = (typeof METHODS)[number];

type Route = KeyedRoute | PublicRoute;

interface KeyedRoute {
  method: Method;
  path: string;
  /** `sending_access`: any valid key; `full_access`: management routes. */
  permission: ApiKeyPermission;
  handler: (context: RouteContext) => Promise<Response>;
}

/**
 * No API key and no tenant rate limit: for callers that cannot send a key (SNS). The handler must
 * authenticate the request itself (e.g. a signature) before it acts on it.
 */
interface PublicRoute {
  method: Method;
  path: string;
  permission: 'public';
  handler: (context: PublicRouteContext) => Promise<Response>;
}

const routes: Route[] = [
  { method: 'GET', path: '/health', permission: 'sending_access', handler: ({ env }) => health(env) },
  { method: 'GET', path: '/api/api-keys', permission: 'full_access', handler: listApiKeys },
  { method: 'POST', path: '/api/api-keys', permission: 'full_access', handler: createApiKey },
  { method: 'DELETE', path: '/api/api-keys/:id', permission: 'full_access', handler: deleteApiKey },
  { method: 'POST', path: '/api/emails', permission: 'sending_access', handler: sendEmail },
  { method: 'GET', path: '/api/emails', permission: 'full_access', handler: listEmails },
  { method: 'POST', path: '/api/emails/batch', permission: 'sending_access', handler: sendBatch },
  { method: 'GET', path: '/api/emails/:id', permission: 'full_access', handler: getEmail },
  { method: 'PATCH', path: '/api/emails/:id', permission: 'full_access', handler: updateEmail },
  { method: 'POST', path: '/api/emails/:id/cancel', permission: 'full_access', handler: cancelEmail },
  { method: 'GET', path: '/api/emails/:id/events', permission: 'full_access', handler: listEmailEvents },
  // Mailgrid extras: reputation guardrail and delivery stats.
  { method: 'GET', path: '/api/reputation', permission: 'full_access', handler: getReputation },
  { method: 'POST', path: '/api/reputation/resume', permission: 'full_access', handler: resumeSending },
  { method: 'GET', path: '/api/stats', permission: 'full_access', handler: getStats },
  { method: 'GET', path: '/api/suppressions', permission: 'full_access', handler: listSuppressions },
  { method: 'POST', path: '/api/suppressions', permission: 'full_access', handler: createSuppression },
  {
    method: 'DELETE',
    path: '/api/suppressions/:email',
    permission: 'full_access',
    handler: deleteSuppression,
  },
  { method: 'POST', path: '/api/templates', permission: 'full_access', handler: createTemplate },
  { method: 'GET', path: '/api/templates', permission: 'full_access', handler: listTemplates },
  { method: 'GET', path: '/api/templates/:id', permission: 'full_access', handler: getTemplate },
  { method: 'PATCH', path: '/api/templates/:id', permission: 'full_access', handler: updateTemplate },
  { method: 'DELETE', path: '/api/templates/:id', permission: 'full_access', handler: deleteTemplate },
  { method: 'POST', path: '/api/templates/:id/publish', permission: 'full_access', handler: publishTemplate },
  {
    method: 'POST',
    path: '/api/templates/:id/duplicate',
    permission: 'full_access',
    handler: duplicateTemplate,
  },
  { method: 'POST', path: '/api/webhooks/ses', permission: 'public', handler: sesWebhook },
  { method: 'POST', path: '/api/webhooks', permission: 'full_access', handler: createWebhook },
  { method: 'GET', path: '/api/webhooks', permission: 'full_access', handler: listWebhooks },
  { method: 'GET', path: '/api/webhooks/:id', permission: 'full_access', handler: getWebhook },
  { method: 'PATCH', path: '/api/webhooks/:id', permission: 'full_access', handler: updateWebhook },
  { method: 'DELETE', path: '/api/webhooks/:id', permission: 'full_access', handler: deleteWebhook },
  {
    method: 'GET',
    path: '/api/webhooks/:id/deliveries',
    permission: 'full_access',
    handler: listWebhookDeliveries,
  },
  {
    method: 'POST',
    path: '/api/webhooks/:id/deliveries/:delivery_id/replay',
    permission: 'full_access',
    handler: replayWebhookDelivery,
  },
];

type Args = [Env, ExecutionContext, RequestState];

export function buildRouter() {
  const router = IttyRouter<IRequest, Args, Response>();
  // A public route's path is reserved: another method on it is a 405 here, before a keyed route's
  // `:id` could take it (GET /api/webhooks/ses is not a webhook named `ses`, nor a 401 for no key).
  for (const route of routes.filter((candidate) => candidate.permission === 'public')) {
    const allow = routes.filter((other) => other.path === route.path).map((other) => other.method);
    for (const method of METHODS.filter((candidate) => !allow.includes(candidate))) {
      router[method.toLowerCase() as Lowercase<Method>](route.path, (request) => {
        throw new AppError(
          'method_not_allowed',
          `${request.method} is not allowed on ${route.path}. Allowed: ${allow.join(', ')}.`,
          { allow: allow.join(', ') },
        );
      });
    }
  }
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
  const context: PublicRouteContext = {
    request,
    env,
    exec,
    params: request.params,
    maxBodyBytes: Number(env.MAX_BODY_BYTES),
  };
  if (route.permission === 'public') return route.handler(context);
  const { caller, record } = await authenticate(request, env, exec, state.requestId);
  Object.assign(state.headers, await takeApiToken(env, record));
  requirePermission(caller, route.permission);
  return route.handler({ ...context, caller });
}
