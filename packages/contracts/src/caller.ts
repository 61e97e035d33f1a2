// Who is calling: resolved by the gateway, passed to every RPC that reads or changes tenant data.
import type { ApiKeyPermission } from './api-keys';

export interface Caller {
  tenant_id: string;
  /** The API key used, for the audit log. */
  key_id: string;
  key_prefix: string;
  permission: ApiKeyPermission;
  /** Set when the key may only send from one domain. */
  domain_id: string | null;
  request_id: string;
}
