// Human sign-in: a JWT from an identity provider (Supabase Auth compatible), verified with jose
// against a shared HS256 secret (AUTH_JWT_SECRET) or the provider's JWKS (AUTH_JWKS_URL), with the
// issuer and audience checked when configured. Every failure is a 401 that says what was wrong.
import { AppError } from '@mailgrid/contracts';
import { createRemoteJWKSet, decodeProtectedHeader, errors, type JWTVerifyOptions, jwtVerify } from 'jose';
import { config, type Env } from './env';

/** Three base64url segments: what a JWT looks like, as opposed to an API key of another format. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function looksLikeJwt(token: string): boolean {
  return JWT_SHAPE.test(token);
}

export function jwtConfigured(env: Env): boolean {
  const { AUTH_JWT_SECRET, AUTH_JWKS_URL } = config(env);
  return Boolean(AUTH_JWT_SECRET || AUTH_JWKS_URL);
}

export interface VerifiedIdentity {
  subject: string;
  /** The token's `jti`, `iat` and `exp` when it has them (a one-time sign-in link's token has all three). */
  tokenId?: string;
  issuedAt?: number;
  expiresAt?: number;
}

/** One key set per URL for the isolate's life: jose caches the keys and refetches on an unknown `kid`. */
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySet(url: string) {
  let set = keySets.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000 });
    keySets.set(url, set);
  }
  return set;
}

export async function verifyAccessToken(env: Env, token: string): Promise<VerifiedIdentity> {
  if (!jwtConfigured(env)) {
    throw new AppError(
      'invalid_access_token',
      'Signing in with a JWT is not configured on this Mailgrid. Use an API key ("Authorization: Bearer mg_...").',
    );
  }
  const { AUTH_JWT_SECRET, AUTH_JWKS_URL, AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE } = config(env);
  const options: JWTVerifyOptions = {
    ...(AUTH_JWT_ISSUER ? { issuer: AUTH_JWT_ISSUER } : {}),
    ...(AUTH_JWT_AUDIENCE ? { audience: AUTH_JWT_AUDIENCE } : {}),
    clockTolerance: 5,
  };
  try {
    const { payload } = usesSharedSecret(env, token)
      ? await jwtVerify(token, new TextEncoder().encode(AUTH_JWT_SECRET), {
          ...options,
          algorithms: ['HS256'],
        })
      : await jwtVerify(token, keySet(AUTH_JWKS_URL as string), {
          ...options,
          algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'],
        });
    if (!payload.sub) throw new AppError('invalid_access_token', 'The access token has no subject (sub).');
    return {
      subject: payload.sub,
      ...(payload.jti ? { tokenId: payload.jti } : {}),
      ...(payload.iat !== undefined ? { issuedAt: payload.iat } : {}),
      ...(payload.exp !== undefined ? { expiresAt: payload.exp } : {}),
    };
  } catch (err) {
    throw explain(err);
  }
}

/** HS256 tokens go to the shared secret; anything else to the JWKS (when both are configured). */
function usesSharedSecret(env: Env, token: string): boolean {
  const { AUTH_JWT_SECRET, AUTH_JWKS_URL } = config(env);
  if (!AUTH_JWKS_URL) return true;
  if (!AUTH_JWT_SECRET) return false;
  try {
    return decodeProtectedHeader(token).alg === 'HS256';
  } catch {
    return false;
  }
}

function explain(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof errors.JWTExpired) {
    return new AppError('invalid_access_token', 'The access token has expired. Sign in again for a new one.');
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    return new AppError(
      'invalid_access_token',
      `The access token's "${err.claim}" claim is not accepted: ${err.reason}.`,
    );
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return new AppError('invalid_access_token', "The access token's signature does not verify.");
  }
  if (err instanceof errors.JOSEAlgNotAllowed) {
    return new AppError('invalid_access_token', "The access token's signing algorithm is not accepted.");
  }
  if (err instanceof errors.JWKSNoMatchingKey) {
    return new AppError(
      'invalid_access_token',
      "The access token's signing key is not in the provider's key set.",
    );
  }
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) {
    console.error(JSON.stringify({ event: 'jwt.jwks_unavailable', error: err.message }));
    return new AppError(
      'service_unavailable',
      'The sign-in could not be checked right now; retry in a moment.',
    );
  }
  if (err instanceof errors.JOSEError) {
    return new AppError('invalid_access_token', 'The access token is malformed or cannot be verified.');
  }
  // The key set could not be fetched, say: our fault or the provider's, not the caller's.
  console.error(
    JSON.stringify({ event: 'jwt.verify_failed', error: err instanceof Error ? err.message : String(err) }),
  );
  return new AppError(
    'service_unavailable',
    'The sign-in could not be checked right now; retry in a moment.',
  );
}
