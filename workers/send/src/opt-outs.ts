// Unsubscribes take effect on the next accept: on a broadcast-type stream, contacts who unsubscribed
// are left out; with a `topic_id`, contacts opted out of the topic (explicitly, or by its opt_out
// default with no opt_in of their own) are. They are listed in the email's `suppressed` like
// suppressed addresses. Transactional emails without a topic are never filtered here: a receipt or
// a password reset still reaches someone who unsubscribed from newsletters.
import { AppError } from '@mailgrid/contracts';
import { type Db, findOptedOut, getStream, isDefaultStream } from '@mailgrid/db';

/** Lower-cased addresses to leave out. Throws `invalid_parameter` naming `field` for an unknown topic. */
export async function optedOutRecipients(
  db: Db,
  tenantId: string,
  stream: string,
  topicId: string | null,
  addresses: string[],
  field: string,
): Promise<Set<string>> {
  const broadcast = await isBroadcastStream(db, tenantId, stream);
  if (!broadcast && topicId === null) return new Set();
  const optedOut = await findOptedOut(db, tenantId, addresses, { broadcast, topicId });
  if (optedOut === null) {
    throw new AppError(
      'invalid_parameter',
      `${field}: there is no topic "${topicId}". Use the id of one of your topics (GET /api/topics).`,
    );
  }
  return optedOut;
}

/** The two default streams' types are fixed by their ids; only another stream costs a query. */
async function isBroadcastStream(db: Db, tenantId: string, stream: string): Promise<boolean> {
  if (isDefaultStream(stream)) return stream === 'broadcast';
  return (await getStream(db, tenantId, stream))?.type === 'broadcast';
}
