// The email log (GET /api/emails, newest first, 100 a page with "load more"). The API lists without
// filters, so the filters (status, stream, domain, tag, dates, search) narrow what has been loaded;
// all of them live in the URL, so a filtered log is a link.

import { useEffect, useMemo, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { Page } from '../components/page';
import { Badge, Empty, ErrorBox, Loading } from '../components/states';
import { api, type List, qs } from '../lib/api';
import { domainOf, type EmailSummary } from '../lib/emails';
import { formatDate } from '../lib/format';

const PAGE = 100;
const FILTERS = ['q', 'status', 'stream', 'domain', 'tag', 'from', 'to'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

export function EmailsPage() {
  const { query, route, path } = useLocation();
  const filters = Object.fromEntries(FILTERS.map((name) => [name, query[name] ?? ''])) as Filters;
  const [emails, setEmails] = useState<EmailSummary[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [state, setState] = useState<{ loading: boolean; error?: Error }>({ loading: true });

  const load = async (after?: string) => {
    setState({ loading: true });
    try {
      const page = await api<List<EmailSummary>>(`/api/emails${qs({ limit: PAGE, after })}`);
      setEmails((previous) => (after ? [...previous, ...page.data] : page.data));
      setHasMore(page.has_more === true);
      setState({ loading: false });
    } catch (error) {
      setState({ loading: false, error: error as Error });
    }
  };
  useEffect(() => void load(), []);

  const shown = useMemo(() => emails.filter((email) => matches(email, filters)), [emails, filters]);
  const options = useMemo(
    () => ({
      status: unique(emails.map((e) => e.last_event)),
      stream: unique(emails.map((e) => e.stream)),
      domain: unique(emails.map((e) => domainOf(e.from))),
    }),
    [emails],
  );
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
              {unique([...options[name], filters[name]].filter(Boolean)).map((value) => (
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
      {!state.loading && !state.error && emails.length === 0 && (
        <Empty title="No emails yet">
          <p>
            Send one with your API key: <code>POST /api/emails</code> (or the resend SDK with its base URL at{' '}
            <code>{location.origin}/api</code>). It appears here as soon as it is accepted.
          </p>
        </Empty>
      )}
      {emails.length > 0 && shown.length === 0 && (
        <Empty title="No loaded email matches these filters">
          <p>{hasMore ? 'Load more emails to search further back, or ' : ''}clear the filters.</p>
        </Empty>
      )}
      {shown.length > 0 && (
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
              {shown.map((email) => (
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
        {emails.length} loaded{filtered ? `, ${shown.length} shown` : ''}.{' '}
        {hasMore && (
          <button type="button" class="link" disabled={state.loading} onClick={() => load(emails.at(-1)?.id)}>
            Load {PAGE} more
          </button>
        )}
      </p>
    </Page>
  );
}

function matches(email: EmailSummary, f: Filters): boolean {
  if (f.status && email.last_event !== f.status) return false;
  if (f.stream && email.stream !== f.stream) return false;
  if (f.domain && domainOf(email.from) !== f.domain) return false;
  if (f.tag) {
    const [name, value] = f.tag.split(':');
    if (!email.tags.some((t) => t.name === name && (value === undefined || t.value === value))) return false;
  }
  const day = (email.scheduled_at ?? email.created_at).slice(0, 10);
  if (f.from && day < f.from) return false;
  if (f.to && day > f.to) return false;
  if (f.q) {
    const needle = f.q.toLowerCase();
    const haystack = [email.subject, email.from, ...email.to, ...email.cc, ...email.bcc]
      .join(' ')
      .toLowerCase();
    if (!haystack.includes(needle)) return false;
  }
  return true;
}

const unique = (values: string[]) => [...new Set(values)].sort();
