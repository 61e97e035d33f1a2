// GET /api/emails/:id/raw: the message as SES was given it, rebuilt the way deliver.ts builds it (the
// same body, row, `message_date` and boundaries give the same bytes), so no EML is archived per send.
// What can differ from what was sent: the tracking links, pixel and List-Unsubscribe tokens are made
// with today's settings (the domain's tracking switches and hostname, the stream's, the current
// signing key), so a change to those since the send shows in the download. An email sent as one copy
// per reader (tracking tokens differ per reader) has one EML per copy: the first by default, or the
// one for `recipient`. Emails sent before 0023_send_writes have no `message_date`: their archived EML
// in R2 is returned instead.
import { AppError, type Caller, type RawEmail } from '@mailgrid/contracts';
import { createDb, type EmailRow, getEmail, getSendSettings } from '@mailgrid/db';
import { copyEmlKey, emlKey } from './body-store';
import { buildMessage, copyReaders, loadBody, recipients } from './deliver';
import type { Env } from './env';

export async function readRawEmail(
  env: Env,
  caller: Caller,
  id: string,
  recipient: string | undefined,
): Promise<RawEmail> {
  const db = createDb(env.DB);
  const row = await getEmail(db, caller.tenant_id, id);
  if (!row) throw new AppError('not_found', `Email ${id} not found.`);
  if (row.message_date === null) return archived(env, row, recipient);
  const settings = await getSendSettings(db, row.tenant_id, row.domain_id, row.stream);
  if (!settings) throw new AppError('not_found', `Email ${id} has no message: its domain is gone.`);
  const readers = copyReaders(env, settings, row);
  const index = readers && recipient ? readers.indexOf(recipient.toLowerCase()) : 0;
  if (index < 0) throw new AppError('not_found', `Email ${id} has no recipient ${recipient}.`);
  const body = await loadBody(env, row);
  const target = readers
    ? { reader: readers[index] as string, copy: index, date: new Date(row.message_date) }
    : { reader: null, copy: null, date: new Date(row.message_date) };
  const eml = new TextDecoder().decode(await buildMessage(env, settings, row, body, target));
  return { eml, copies: readers?.length ?? 1 };
}

/** An email sent before 0023_send_writes: the EML its consumer archived in R2. */
async function archived(env: Env, row: EmailRow, recipient: string | undefined): Promise<RawEmail> {
  const single = await env.ARCHIVE.get(emlKey(row.tenant_id, row.id));
  if (single) return { eml: await single.text(), copies: 1 };
  const readers = recipients(
    [row.to_addresses, row.cc_addresses, row.bcc_addresses].flatMap((list) => JSON.parse(list) as string[]),
  );
  const index = recipient ? readers.indexOf(recipient.toLowerCase()) : 0;
  if (index < 0) {
    throw new AppError('not_found', `Email ${row.id} has no recipient ${recipient}.`);
  }
  const copy = await env.ARCHIVE.get(copyEmlKey(row.tenant_id, row.id, index));
  if (copy) return { eml: await copy.text(), copies: readers.length };
  // Built when it is sent: a queued, scheduled, canceled or suppressed email has no message yet.
  throw new AppError('not_found', `Email ${row.id} has no message yet (it is ${row.status}).`);
}
