// The public paths of the tracking host: `/<prefix>/<token>`. Each route names the methods it
// answers; a known prefix with another method is a 405, anything else a 404 page.
import type { Env } from './env';
import { clickRedirect, openPixel } from './hits';
import { invalidLink, methodNotAllowed } from './pages';
import { unsubscribe } from './unsubscribe/route';

type Handler = (request: Request, env: Env, ctx: ExecutionContext, token: string) => Promise<Response>;

const ROUTES: { prefix: string; methods: string[]; handler: Handler }[] = [
  { prefix: '/o/', methods: ['GET', 'HEAD'], handler: openPixel },
  { prefix: '/c/', methods: ['GET', 'HEAD'], handler: clickRedirect },
  // GET shows the preference page and never changes anything; POST is one-click or the page's forms.
  { prefix: '/u/', methods: ['GET', 'HEAD', 'POST'], handler: unsubscribe },
];

export async function route(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const { pathname } = new URL(request.url);
  const found = ROUTES.find((candidate) => pathname.startsWith(candidate.prefix));
  const token = found ? pathname.slice(found.prefix.length) : '';
  // A token is one path segment; anything else is no link of ours.
  if (!found || token === '' || token.includes('/')) return invalidLink(request.method);
  if (!found.methods.includes(request.method)) return methodNotAllowed(found.methods.join(', '));
  try {
    return await found.handler(request, env, ctx, token);
  } catch (err) {
    // Only a fault of ours gets here (e.g. malformed signing keys): logged, and still no redirect.
    console.error(JSON.stringify({ worker: 'tracking', path: found.prefix, error: String(err) }));
    return new Response('Internal error', {
      status: 500,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    });
  }
}
