// The send worker's side of broadcasts: starting, pausing, resuming and canceling the fan-out (the
// transitions that touch recipient rows), a test send, and the queue message of a dispatch chain.
// The broadcast object itself (create, edit, read, recipients, links) is admin's: see broadcasts.ts.
import type { Caller } from './caller';
import type { RpcResult } from './rpc-result';

export interface BroadcastRef {
  object: 'broadcast';
  id: string;
}

export interface BroadcastSendingRpc {
  /**
   * draft (or scheduled: moved) → `queued` now, or `scheduled` for `scheduledAt` (ISO 8601 or natural
   * language such as "in 1 hour"). Refused unless the broadcast can be delivered: its from address on
   * a verified domain, its segment there, html or text given.
   */
  sendBroadcast(caller: Caller, id: string, scheduledAt: string | null): Promise<RpcResult<BroadcastRef>>;
  /** queued → paused: no new recipient is claimed; those already handed to SES stay sent. */
  pauseBroadcast(caller: Caller, id: string): Promise<RpcResult<BroadcastRef>>;
  /** paused → queued: continues with the recipients never tried. */
  resumeBroadcast(caller: Caller, id: string): Promise<RpcResult<BroadcastRef>>;
  /** scheduled → draft; queued or paused → canceled (what went out stays out, the rest is canceled). */
  cancelBroadcast(caller: Caller, id: string): Promise<RpcResult<BroadcastRef>>;
  /** The rendered broadcast (sample contact values) to up to 5 addresses, as transactional emails. */
  testBroadcast(
    caller: Caller,
    id: string,
    to: string[],
  ): Promise<RpcResult<{ object: 'broadcast'; id: string; emails: { id: string; to: string }[] }>>;
}

/**
 * On the send queue: one step of a broadcast's fan-out. `step` freeze: the next page of the audience
 * into recipient rows; dispatch: the next chunk of never-tried recipients to SES. Only the chain whose
 * `token` the broadcast row holds goes on; any other copy stops.
 */
export interface BroadcastQueueMessage {
  kind: 'broadcast';
  step: 'freeze' | 'dispatch';
  tenant_id: string;
  broadcast_id: string;
  token: string;
}
