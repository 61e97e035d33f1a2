// Who must not get an email because they unsubscribed: contacts unsubscribed from broadcasts, and
// contacts opted out of the email's topic (explicitly, or by the topic's opt_out default without an
// opt_in of their own; an address that is no contact has no opt_in either). Read as two statements
// for all the emails of an accept (the recipients' contacts with their choices, the topics'
// defaults), then decided per email in memory by `optedOutAmong`.
import type { Db } from '../client';
import { inJsonList } from '../json-list';

export interface OptOutScope {
  /** The email is on a broadcast-type stream: contacts with `unsubscribed = 1` are left out. */
  broadcast: boolean;
  /** The email's topic: contacts opted out of it are left out. */
  topicId: string | null;
}

type Subscription = 'opt_in' | 'opt_out';

/** What opt-out decisions are made from: the contacts read by address, the topics read by id. */
export interface OptOutReads {
  /** Lower-cased address → the contact's unsubscribe flag and its explicit topic choices. */
  contacts: Map<string, { unsubscribed: number; topics: Map<string, Subscription> }>;
  /** Topic id → its default subscription; a topic absent here is not the tenant's. */
  topics: Map<string, Subscription>;
}

/**
 * The tenant's contacts among these lower-cased addresses, with their choices for these topics (one
 * row per choice, or one with a NULL topic): one statement for an accept's read batch (not run here).
 */
export function optOutContactsQuery(
  db: Db,
  tenantId: string,
  addresses: Iterable<string>,
  topicIds: Iterable<string>,
) {
  return db
    .selectFrom('contacts as c')
    .leftJoin('contact_topics as ct', (join) =>
      join
        .onRef('ct.contact_id', '=', 'c.id')
        .onRef('ct.tenant_id', '=', 'c.tenant_id')
        .on(inJsonList('ct.topic_id', topicIds)),
    )
    .select(['c.email', 'c.unsubscribed', 'ct.topic_id', 'ct.subscription'])
    .where('c.tenant_id', '=', tenantId)
    .where(inJsonList('c.email', addresses));
}

/** The tenant's topics of these ids with their defaults: one statement (not run here). */
export function topicDefaultsQuery(db: Db, tenantId: string, topicIds: Iterable<string>) {
  return db
    .selectFrom('topics')
    .select(['id', 'default_subscription'])
    .where('tenant_id', '=', tenantId)
    .where(inJsonList('id', topicIds));
}

type ContactRow = {
  email: string;
  unsubscribed: number;
  topic_id: string | null;
  subscription: Subscription | null;
};

/** The two queries' rows as `OptOutReads`. */
export function optOutReads(
  contactRows: readonly ContactRow[],
  topicRows: readonly { id: string; default_subscription: Subscription }[],
): OptOutReads {
  const contacts: OptOutReads['contacts'] = new Map();
  for (const row of contactRows) {
    const contact = contacts.get(row.email) ?? { unsubscribed: row.unsubscribed, topics: new Map() };
    if (row.topic_id !== null && row.subscription !== null)
      contact.topics.set(row.topic_id, row.subscription);
    contacts.set(row.email, contact);
  }
  return { contacts, topics: new Map(topicRows.map((row) => [row.id, row.default_subscription])) };
}

/**
 * The lower-cased addresses (of `addresses`, any case) to leave out, or `null` when `topicId` names
 * no topic of the tenant's. `reads` must hold these addresses' contacts and the topic.
 */
export function optedOutAmong(
  reads: OptOutReads,
  addresses: string[],
  scope: OptOutScope,
): Set<string> | null {
  const wanted = [...new Set(addresses.map((address) => address.toLowerCase()))];
  const optedOut = new Set<string>();
  if (scope.topicId === null) {
    if (!scope.broadcast) return optedOut;
    for (const address of wanted) if (reads.contacts.get(address)?.unsubscribed === 1) optedOut.add(address);
    return optedOut;
  }
  const defaultSubscription = reads.topics.get(scope.topicId);
  if (defaultSubscription === undefined) return null;
  for (const address of wanted) {
    const contact = reads.contacts.get(address);
    const subscription = contact?.topics.get(scope.topicId) ?? defaultSubscription;
    if (subscription === 'opt_out' || (scope.broadcast && contact?.unsubscribed === 1)) optedOut.add(address);
  }
  return optedOut;
}

/** `optedOutAmong` for one email, read on its own (two statements). */
export async function findOptedOut(
  db: Db,
  tenantId: string,
  addresses: string[],
  scope: OptOutScope,
): Promise<Set<string> | null> {
  const wanted = [...new Set(addresses.map((address) => address.toLowerCase()))];
  if (scope.topicId === null && (!scope.broadcast || wanted.length === 0)) return new Set();
  const topicIds = scope.topicId === null ? [] : [scope.topicId];
  const [contactRows, topicRows] = await Promise.all([
    optOutContactsQuery(db, tenantId, wanted, topicIds).execute(),
    topicIds.length > 0 ? topicDefaultsQuery(db, tenantId, topicIds).execute() : [],
  ]);
  return optedOutAmong(optOutReads(contactRows, topicRows), wanted, scope);
}
