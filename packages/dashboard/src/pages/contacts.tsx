// Contacts, 100 a page with "load more". The search (`?q=`, in the URL) narrows what has been loaded
// (the list API takes no search); a full address opens that contact directly (GET /api/contacts/:email).
import { useEffect, useMemo, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { AudienceTabs } from '../components/audience-tabs';
import { Page } from '../components/page';
import { Badge, Empty, ErrorBox, Loading } from '../components/states';
import { api, type List, qs } from '../lib/api';
import type { Contact } from '../lib/audience';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';

const PAGE = 100;

export function ContactsPage() {
  const { query, route, path } = useLocation();
  const q = query.q ?? '';
  const can = useCan();
  const [contacts, setContacts] = useState<Contact[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [state, setState] = useState<{ loading: boolean; error?: Error }>({ loading: true });
  const load = async (after?: string) => {
    setState({ loading: true });
    try {
      const page = await api<List<Contact>>(`/api/contacts${qs({ limit: PAGE, after })}`);
      setContacts((previous) => (after ? [...previous, ...page.data] : page.data));
      setHasMore(page.has_more === true);
      setState({ loading: false });
    } catch (error) {
      setState({ loading: false, error: error as Error });
    }
  };
  useEffect(() => void load(), []);
  const shown = useMemo(() => {
    const needle = q.toLowerCase();
    return contacts.filter((c) =>
      [c.email, c.first_name, c.last_name].some((text) => text?.toLowerCase().includes(needle)),
    );
  }, [contacts, q]);
  const isAddress = /^[^@\s]+@[^@\s]+$/.test(q);

  return (
    <Page title="Contacts">
      <AudienceTabs />
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label class="grow">
          Search
          <input
            type="search"
            placeholder="Address or name"
            value={q}
            onChange={(event) => route(`${path}${qs({ q: event.currentTarget.value })}`, true)}
          />
        </label>
        {isAddress && (
          <a class="button" href={`/contacts/${encodeURIComponent(q)}`}>
            Open {q}
          </a>
        )}
      </form>
      {can.write && <AddContact onAdded={() => load()} />}
      {state.error && <ErrorBox error={state.error} retry={() => load()} />}
      {!state.error && state.loading && contacts.length === 0 && <Loading what="Loading contacts" />}
      {!state.loading && !state.error && contacts.length === 0 && (
        <Empty title="No contact yet">
          <p>
            Add one above, <a href="/imports">import a CSV file</a>, or create them with{' '}
            <code>POST /api/contacts</code>.
          </p>
        </Empty>
      )}
      {contacts.length > 0 && shown.length === 0 && (
        <Empty title="No loaded contact matches">
          <p>{hasMore ? 'Load more to search further, or ' : ''}open a contact by its full address.</p>
        </Empty>
      )}
      {shown.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Address</th>
                <th>Name</th>
                <th>Subscribed</th>
                <th>Added</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((c) => (
                <tr key={c.id}>
                  <td>
                    <a href={`/contacts/${c.id}`}>{c.email}</a>
                  </td>
                  <td>{[c.first_name, c.last_name].filter(Boolean).join(' ')}</td>
                  <td>{c.unsubscribed ? <Badge value="unsubscribed" /> : 'yes'}</td>
                  <td>{formatDate(c.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="muted">
        {contacts.length} loaded{q ? `, ${shown.length} shown` : ''}.{' '}
        {hasMore && (
          <button
            type="button"
            class="link"
            disabled={state.loading}
            onClick={() => load(contacts.at(-1)?.id)}
          >
            Load {PAGE} more
          </button>
        )}
      </p>
    </Page>
  );
}

function AddContact({ onAdded }: { onAdded: () => void }) {
  const [email, setEmail] = useState('');
  const [first, setFirst] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      await api('/api/contacts', { method: 'POST', body: { email, first_name: first || null } });
      setEmail('');
      setFirst('');
      onAdded();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="filters" onSubmit={submit}>
      <label class="grow">
        New contact's address
        <input type="email" required value={email} onInput={(event) => setEmail(event.currentTarget.value)} />
      </label>
      <label>
        First name
        <input value={first} onInput={(event) => setFirst(event.currentTarget.value)} />
      </label>
      <button type="submit">Add contact</button>
      {error && (
        <span class="inline-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
