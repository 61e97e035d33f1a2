// The dashboard's session: an HttpOnly, SameSite=Strict cookie holding a short-lived token the
// gateway signs itself (HS256 with SESSION_SECRET), naming the signed-in identity (`sub`). It is got
// by exchanging an identity provider's access token once (POST /api/session) and then stands in for
// `Authorization` on API requests from the dashboard (auth.ts). Changes made with it must come from
// the dashboard's own origin (CSRF; SameSite=Strict already keeps other sites' requests from
// carrying it). The token lives an hour and is renewed as it is used, up to twelve hours after the
// sign-in; signing out clears the cookie.
import { AppError, type RateLimitRule } from '@mailgrid/contracts';
import { errors, jwtVerify, SignJWT } from 'jose';
import { config, type Env } from './env';

export const SESSION_COOKIE = 'mailgrid_session';
const AUDIENCE = 'mailgrid-dashboard';
/** A session token's life; renewed when less than half is left. */
const SESSION_SECONDS = 3600;
/** However it is renewed, a session ends this long after its sign-in. */
const MAX_SESSION_SECONDS = 12 * 3600;
/** A one-time link's token may live this long at most (a longer-lived token is a normal access token). */
export const LINK_MAX_SECONDS = 15 * 60;

export interface Session {
  subject: string;
  /** When this cookie should be replaced by a fresh one (a Set-Cookie header), or null. */
  renewed: string | null;
}

function secret(env: Env): Uint8Array {
  const { SESSION_SECRET } = config(env);
  if (!SESSION_SECRET) {
    throw new AppError(
      'invalid_access_token',
      'Dashboard sign-in is not configured on this Mailgrid (no SESSION_SECRET). Use an API key or a bearer JWT.',
    );
  }
  return new TextEncoder().encode(SESSION_SECRET);
}

/** A new session for `subject`: its Set-Cookie header. `signedInAt` carries the original sign-in over renewals. */
export async function sessionCookie(
  env: Env,
  request: Request,
  subject: string,
  signedInAt = Math.floor(Date.now() / 1000),
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const expires = Math.min(now + SESSION_SECONDS, signedInAt + MAX_SESSION_SECONDS);
  const token = await new SignJWT({ auth_time: signedInAt })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(expires)
    .sign(secret(env));
  return cookie(request, token, expires - now);
}

export function clearedCookie(request: Request): string {
  return cookie(request, '', 0);
}

/** Secure everywhere but plain-http localhost (`npm start`), where a browser would drop a Secure cookie. */
function cookie(request: Request, value: string, maxAge: number): string {
  const url = new URL(request.url);
  const local = url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    `Max-Age=${maxAge}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(local ? [] : ['Secure']),
  ].join('; ');
}

/** The session cookie's token, or null when the request has none. */
export function sessionToken(request: Request): string | null {
  const header = request.headers.get('cookie');
  if (!header) return null;
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE && value.length > 0) return value.join('=') || null;
  }
  return null;
}

/**
 * The identity of a request signed in by its session cookie: the token must verify, and a change
 * must come from this origin. A token past half its life is renewed (the caller sets `renewed`).
 */
export async function verifySession(env: Env, request: Request, token: string): Promise<Session> {
  assertSameOrigin(request);
  try {
    const { payload } = await jwtVerify(token, secret(env), { audience: AUDIENCE, algorithms: ['HS256'] });
    if (!payload.sub) throw new AppError('invalid_access_token', 'The session has no subject.');
    const now = Math.floor(Date.now() / 1000);
    const signedInAt = typeof payload.auth_time === 'number' ? payload.auth_time : now;
    const halfLeft = (payload.exp ?? now) - now < SESSION_SECONDS / 2;
    const canRenew = signedInAt + MAX_SESSION_SECONDS > now + SESSION_SECONDS / 2;
    return {
      subject: payload.sub,
      renewed: halfLeft && canRenew ? await sessionCookie(env, request, payload.sub, signedInAt) : null,
    };
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError(
      'invalid_access_token',
      err instanceof errors.JWTExpired
        ? 'Your dashboard session has ended. Sign in again.'
        : 'The dashboard session is not valid. Sign in again.',
    );
  }
}

/**
 * CSRF: a request that changes something with the cookie must say it comes from this origin
 * (`Origin`, which browsers send on every such fetch; else `Sec-Fetch-Site: same-origin`).
 */
function assertSameOrigin(request: Request): void {
  if (request.method === 'GET' || request.method === 'HEAD') return;
  const origin = request.headers.get('origin');
  const sameOrigin =
    origin !== null
      ? origin === new URL(request.url).origin
      : request.headers.get('sec-fetch-site') === 'same-origin';
  if (!sameOrigin) {
    throw new AppError(
      'cross_site_request',
      'A change made with the dashboard session must come from the dashboard itself (its Origin did not match).',
    );
  }
}

/**
 * A one-time link's token is spent: the first call for its `jti` wins, every later one is refused.
 * A RateLimiter bucket of one token that refills once a day is exactly that, and is strongly
 * consistent (one Durable Object per link), unlike KV.
 */
const ONE_USE: RateLimitRule = { per_second: 1 / 86_400, burst: 1 };

export async function spendLink(env: Env, tokenId: string): Promise<void> {
  const bucket = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`sign-in-link:${tokenId}`));
  const decision = await bucket.take(ONE_USE, 1);
  if (!decision.allowed) {
    throw new AppError('invalid_access_token', 'This sign-in link has been used already. Ask for a new one.');
  }
}
