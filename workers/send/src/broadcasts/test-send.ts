// A test send: the broadcast as a recipient would get it, to up to 5 addresses, each as its own
// transactional email (so it shows in the email log), with sample contact values — the fallbacks, and
// the test address as {{{contact.email}}}. Its unsubscribe link points at the preference page with a
// token that names no real recipient, so clicking it in a test changes nothing.
import { AppError, type Caller, type SendEmailRequest } from '@mailgrid/contracts';
import { contactPropertiesByKey, createDb, findBroadcast } from '@mailgrid/db';
import { acceptEmail } from '../accept';
import { config, type Env } from '../env';
import { composeBroadcast, personalise } from './content';

export async function testBroadcast(env: Env, caller: Caller, id: string, to: string[]) {
  const db = createDb(env.DB);
  const broadcast = await findBroadcast(db, caller.tenant_id, id);
  if (!broadcast) throw new AppError('not_found', `Broadcast ${id} not found.`);
  if (to.length < 1 || to.length > 5) {
    throw new AppError('validation_error', 'to: a test goes to between 1 and 5 addresses.');
  }
  const properties = await contactPropertiesByKey(db, caller.tenant_id);
  const fallbacks = Object.fromEntries(
    [...properties].map(([key, row]) => [
      key,
      row.fallback_value === null ? null : JSON.parse(row.fallback_value),
    ]),
  );
  const body = { ...composeBroadcast(broadcast), headers: {}, attachments: [], fallbacks };
  const unsubscribeUrl = `${config(env).TRACKING_BASE_URL.replace(/\/+$/, '')}/u/test`;
  const emails: { id: string; to: string }[] = [];
  for (const address of to) {
    const sample = JSON.stringify({ email: address, first_name: null, last_name: null, properties: {} });
    const content = personalise(body, { subject: broadcast.subject, merge_data: sample }, unsubscribeUrl);
    const email: SendEmailRequest = {
      from: broadcast.from_address,
      to: [address],
      subject: content.subject,
      ...(content.html === null ? {} : { html: content.html }),
      ...(content.text === null ? {} : { text: content.text }),
      reply_to: JSON.parse(broadcast.reply_to) as string[],
      tags: [{ name: 'broadcast_test', value: broadcast.id }],
    };
    const { id: emailId } = await acceptEmail(env, caller, email, null);
    emails.push({ id: emailId, to: address });
  }
  return { object: 'broadcast' as const, id, emails };
}
