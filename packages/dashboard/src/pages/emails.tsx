// The email log (GET /api/emails, newest first, 100 a page with "load more"), filtered by the API:
// status (the last event), stream, sending domain, tag, dates and a search of subject and addresses.
// Every filter lives in the URL, so a filtered log is a link.

import { useLocation } from 'preact-iso';
import { Field, FormRow, Select } from '../components/forms';
import { ListView, LoadMore } from '../components/list-view';
import { Page } from '../components/page';
import { Badge, Empty } from '../components/states';
import { type List, qs } from '../lib/api';
import type { EmailSummary } from '../lib/emails';
import { formatDate } from '../lib/format';
import { useApi } from '../lib/use-api';
import { usePagedList } from '../lib/use-list';

const PAGE = 100;
const FILTERS = ['q', 'status', 'stream', 'domain', 'tag', 'from', 'to'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;
/** An email's last event, the log's status. */
const STATUSES = [
  'scheduled',
  'queued',
  'sent',
  'delivered',
  'delivery_delayed',
  'opened',
  'clicked',
  'bounced',
  'complained',
  'failed',
  'canceled',
  'suppressed',
];

/** The URL's filters as the API's query (`from`/`to` are days: since / until). */
const apiQuery = (f: Filters) => ({
  q: f.q,
  last_event: f.status,
  stream: f.stream,
  domain: f.domain,
  tag: f.tag,
  since: f.from,
  until: f.to,
});

export function EmailsPage() {
  const { query, route, path } = useLocation();
  const filters = Object.fromEntries(FILTERS.map((name) => [name, query[name] ?? ''])) as Filters;
  const emails = usePagedList<EmailSummary>(`/api/emails${qs({ limit: PAGE, ...apiQuery(filters) })}`);
  const streams = useApi<List<{ id: string }>>('/api/streams?limit=100');
  const domains = useApi<List<{ name: string }>>('/api/domains?limit=100');

  const options = {
    status: STATUSES,
    stream: streams.data?.data.map((s) => s.id) ?? [],
    domain: domains.data?.data.map((d) => d.name) ?? [],
  };
  const set = (name: keyof Filters) => (value: string) =>
    route(`${path}${qs({ ...filters, [name]: value })}`, true);
  const filtered = FILTERS.some((name) => filters[name]);

  return (
    <Page
      title="Emails"
      actions={
        <button type="button" onClick={emails.reload} disabled={emails.loading}>
          Refresh
        </button>
      }
    >
      <FormRow>
        <Field
          label="Search"
          class="grow"
          type="search"
          placeholder="Address or subject"
          value={filters.q}
          onCommit={set('q')}
        />
        {(['status', 'stream', 'domain'] as const).map((name) => (
          <Select
            key={name}
            label={name[0]?.toUpperCase() + name.slice(1)}
            value={filters[name]}
            onValue={set(name)}
            // The URL's value stays a choice even before (or without) the list that names it.
            options={[['', 'Any'], ...new Set([...options[name], filters[name]].filter(Boolean))]}
          />
        ))}
        <Field label="Tag" placeholder="name or name:value" value={filters.tag} onCommit={set('tag')} />
        <Field label="From" type="date" value={filters.from} onCommit={set('from')} />
        <Field label="To" type="date" value={filters.to} onCommit={set('to')} />
        {filtered && (
          <button type="button" class="link" onClick={() => route(path, true)}>
            Clear filters
          </button>
        )}
      </FormRow>
      <ListView
        list={emails}
        loading="Loading emails"
        empty={
          filtered ? (
            <Empty title="No email matches these filters">
              <p>Widen the dates or clear the filters.</p>
            </Empty>
          ) : (
            <Empty title="No emails yet">
              <p>
                Send one with your API key: <code>POST /api/emails</code> (or the resend SDK with its base URL
                at <code>{location.origin}/api</code>). It appears here as soon as it is accepted.
              </p>
            </Empty>
          )
        }
        class="emails"
        columns={[
          { head: 'To', cell: (email) => email.to.join(', ') },
          {
            head: 'Subject',
            cell: (email) => <a href={`/emails/${email.id}`}>{email.subject || '(no subject)'}</a>,
          },
          { head: 'Status', cell: (email) => <Badge value={email.last_event} /> },
          { head: 'Stream', cell: (email) => email.stream },
          { head: 'Sent', cell: (email) => formatDate(email.scheduled_at ?? email.created_at) },
        ]}
      />
      <p class="muted">
        {emails.loaded.length} shown{filtered ? ' (filtered)' : ''}.{' '}
        <LoadMore list={emails}>Load {PAGE} more</LoadMore>
      </p>
    </Page>
  );
}
