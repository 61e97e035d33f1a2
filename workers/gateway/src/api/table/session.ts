// The dashboard's sign-in and sign-out (session.ts): an identity provider's access token, or the
// one-time link `npm start` prints, exchanged once for an HttpOnly session cookie.
import { AppError, USER_ROLES } from '@mailgrid/contracts';
import * as v from 'valibot';
import { authenticateIdentity, authenticateSubject } from '../../auth';
import { json } from '../../http/responses';
import { clearedCookie, LINK_MAX_SECONDS, sessionCookie, spendLink } from '../../session';
import { route } from '../route';

const SessionObject = v.pipe(
  v.object({
    object: v.literal('session'),
    user_id: v.string(),
    role: v.picklist(USER_ROLES),
  }),
  v.title('SessionObject'),
  v.description('The signed-in user; the session itself is the HttpOnly cookie set with this answer.'),
);

export const sessionRoutes = [
  route({
    operationId: 'session/create',
    method: 'POST',
    path: '/api/session',
    summary: 'Sign in to the dashboard: exchange an access token for the session cookie',
    description:
      "`Authorization: Bearer <JWT>` from the identity provider (or a one-time sign-in link's token, which has a `jti` and lives at most 15 minutes: it works once). Answers with an HttpOnly, SameSite=Strict `mailgrid_session` cookie holding a one-hour session token, renewed as it is used for up to 12 hours.",
    permission: 'public',
    response: SessionObject,
    handle: async ({ request, env, exec, requestId }) => {
      const identity = await authenticateIdentity(request, env);
      if (identity.tokenId) {
        const life = (identity.expiresAt ?? Number.POSITIVE_INFINITY) - (identity.issuedAt ?? 0);
        if (life > LINK_MAX_SECONDS) {
          throw new AppError(
            'invalid_access_token',
            `A sign-in link's token must expire within ${LINK_MAX_SECONDS / 60} minutes of being issued.`,
          );
        }
        await spendLink(env, identity.tokenId);
      }
      const { caller } = await authenticateSubject(env, exec, identity.subject, requestId);
      return json({ object: 'session', user_id: caller.user_id ?? '', role: caller.role ?? 'viewer' }, 200, {
        'set-cookie': await sessionCookie(env, request, identity.subject),
        'cache-control': 'no-store',
      });
    },
  }),
  route({
    operationId: 'session/delete',
    method: 'DELETE',
    path: '/api/session',
    summary: 'Sign out of the dashboard: clears the session cookie',
    permission: 'public',
    response: v.pipe(
      v.object({ object: v.literal('session'), signed_out: v.literal(true) }),
      v.title('SignedOut'),
      v.description('The session cookie is cleared (with or without one to clear).'),
    ),
    handle: async ({ request }) =>
      json({ object: 'session', signed_out: true }, 200, { 'set-cookie': clearedCookie(request) }),
  }),
];
