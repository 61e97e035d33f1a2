// Local sign-in with a JWT: the HS256 secret the stack gives the gateway (AUTH_JWT_SECRET, with the
// audience it checks) and tokens signed with it, shaped as Supabase Auth's access tokens. `npm start`
// and the mesh tests configure the gateway through `jwtSignIn`; `token.ts` prints a token.
import { createHash, createHmac, randomBytes } from 'node:crypto';

/** The audience the gateway checks (AUTH_JWT_AUDIENCE): the one Supabase's access tokens carry. */
export const LOCAL_JWT_AUDIENCE = 'authenticated';

/** A new HS256 secret: 32 random bytes, base64url (the gateway uses the string's UTF-8 bytes). */
export function newJwtSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * What the stack gives the gateway so that tokens signed with `secret` sign in, and so that the
 * dashboard can keep a session (SESSION_SECRET, derived from the same secret: nothing more to keep).
 */
export function jwtSignIn(secret: string): {
  secrets: { AUTH_JWT_SECRET: string; SESSION_SECRET: string };
  vars: { AUTH_JWT_AUDIENCE: string };
} {
  const sessionSecret = createHmac('sha256', secret).update('mailgrid-dashboard-session').digest('base64url');
  return {
    secrets: { AUTH_JWT_SECRET: secret, SESSION_SECRET: sessionSecret },
    vars: { AUTH_JWT_AUDIENCE: LOCAL_JWT_AUDIENCE },
  };
}

/**
 * The identity subject (`sub`) of an email address locally: a UUID (as Supabase's user ids) derived
 * from the address, so the same address always signs in as the same identity, i.e. the same user.
 */
export function localSubject(email: string): string {
  const hex = createHash('sha256').update(`mailgrid-local:${email.trim().toLowerCase()}`).digest('hex');
  const variant = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface LocalTokenClaims {
  subject: string;
  email?: string;
  /** Seconds from now; default one day. */
  expiresIn?: number;
  /** The `jti`: a token with one is single-use where the gateway spends it (the dashboard's link). */
  tokenId?: string;
}

/** An HS256 access token signed with `secret`, as Supabase Auth issues them (aud and role `authenticated`). */
export function signLocalToken(secret: string, claims: LocalTokenClaims): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: 'HS256', typ: 'JWT' });
  const payload = encode({
    sub: claims.subject,
    ...(claims.email ? { email: claims.email } : {}),
    aud: LOCAL_JWT_AUDIENCE,
    role: 'authenticated',
    iat: now,
    exp: now + (claims.expiresIn ?? 86_400),
    ...(claims.tokenId ? { jti: claims.tokenId } : {}),
  });
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}
