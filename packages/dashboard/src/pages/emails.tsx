// The email log (GET /api/emails, newest first, 100 a page with "load more"), filtered by the API:
// status (the last event), stream, sending domain, tag, dates and a search of subject and addresses.
// Every filter lives in the URL, so a filtered log is a link.

import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { Page } from '../components/page';
import { Badge, Empty, ErrorBox, Loading } from '../components/states';
import { api, type List, qs } from '../lib/api';
import type { EmailSummary } from '../lib/emails';
import { formatDate } from '../lib/format';
import { useApi } from '../lib/use-api';

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
  const [emails, setEmails] = useState<EmailSummary[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [state, setState] = useState<{ loading: boolean; error?: Error }>({ loading: true });
  const streams = useApi<List<{ id: string }>>('/api/streams?limit=100');
  const domains = useApi<List<{ name: string }>>('/api/domains?limit=100');

  const load = async (after?: string) => {
    setState({ loading: true });
    try {
      const page = await api<List<EmailSummary>>(
        `/api/emails${qs({ limit: PAGE, after, ...apiQuery(filters) })}`,
      );
      setEmails((previous) => (after ? [...previous, ...page.data] : page.data));
      setHasMore(page.has_more === true);
      setState({ loading: false });
    } catch (error) {
      setState({ loading: false, error: error as Error });
    }
  };
  const key = qs(filters);
  useEffect(() => void load(), [key]);

  const options = {
    status: STATUSES,
    stream: streams.data?.data.map((s) => s.id) ?? [],
    domain: domains.data?.data.map((d) => d.name) ?? [],
  };
  const set = (name: keyof Filters, value: string) =>
    route(`${path}${qs({ ...filters, [name]: value })}`, true);
  const filtered = FILTERS.some((name) => filters[name]);

  return (
    <Page
      title="Emails"
      actions={
        <button type="button" onClick={() => load()} disabled={state.loading}>
          Refresh
        </button>
      }
    >
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label class="grow">
          Search
          <input
            type="search"
            placeholder="Address or subject"
            value={filters.q}
            onChange={(event) => set('q', event.currentTarget.value)}
          />
        </label>
        {(['status', 'stream', 'domain'] as const).map((name) => (
          <label key={name}>
            {name[0]?.toUpperCase() + name.slice(1)}
            <select value={filters[name]} onChange={(event) => set(name, event.currentTarget.value)}>
              <option value="">Any</option>
              {[...new Set([...options[name], filters[name]].filter(Boolean))].map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </label>
        ))}
        <label>
          Tag
          <input
            placeholder="name or name:value"
            value={filters.tag}
            onChange={(event) => set('tag', event.currentTarget.value)}
          />
        </label>
        <label>
          From
          <input
            type="date"
            value={filters.from}
            onChange={(event) => set('from', event.currentTarget.value)}
          />
        </label>
        <label>
          To
          <input type="date" value={filters.to} onChange={(event) => set('to', event.currentTarget.value)} />
        </label>
        {filtered && (
          <button type="button" class="link" onClick={() => route(path, true)}>
            Clear filters
          </button>
        )}
      </form>
      {state.error && <ErrorBox error={state.error} retry={() => load()} />}
      {!state.error && state.loading && emails.length === 0 && <Loading what="Loading emails" />}
      {!state.loading && !state.error && emails.length === 0 && !filtered && (
        <Empty title="No emails yet">
          <p>
            Send one with your API key: <code>POST /api/emails</code> (or the resend SDK with its base URL at{' '}
            <code>{location.origin}/api</code>). It appears here as soon as it is accepted.
          </p>
        </Empty>
      )}
      {!state.loading && !state.error && emails.length === 0 && filtered && (
        <Empty title="No email matches these filters">
          <p>Widen the dates or clear the filters.</p>
        </Empty>
      )}
      {emails.length > 0 && (
        <div class="table-wrap">
          <table class="emails">
            <thead>
              <tr>
                <th>To</th>
                <th>Subject</th>
                <th>Status</th>
                <th>Stream</th>
                <th>Sent</th>
              </tr>
            </thead>
            <tbody>
              {emails.map((email) => (
                <tr key={email.id}>
                  <td>{email.to.join(', ')}</td>
                  <td>
                    <a href={`/emails/${email.id}`}>{email.subject || '(no subject)'}</a>
                  </td>
                  <td>
                    <Badge value={email.last_event} />
                  </td>
                  <td>{email.stream}</td>
                  <td>{formatDate(email.scheduled_at ?? email.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="muted">
        {emails.length} shown{filtered ? ' (filtered)' : ''}.{' '}
        {hasMore && (
          <button type="button" class="link" disabled={state.loading} onClick={() => load(emails.at(-1)?.id)}>
            Load {PAGE} more
          </button>
        )}
      </p>
    </Page>
  );
}
