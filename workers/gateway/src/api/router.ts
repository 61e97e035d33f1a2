// The route table as an itty router. A fixed path is reserved: its own routes are matched before any
// `:id` route, and another method on it is a 405 here, before a `:id` route of that method could take
// it (GET /api/emails/metrics is not an email named `metrics`, DELETE /api/contacts/imports is not a
// contact named `imports`, GET /api/webhooks/ses is not a webhook named `ses`). A known path with another
// method is a 405 with `allow`; anything else is a 404, which names the route meant when the path
// only lacks its `/api` prefix (GET /emails → "did you mean /api/emails?").
import { AppError } from '@mailgrid/contracts';
import { type IRequest, IttyRouter } from 'itty-router';
import type { Env } from '../env';
import { METHODS, type Method, type Route } from './route';
import { type RequestState, runRoute } from './run';

type Args = [Env, ExecutionContext, RequestState];

export function buildRouter(routes: readonly Route[]) {
  const router = IttyRouter<IRequest, Args, Response>();
  const methodsByPath = Map.groupBy(routes, (route) => route.path);
  const on = (method: Method) => router[method.toLowerCase() as Lowercase<Method>];
  for (const [path, sameRoutes] of methodsByPath) {
    if (path.includes(':')) continue;
    const allow = sameRoutes.map((route) => route.method).sort();
    for (const method of METHODS.filter((candidate) => !allow.includes(candidate))) {
      on(method)(path, (request) => methodNotAllowed(request, path, allow));
    }
  }
  // Fixed paths first, whatever the table's order: GET /api/emails/metrics is never an email `metrics`.
  const fixedFirst = [...routes].sort((a, b) => Number(a.path.includes(':')) - Number(b.path.includes(':')));
  for (const route of fixedFirst) {
    on(route.method)(route.path, (request, env, exec, state) =>
      runRoute(route, request, request.params, env, exec, state),
    );
  }
  for (const [path, sameRoutes] of methodsByPath) {
    const allow = sameRoutes.map((route) => route.method).sort();
    router.all(path, (request) => methodNotAllowed(request, path, allow));
  }
  const patterns = [...methodsByPath.keys()].map(
    (path) => new RegExp(`^${path.replace(/:[A-Za-z_]+/g, '[^/]+')}$`),
  );
  router.all('*', (request) => {
    const { pathname } = new URL(request.url);
    const withApi = `/api${pathname}`;
    const hint =
      !pathname.startsWith('/api/') && patterns.some((pattern) => pattern.test(withApi))
        ? ` Did you mean ${withApi}? Every API route is under /api.`
        : '';
    throw new AppError('not_found', `No route for ${request.method} ${pathname}.${hint}`);
  });
  return router;
}

function methodNotAllowed(request: Request, path: string, allow: Method[]): never {
  throw new AppError(
    'method_not_allowed',
    `${request.method} is not allowed on ${path}. Allowed: ${allow.join(', ')}.`,
    { allow: allow.join(', ') },
  );
}
