// Unsubscribes take effect on the next accept: on a broadcast-type stream, contacts who unsubscribed
// are left out; with a `topic_id`, contacts opted out of the topic (explicitly, or by its opt_out
// default with no opt_in of their own) are. They are listed in the email's `suppressed` like
// suppressed addresses. Transactional emails without a topic are never filtered here: a receipt or
// a password reset still reaches someone who unsubscribed from newsletters. The contacts and topics
// come from the accept's read batch (lookups.ts).
import { AppError } from '@mailgrid/contracts';
import type { Lookups } from './lookups';

/** Lower-cased addresses to leave out. Throws `invalid_parameter` naming `field` for an unknown topic. */
export async function optedOutRecipients(
  lookups: Lookups,
  stream: string,
  topicId: string | null,
  addresses: string[],
  field: string,
): Promise<Set<string>> {
  const broadcast = (await lookups.streamType(stream)) === 'broadcast';
  if (!broadcast && topicId === null) return new Set();
  const optedOut = await lookups.optedOut(addresses, { broadcast, topicId });
  if (optedOut === null) {
    throw new AppError(
      'invalid_parameter',
      `${field}: there is no topic "${topicId}". Use the id of one of your topics (GET /api/topics).`,
    );
  }
  return optedOut;
}
