// Contacts, 100 a page with "load more". The search (`?q=`, in the URL) narrows what has been loaded
// (the list API takes no search); a full address opens that contact directly (GET /api/contacts/:email).
import { useMemo, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { AudienceTabs } from '../components/audience-tabs';
import { ContactColumns } from '../components/contact-columns';
import { Field, FormRow, SubmitForm } from '../components/forms';
import { ListView, LoadMore } from '../components/list-view';
import { Page } from '../components/page';
import { Empty } from '../components/states';
import { api, qs } from '../lib/api';
import type { Contact } from '../lib/audience';
import { useCan } from '../lib/session';
import { usePagedList } from '../lib/use-list';

const PAGE = 100;

export function ContactsPage() {
  const { query, route, path } = useLocation();
  const q = query.q ?? '';
  const can = useCan();
  const contacts = usePagedList<Contact>(`/api/contacts?limit=${PAGE}`);
  const { loaded } = contacts;
  const shown = useMemo(() => {
    const needle = q.toLowerCase();
    return loaded.filter((c) =>
      [c.email, c.first_name, c.last_name].some((text) => text?.toLowerCase().includes(needle)),
    );
  }, [loaded, q]);
  const isAddress = /^[^@\s]+@[^@\s]+$/.test(q);

  return (
    <Page title="Contacts">
      <AudienceTabs />
      <FormRow>
        <Field
          label="Search"
          class="grow"
          type="search"
          placeholder="Address or name"
          value={q}
          onCommit={(value) => route(`${path}${qs({ q: value })}`, true)}
        />
        {isAddress && (
          <a class="button" href={`/contacts/${encodeURIComponent(q)}`}>
            Open {q}
          </a>
        )}
      </FormRow>
      {can.write && <AddContact onAdded={contacts.reload} />}
      <ListView
        list={{ ...contacts, rows: contacts.rows && shown }}
        loading="Loading contacts"
        empty={
          loaded.length === 0 ? (
            <Empty title="No contact yet">
              <p>
                Add one above, <a href="/imports">import a CSV file</a>, or create them with{' '}
                <code>POST /api/contacts</code>.
              </p>
            </Empty>
          ) : (
            <Empty title="No loaded contact matches">
              <p>
                {contacts.hasMore ? 'Load more to search further, or ' : ''}open a contact by its full
                address.
              </p>
            </Empty>
          )
        }
        columns={ContactColumns}
      />
      <p class="muted">
        {loaded.length} loaded{q ? `, ${shown.length} shown` : ''}.{' '}
        <LoadMore list={contacts}>Load {PAGE} more</LoadMore>
      </p>
    </Page>
  );
}

function AddContact({ onAdded }: { onAdded: () => void }) {
  const [email, setEmail] = useState('');
  const [first, setFirst] = useState('');
  return (
    <SubmitForm
      submit="Add contact"
      run={() =>
        api('/api/contacts', { method: 'POST', body: { email, first_name: first || null } }).then(() => {
          setEmail('');
          setFirst('');
          onAdded();
        })
      }
    >
      <Field
        label="New contact's address"
        class="grow"
        type="email"
        required
        value={email}
        onValue={setEmail}
      />
      <Field label="First name" value={first} onValue={setFirst} />
    </SubmitForm>
  );
}
