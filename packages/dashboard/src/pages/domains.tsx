// Sending domains: the list with each one's status, and adding one (then its page shows the DNS
// records to publish).

import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { Page } from '../components/page';
import { Badge, Empty, ErrorBox, Loading } from '../components/states';
import { api, type List } from '../lib/api';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useApi } from '../lib/use-api';

interface DomainSummary {
  id: string;
  name: string;
  status: string;
  region: string;
  created_at: string;
}

export function DomainsPage() {
  const domains = useApi<List<DomainSummary>>('/api/domains?limit=100');
  const can = useCan();
  return (
    <Page title="Domains">
      {can.write && <AddDomain />}
      {domains.error ? (
        <ErrorBox error={domains.error} retry={domains.reload} />
      ) : !domains.data ? (
        <Loading what="Loading domains" />
      ) : domains.data.data.length === 0 ? (
        <Empty title="No sending domain yet">
          <p>Add the domain you send from; its page lists the DNS records to publish, then verify it.</p>
        </Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Domain</th>
                <th>Status</th>
                <th>Region</th>
                <th>Added</th>
              </tr>
            </thead>
            <tbody>
              {domains.data.data.map((d) => (
                <tr key={d.id}>
                  <td>
                    <a href={`/domains/${d.id}`}>{d.name}</a>
                  </td>
                  <td>
                    <Badge value={d.status} />
                  </td>
                  <td>{d.region}</td>
                  <td>{formatDate(d.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}

function AddDomain() {
  const { route } = useLocation();
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await api<{ id: string }>('/api/domains', {
        method: 'POST',
        body: { name: name.trim() },
      });
      route(`/domains/${created.id}`);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <form class="filters" onSubmit={submit}>
      <label class="grow">
        Add a domain
        <input
          required
          placeholder="mail.example.com"
          value={name}
          onInput={(event) => setName(event.currentTarget.value)}
        />
      </label>
      <button type="submit" class="primary" disabled={busy}>
        Add domain
      </button>
      {error && (
        <span class="inline-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
