// Finding the tenant's broadcast, and which statuses leave it open to every change.
import { AppError, type Caller, EDITABLE_BROADCAST_STATUSES } from '@mailgrid/contracts';
import { type BroadcastRow, type BroadcastStatus, type Db, findBroadcast } from '@mailgrid/db';

/** The tenant's broadcast; another tenant's is not_found like one that does not exist. */
export async function existingBroadcast(db: Db, caller: Caller, id: string): Promise<BroadcastRow> {
  const row = await findBroadcast(db, caller.tenant_id, id);
  if (!row) throw new AppError('not_found', `Broadcast ${id} not found.`);
  return row;
}

export function isEditable(status: BroadcastStatus): boolean {
  return (EDITABLE_BROADCAST_STATUSES as readonly BroadcastStatus[]).includes(status);
}
