// A contact's preferences as the tracking worker's unsubscribe and preference pages read and change
// them. There is no API key on those pages: the tenant comes from a signed token, and changes are
// audited as the system (`unsubscribe`).
import type { RpcResult } from './rpc-result';

export interface ContactPreferences {
  /** Who sends the emails: the tenant's name, shown on the page. */
  sender: string;
  email: string;
  unsubscribed: boolean;
  /**
   * The topics the contact may see (public ones; private ones only while opted in), each with this
   * contact's subscription (explicit, else the topic's default).
   */
  topics: { id: string; name: string; description: string | null; subscribed: boolean }[];
}

export interface PreferencesChange {
  unsubscribed?: boolean;
  topics?: { id: string; subscribed: boolean }[];
}

export interface PreferencesAdminRpc {
  getPreferences(tenantId: string, email: string): Promise<RpcResult<ContactPreferences>>;
  /** Creates the contact if missing; audit actor is 'system' / 'unsubscribe'. */
  updatePreferences(
    tenantId: string,
    email: string,
    change: PreferencesChange,
    emailId: string | null,
  ): Promise<RpcResult<ContactPreferences>>;
}
