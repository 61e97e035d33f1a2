import type { AdminRpc, QueueMessageBase, RpcBinding } from '@mailgrid/contracts';

export interface Env {
  ENVIRONMENT: string;
  /** JSON `{ "<key id>": "<secret>" }`: every key that may verify a token (a secret outside dev). */
  TRACKING_SIGNING_KEYS: string;
  /** The key id send signs with; tracking only needs it to be one of the keys. */
  TRACKING_SIGNING_KEY_ID: string;
  /** Opens, clicks and unsubscribes go here; tracking never writes D1 on the request path. */
  EVENTS_QUEUE: Queue<QueueMessageBase>;
  ADMIN: RpcBinding<AdminRpc>;
}
