import type { AdminRpc, QueueMessageBase, RpcBinding } from '@mailgrid/contracts';

export interface Env {
  ENVIRONMENT: string;
  /** Opens, clicks and unsubscribes go here; tracking never writes D1 on the request path. */
  EVENTS_QUEUE: Queue<QueueMessageBase>;
  ADMIN: RpcBinding<AdminRpc>;
}
