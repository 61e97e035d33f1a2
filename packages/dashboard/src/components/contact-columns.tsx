import type { Contact } from '../lib/audience';
import { formatDate } from '../lib/format';
import { Badge } from './states';
import type { Columns } from './table';

/** How a list of contacts shows each one (the contacts page, a segment's contacts). */
export const ContactColumns: Columns<Contact> = [
  { head: 'Address', cell: (c) => <a href={`/contacts/${c.id}`}>{c.email}</a> },
  { head: 'Name', cell: (c) => [c.first_name, c.last_name].filter(Boolean).join(' ') },
  { head: 'Subscribed', cell: (c) => (c.unsubscribed ? <Badge value="unsubscribed" /> : 'yes') },
  { head: 'Added', cell: (c) => formatDate(c.created_at) },
];
