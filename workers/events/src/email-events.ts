// GET /api/emails/:id/events, behind EventsRpc.listEmailEvents: the stored events of one email.
import { AppError, type Caller, type EmailEventList } from '@mailgrid/contracts';
import { createDb, getEmail, listEventsOfEmail } from '@mailgrid/db';
import type { Env } from './env';

export async function readEmailEvents(env: Env, caller: Caller, emailId: string): Promise<EmailEventList> {
  const db = createDb(env.DB);
  // Checked first so an unknown email (or another tenant's) is a 404, not an empty list.
  if (!(await getEmail(db, caller.tenant_id, emailId))) {
    throw new AppError('not_found', `Email ${emailId} not found.`);
  }
  const rows = await listEventsOfEmail(db, caller.tenant_id, emailId);
  return {
    object: 'list',
    data: rows.map((row) => ({
      type: row.type,
      recipient: row.recipient,
      occurred_at: row.occurred_at,
      data: JSON.parse(row.data) as Record<string, unknown>,
    })),
  };
}
