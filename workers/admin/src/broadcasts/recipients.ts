// Who a broadcast reached and how they responded: its recipients by status or by event, and the
// links clicked in it. Recipients are the broadcast's `emails` rows; their events are the emails'.
import {
  type BroadcastClickedLinkList,
  type BroadcastRecipient,
  type BroadcastRecipientList,
  type Caller,
  type ListClickedLinksQuery,
  type ListRecipientsQuery,
  pageInMemory,
  type RecipientType,
  unknownCursor,
} from '@mailgrid/contracts';
import {
  clickedLinksOfBroadcast,
  createDb,
  type EmailRow,
  eventsOfRecipients,
  listRecipientRows,
  type RecipientFilter,
} from '@mailgrid/db';
import type { Env } from '../env';
import { existingBroadcast } from './existing';

type Extras = Pick<BroadcastRecipient, 'count' | 'clicked_links' | 'bounce_type'>;

/** `sent` and `suppressed` are statuses of the rows; every other type is an event they have. */
function filterOf(type: RecipientType | undefined): Pick<RecipientFilter, 'status' | 'eventType'> {
  if (type === undefined) return {};
  if (type === 'sent' || type === 'suppressed') return { status: type };
  return { eventType: `email.${type}` };
}

export async function listBroadcastRecipients(
  env: Env,
  caller: Caller,
  id: string,
  query: ListRecipientsQuery,
): Promise<BroadcastRecipientList> {
  const db = createDb(env.DB);
  const broadcast = await existingBroadcast(db, caller, id);
  const includeMachine = query.include_machine === 'true';
  const filter = filterOf(query.type);
  const page = await listRecipientRows(db, caller.tenant_id, broadcast.id, query, {
    ...filter,
    email: query.email,
    bounceType: query.bounce_type,
    includeMachine,
  });
  if (!page) throw unknownCursor(query, 'recipient');
  const extras = new Map<string, Extras>();
  if (query.type === 'opened' || query.type === 'clicked' || query.type === 'bounced') {
    const events = await eventsOfRecipients(
      db,
      caller.tenant_id,
      page.rows.map((row) => row.id),
      filter.eventType as string,
      { includeMachine },
    );
    for (const event of events) {
      extras.set(event.email_id, withEvent(query.type, JSON.parse(event.data), extras.get(event.email_id)));
    }
  }
  return {
    object: 'list',
    has_more: page.has_more,
    data: page.rows.map((row) => ({ ...toRecipient(row), ...extras.get(row.id) })),
  };
}

/** Folds one event (oldest first) into what the recipient shows for its type. */
function withEvent(
  type: 'opened' | 'clicked' | 'bounced',
  data: Record<string, unknown>,
  extras: Extras = {},
): Extras {
  if (type === 'bounced') {
    // The latest bounce says where the address stands.
    const bounceType = String(data.bounce_type ?? 'undetermined').toLowerCase();
    return {
      bounce_type: bounceType === 'permanent' || bounceType === 'transient' ? bounceType : 'undetermined',
    };
  }
  const count = (extras.count ?? 0) + 1;
  if (type === 'opened') return { count };
  const links = extras.clicked_links ?? [];
  if (typeof data.link === 'string') {
    const link = links.find((entry) => entry.url === data.link);
    if (link) link.clicks++;
    else links.push({ url: data.link, clicks: 1 });
  }
  return { count, clicked_links: links };
}

function toRecipient(row: EmailRow): BroadcastRecipient {
  const [email] = JSON.parse(row.to_addresses) as string[];
  return { id: row.id, contact_id: row.contact_id, email: email ?? '', status: row.status };
}

export async function listBroadcastClickedLinks(
  env: Env,
  caller: Caller,
  id: string,
  query: ListClickedLinksQuery,
): Promise<BroadcastClickedLinkList> {
  const db = createDb(env.DB);
  const broadcast = await existingBroadcast(db, caller, id);
  const links = await clickedLinksOfBroadcast(db, caller.tenant_id, broadcast.id, {
    includeMachine: query.include_machine === 'true',
  });
  // A broadcast has a bounded set of links, so they are read whole and paged here.
  const rows = await Promise.all(links.map(async (link) => ({ id: await linkId(link.url), ...link })));
  return { object: 'list', ...pageInMemory(rows, query, 'clicked link') };
}

/** A stable, UUID-shaped cursor for a link: its URL's SHA-256, so the same link has the same id on every page. */
async function linkId(url: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(url)));
  const hex = [...digest.slice(0, 16)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
