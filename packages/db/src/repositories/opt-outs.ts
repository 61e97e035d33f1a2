// Who must not get an email because they unsubscribed: contacts unsubscribed from broadcasts, and
// contacts opted out of the email's topic (explicitly, or by the topic's opt_out default without an
// opt_in of their own; an address that is no contact has no opt_in either). One query, by tenant.
import type { Db } from '../client';

export interface OptOutScope {
  /** The email is on a broadcast-type stream: contacts with `unsubscribed = 1` are left out. */
  broadcast: boolean;
  /** The email's topic: contacts opted out of it are left out. */
  topicId: string | null;
}

/**
 * The lower-cased addresses (of `addresses`, any case) to leave out, or `null` when `topicId` names
 * no topic of the tenant's.
 */
export async function findOptedOut(
  db: Db,
  tenantId: string,
  addresses: string[],
  scope: OptOutScope,
): Promise<Set<string> | null> {
  const wanted = [...new Set(addresses.map((address) => address.toLowerCase()))];
  if (scope.topicId === null) {
    if (!scope.broadcast || wanted.length === 0) return new Set();
    const rows = await db
      .selectFrom('contacts')
      .select('email')
      .where('tenant_id', '=', tenantId)
      .where('email', 'in', wanted)
      .where('unsubscribed', '=', 1)
      .execute();
    return new Set(rows.map((row) => row.email));
  }
  const topicId = scope.topicId;
  // Starting from the topic: no row at all means the topic does not exist; a row whose contact is
  // NULL means none of the addresses is a contact.
  const rows = await db
    .selectFrom('topics as t')
    .leftJoin('contacts as c', (join) =>
      join.onRef('c.tenant_id', '=', 't.tenant_id').on('c.email', 'in', wanted.length > 0 ? wanted : ['']),
    )
    .leftJoin('contact_topics as ct', (join) =>
      join
        .onRef('ct.contact_id', '=', 'c.id')
        .onRef('ct.topic_id', '=', 't.id')
        .onRef('ct.tenant_id', '=', 't.tenant_id'),
    )
    .select(['t.default_subscription', 'c.email', 'c.unsubscribed', 'ct.subscription'])
    .where('t.tenant_id', '=', tenantId)
    .where('t.id', '=', topicId)
    .execute();
  const first = rows[0];
  if (!first) return null;
  const contacts = new Map(rows.flatMap((row) => (row.email === null ? [] : [[row.email, row] as const])));
  const optedOut = new Set<string>();
  for (const address of wanted) {
    const contact = contacts.get(address);
    const subscription = contact?.subscription ?? first.default_subscription;
    if (subscription === 'opt_out' || (scope.broadcast && contact?.unsubscribed === 1)) optedOut.add(address);
  }
  return optedOut;
}
