// GET /api/emails/:id/raw: the message exactly as SES was given it, from the EML archive in R2. An
// email sent as one copy per reader (tracking tokens differ per reader) has one EML per copy: the
// first by default, or the one for `recipient`.
import { AppError, type Caller, type RawEmail } from '@mailgrid/contracts';
import { createDb, getEmail } from '@mailgrid/db';
import { copyEmlKey, emlKey } from './body-store';
import { recipients } from './deliver';
import type { Env } from './env';

export async function readRawEmail(
  env: Env,
  caller: Caller,
  id: string,
  recipient: string | undefined,
): Promise<RawEmail> {
  const row = await getEmail(createDb(env.DB), caller.tenant_id, id);
  if (!row) throw new AppError('not_found', `Email ${id} not found.`);
  const single = await env.ARCHIVE.get(emlKey(row.tenant_id, row.id));
  if (single) return { eml: await single.text(), copies: 1 };

  const readers = recipients(
    [row.to_addresses, row.cc_addresses, row.bcc_addresses].flatMap((list) => JSON.parse(list) as string[]),
  );
  const index = recipient ? readers.indexOf(recipient.toLowerCase()) : 0;
  if (index < 0) {
    throw new AppError('not_found', `Email ${id} has no recipient ${recipient}.`);
  }
  const copy = await env.ARCHIVE.get(copyEmlKey(row.tenant_id, row.id, index));
  if (copy) return { eml: await copy.text(), copies: readers.length };
  // Built when it is sent: a queued, scheduled, canceled or suppressed email has no message yet.
  throw new AppError('not_found', `Email ${id} has no message yet (it is ${row.status}).`);
}
