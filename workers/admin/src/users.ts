// A tenant's users: invite (emailed token), list, change role, remove, who am I, accept an invitation.
// Owners and admins manage users (full_access API keys count as admins); only an owner invites,
// promotes, demotes or removes an owner; the last owner cannot be demoted or removed.
import { sha256Hex } from '@mailgrid/api-keys';
import {
  AppError,
  type Caller,
  type DeletedUser,
  type Identity,
  type InvitationObject,
  type InviteUserRequest,
  MANAGER_ROLES,
  type UpdateUserRequest,
  type UserList,
  type UserObject,
  userCacheKey,
} from '@mailgrid/contracts';
import {
  bindInvitation,
  countOwners,
  createDb,
  type Db,
  deleteUserRow,
  findUser,
  findUserByEmail,
  getTenantRow,
  inviteUserRows,
  listUsers as listUserRows,
  setUserRole,
  type UserRow,
} from '@mailgrid/db';
import { findInvitationByTokenHash, isSubjectBound } from '@mailgrid/db/cross-tenant';
import type { Env } from './env';
import { newInvitationToken, sendInvitation } from './invitations';

export function toUserObject(row: UserRow): UserObject {
  return {
    object: 'user',
    id: row.id,
    email: row.email,
    role: row.role,
    status: row.auth_subject ? 'active' : 'invited',
    created_at: row.created_at,
    joined_at: row.joined_at,
  };
}

export async function listUsers(env: Env, caller: Caller): Promise<UserList> {
  const rows = await listUserRows(createDb(env.DB), caller.tenant_id);
  return { object: 'list', has_more: false, data: rows.map(toUserObject) };
}

export async function getCurrentUser(env: Env, caller: Caller): Promise<UserObject> {
  const row = caller.user_id ? await findUser(createDb(env.DB), caller.tenant_id, caller.user_id) : null;
  if (!row) {
    throw new AppError(
      'not_found',
      'No current user: this request was made with an API key. /users/me answers for a signed-in user.',
    );
  }
  return toUserObject(row);
}

export async function inviteUser(
  env: Env,
  caller: Caller,
  input: InviteUserRequest,
): Promise<InvitationObject> {
  assertManager(caller);
  if (input.role === 'owner') assertOwner(caller, 'invite an owner');
  const db = createDb(env.DB);
  const existing = await findUserByEmail(db, caller.tenant_id, input.email);
  if (existing?.auth_subject) {
    throw new AppError(
      'conflict',
      `${input.email} is already a member (user ${existing.id}); change their role instead.`,
    );
  }
  if (existing?.role === 'owner' && input.role !== 'owner') assertOwner(caller, 'change an owner');
  const tenant = await getTenantRow(db, caller.tenant_id);
  const token = await newInvitationToken();
  const invitationId = crypto.randomUUID();
  const user = {
    id: existing?.id ?? crypto.randomUUID(),
    email: input.email,
    role: input.role,
    exists: !!existing,
  };
  await inviteUserRows(db, env.DB, caller, {
    user,
    invitationId,
    tokenHash: token.hash,
    expiresAt: token.expiresAt,
  });
  return sendInvitation(env, caller.request_id, {
    invitationId,
    userId: user.id,
    email: input.email,
    role: input.role,
    tenantName: tenant?.name ?? 'your team',
    token,
  });
}

export async function updateUser(
  env: Env,
  caller: Caller,
  id: string,
  input: UpdateUserRequest,
): Promise<UserObject> {
  assertManager(caller);
  const db = createDb(env.DB);
  const user = await existingUser(db, caller, id);
  if (user.role === input.role) return toUserObject(user);
  if (user.role === 'owner' || input.role === 'owner') assertOwner(caller, 'promote or demote an owner');
  if (user.role === 'owner') await assertNotLastOwner(db, caller, 'demoted');
  await setUserRole(db, env.DB, caller, user, input.role);
  await forget(env, user);
  return toUserObject({ ...user, role: input.role });
}

export async function removeUser(env: Env, caller: Caller, id: string): Promise<DeletedUser> {
  assertManager(caller);
  const db = createDb(env.DB);
  const user = await existingUser(db, caller, id);
  if (user.role === 'owner') {
    assertOwner(caller, 'remove an owner');
    await assertNotLastOwner(db, caller, 'removed');
  }
  await deleteUserRow(db, env.DB, caller, user);
  await forget(env, user);
  return { object: 'user', id: user.id, deleted: true };
}

export async function acceptInvitation(env: Env, identity: Identity, token: string): Promise<UserObject> {
  const db = createDb(env.DB);
  const found = await findInvitationByTokenHash(db, await sha256Hex(token));
  if (!found) {
    throw new AppError(
      'not_found',
      'No such invitation: the token is wrong, or a newer invitation replaced it.',
    );
  }
  const { invitation, user } = found;
  if (invitation.accepted_at) throw new AppError('conflict', 'This invitation was already accepted.');
  if (invitation.expires_at <= new Date().toISOString()) {
    throw new AppError(
      'invalid_parameter',
      `This invitation expired at ${invitation.expires_at}; ask for a new one.`,
    );
  }
  const tenant = await getTenantRow(db, invitation.tenant_id);
  if (tenant?.status !== 'active') {
    throw new AppError('tenant_suspended', 'This account is suspended. Contact the platform operator.');
  }
  if (await isSubjectBound(db, identity.subject)) {
    throw new AppError(
      'conflict',
      'This sign-in already belongs to a Mailgrid user. One identity is one user of one account; sign in with another identity to accept.',
    );
  }
  if (
    !(await bindInvitation(
      db,
      env.DB,
      invitation.tenant_id,
      invitation,
      identity.subject,
      identity.request_id,
    ))
  ) {
    throw new AppError('conflict', 'This invitation was already accepted.');
  }
  // A sign-in tried before accepting is not cached (misses never are), but be sure.
  await env.API_KEYS.delete(userCacheKey(identity.subject));
  const joined = await findUser(db, invitation.tenant_id, user.id);
  return toUserObject(joined ?? user);
}

async function existingUser(db: Db, caller: Caller, id: string): Promise<UserRow> {
  const user = await findUser(db, caller.tenant_id, id);
  if (!user) throw new AppError('not_found', `User ${id} not found.`);
  return user;
}

function assertManager(caller: Caller) {
  if (caller.permission !== 'full_access') {
    throw new AppError(
      'restricted_api_key',
      'This API key can only send emails. Use a full_access key for this route.',
    );
  }
  if (caller.user_id && !(MANAGER_ROLES as readonly string[]).includes(caller.role ?? '')) {
    throw new AppError('insufficient_role', 'Only owners and admins manage users.');
  }
}

function assertOwner(caller: Caller, what: string) {
  if (caller.role !== 'owner') {
    throw new AppError(
      'insufficient_role',
      `Only an owner may ${what}${caller.user_id ? '' : ' (an API key acts as an admin)'}.`,
    );
  }
}

async function assertNotLastOwner(db: Db, caller: Caller, what: string) {
  if ((await countOwners(db, caller.tenant_id)) <= 1) {
    throw new AppError('conflict', `The last owner cannot be ${what}: make someone else an owner first.`);
  }
}

/** Drops the user's cached sign-in record: the change applies from their next request. */
async function forget(env: Env, user: UserRow) {
  if (user.auth_subject) await env.API_KEYS.delete(userCacheKey(user.auth_subject));
}
