// A tenant's users: humans who sign in through an identity provider (a JWT, Supabase Auth compatible)
// with a role. Invitations are emailed with a one-time token; accepting binds the JWT's subject.
import * as v from 'valibot';
import type { RateLimitRule, TenantStatus } from './api-keys';
import type { Caller, UserRole } from './caller';
import type { RpcResult } from './rpc-result';
import { DeletedRef } from './shapes';
import { NoControlChars } from './text';

export const USER_ROLES = ['owner', 'admin', 'developer', 'viewer'] as const satisfies readonly UserRole[];
/** Roles that manage users and API keys. */
export const MANAGER_ROLES = ['owner', 'admin'] as const satisfies readonly UserRole[];

/** How long an invitation's token can be accepted. */
export const INVITATION_TTL_DAYS = 7;

const Role = v.picklist(USER_ROLES, 'role must be one of owner, admin, developer, viewer');

export const InviteUserRequest = v.strictObject({
  email: v.pipe(v.string(), v.trim(), v.toLowerCase(), v.email('email must be an email address')),
  role: Role,
});
export type InviteUserRequest = v.InferOutput<typeof InviteUserRequest>;

export const UpdateUserRequest = v.strictObject({ role: Role });
export type UpdateUserRequest = v.InferOutput<typeof UpdateUserRequest>;

export const AcceptInvitationRequest = v.strictObject({
  token: v.pipe(
    v.string(),
    NoControlChars,
    v.trim(),
    v.minLength(1, 'token must not be empty'),
    v.maxLength(200),
  ),
});
export type AcceptInvitationRequest = v.InferOutput<typeof AcceptInvitationRequest>;

/** `invited` until the invitation is accepted, then `active`. */
export const USER_STATUSES = ['invited', 'active'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const UserObject = v.pipe(
  v.object({
    object: v.literal('user'),
    id: v.string(),
    email: v.string(),
    role: v.picklist(USER_ROLES),
    status: v.picklist(USER_STATUSES),
    created_at: v.string(),
    joined_at: v.nullable(v.string()),
  }),
  v.title('UserObject'),
  v.description('A human member of the tenant, with their role.'),
);
export type UserObject = v.InferOutput<typeof UserObject>;

export const UserList = v.pipe(
  v.object({ object: v.literal('list'), has_more: v.boolean(), data: v.array(UserObject) }),
  v.title('UserList'),
  v.description('Every user of the tenant.'),
);
export type UserList = v.InferOutput<typeof UserList>;

export const InvitationObject = v.pipe(
  v.object({
    object: v.literal('invitation'),
    id: v.string(),
    user_id: v.string(),
    email: v.string(),
    role: v.picklist(USER_ROLES),
    expires_at: v.string(),
    /** The invitation email Mailgrid sent (a normal email of the platform tenant); null if sending failed. */
    email_id: v.nullable(v.string()),
  }),
  v.title('InvitationObject'),
  v.description('An emailed invitation to join the tenant with a role.'),
);
export type InvitationObject = v.InferOutput<typeof InvitationObject>;

export const DeletedUser = DeletedRef('user');
export type DeletedUser = v.InferOutput<typeof DeletedUser>;

/** A verified identity that is not (yet) bound to a user: who may accept an invitation. */
export interface Identity {
  subject: string;
  request_id: string;
}

/** What the gateway caches per identity subject to authenticate a signed-in user. */
export interface UserRecord {
  id: string;
  tenant_id: string;
  role: UserRole;
  tenant_status: TenantStatus;
  rate_limit: RateLimitRule;
}

/** The KV key under which the gateway caches a user by identity subject; admin deletes it on change. */
export function userCacheKey(subject: string): string {
  return `user:${subject}`;
}

export interface UsersAdminRpc {
  listUsers(caller: Caller): Promise<RpcResult<UserList>>;
  /** Owners and admins; only an owner may invite an owner. Re-inviting a pending user sends a new token. */
  inviteUser(caller: Caller, input: InviteUserRequest): Promise<RpcResult<InvitationObject>>;
  updateUser(caller: Caller, id: string, input: UpdateUserRequest): Promise<RpcResult<UserObject>>;
  /** The user is refused from their next request on (their cached record is dropped). */
  removeUser(caller: Caller, id: string): Promise<RpcResult<DeletedUser>>;
  getCurrentUser(caller: Caller): Promise<RpcResult<UserObject>>;
  acceptInvitation(identity: Identity, token: string): Promise<RpcResult<UserObject>>;
}
