// Sending domains: the list with each one's status, and adding one (then its page shows the DNS
// records to publish).

import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { Field, SubmitForm } from '../components/forms';
import { ListView } from '../components/list-view';
import { Page } from '../components/page';
import { Badge, Empty } from '../components/states';
import { api } from '../lib/api';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useList } from '../lib/use-list';

interface DomainSummary {
  id: string;
  name: string;
  status: string;
  region: string;
  created_at: string;
}

export function DomainsPage() {
  const domains = useList<DomainSummary>('/api/domains?limit=100');
  const can = useCan();
  return (
    <Page title="Domains">
      {can.write && <AddDomain />}
      <ListView
        list={domains}
        loading="Loading domains"
        empty={
          <Empty title="No sending domain yet">
            <p>Add the domain you send from; its page lists the DNS records to publish, then verify it.</p>
          </Empty>
        }
        columns={[
          { head: 'Domain', cell: (d) => <a href={`/domains/${d.id}`}>{d.name}</a> },
          { head: 'Status', cell: (d) => <Badge value={d.status} /> },
          { head: 'Region', cell: (d) => d.region },
          { head: 'Added', cell: (d) => formatDate(d.created_at) },
        ]}
      />
    </Page>
  );
}

function AddDomain() {
  const { route } = useLocation();
  const [name, setName] = useState('');
  return (
    <SubmitForm
      submit="Add domain"
      kind="primary"
      run={() =>
        api<{ id: string }>('/api/domains', { method: 'POST', body: { name: name.trim() } }).then((created) =>
          route(`/domains/${created.id}`),
        )
      }
    >
      <Field
        label="Add a domain"
        class="grow"
        required
        placeholder="mail.example.com"
        value={name}
        onValue={setName}
      />
    </SubmitForm>
  );
}
