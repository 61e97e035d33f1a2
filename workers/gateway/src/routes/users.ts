// A tenant's users (Mailgrid's own routes): GET /api/users, GET /api/users/me,
// POST /api/users/invitations, PATCH/DELETE /api/users/:id, and POST /api/invitations/accept (a
// signed-in identity that is not a member yet).
import {
  AcceptInvitationRequest,
  AppError,
  InviteUserRequest,
  UpdateUserRequest,
  unwrap,
} from '@mailgrid/contracts';
import { parseBody, readJson } from '../http/body';
import { json } from '../http/responses';
import type { IdentityRouteContext, RouteContext } from '../router';

export async function listUsers({ env, caller }: RouteContext) {
  return json(unwrap(await env.ADMIN.listUsers(caller)));
}

export async function getCurrentUser({ env, caller }: RouteContext) {
  return json(unwrap(await env.ADMIN.getCurrentUser(caller)));
}

export async function inviteUser({ request, env, caller, maxBodyBytes }: RouteContext) {
  const input = parseBody(InviteUserRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.inviteUser(caller, input)), 201);
}

export async function updateUser({ request, env, caller, params, maxBodyBytes }: RouteContext) {
  const id = userId(params.id);
  const input = parseBody(UpdateUserRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.updateUser(caller, id, input)));
}

export async function removeUser({ env, caller, params }: RouteContext) {
  return json(unwrap(await env.ADMIN.removeUser(caller, userId(params.id))));
}

export async function acceptInvitation({ request, env, identity, maxBodyBytes }: IdentityRouteContext) {
  const { token } = parseBody(AcceptInvitationRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.acceptInvitation(identity, token)));
}

function userId(id: string | undefined): string {
  if (!id || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
    throw new AppError('not_found', `User ${id ?? ''} not found.`);
  }
  return id;
}
