// Who is calling: resolved by the gateway, passed to every RPC that reads or changes tenant data.
import type { ApiKeyPermission } from './api-keys';

/** A user's role in a tenant: owners and admins manage users; viewers change nothing. */
export type UserRole = 'owner' | 'admin' | 'developer' | 'viewer';

export interface Caller {
  tenant_id: string;
  /** The API key used, for the audit log. */
  key_id: string;
  key_prefix: string;
  permission: ApiKeyPermission;
  /** Set when the key may only send from one domain. */
  domain_id: string | null;
  request_id: string;
  /**
   * Set when a human signed in with a JWT instead of an API key: the user and their role. Such a
   * caller has no key (`key_id` and `key_prefix` are empty) and `permission` follows from the role.
   */
  user_id?: string | null;
  role?: UserRole | null;
}
