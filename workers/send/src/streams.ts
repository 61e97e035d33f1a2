// Which SES configuration set an email goes out with: its stream's own (set with PATCH
// /api/streams/:id), else the SES_CONFIGURATION_SETS var's entry for the stream, else none. Read at
// send time, so a change applies to emails already queued. A stream's dedicated IP pool is not
// passed here: SES v2 sends through the pool the configuration set names (DeliveryOptions).
import { type Db, type EmailRow, getStream } from '@mailgrid/db';
import type { Env } from './env';

export async function configurationSetFor(env: Env, db: Db, row: EmailRow): Promise<string | undefined> {
  const stream = await getStream(db, row.tenant_id, row.stream);
  if (stream?.configuration_set) return stream.configuration_set;
  const fromVar = JSON.parse(env.SES_CONFIGURATION_SETS || '{}') as Record<string, string>;
  return fromVar[row.stream];
}
