// One domain: the DNS records to publish, each with what the last check found, and the verify button.
import { useLocation, useRoute } from 'preact-iso';
import { Action } from '../components/action';
import { Page } from '../components/page';
import { Badge, ErrorBox, Loading } from '../components/states';
import { api } from '../lib/api';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useApi } from '../lib/use-api';

interface DomainRecord {
  record: string;
  name: string;
  type: string;
  value: string;
  ttl: string;
  status: string;
  priority?: number;
}
interface DomainObject {
  id: string;
  name: string;
  status: string;
  region: string;
  created_at: string;
  last_checked_at: string | null;
  records: DomainRecord[];
}

export function DomainPage() {
  const { params } = useRoute();
  const { route } = useLocation();
  const domain = useApi<DomainObject>(`/api/domains/${params.id}`);
  const can = useCan();
  if (domain.error) return <ErrorBox error={domain.error} retry={domain.reload} />;
  if (!domain.data) return <Loading what="Loading the domain" />;
  const d = domain.data;
  return (
    <Page
      title={d.name}
      actions={
        can.write && (
          <>
            <Action
              kind="primary"
              run={() => api(`/api/domains/${d.id}/verify`, { method: 'POST' }).then(domain.reload)}
            >
              Verify DNS records
            </Action>
            <Action
              kind="danger"
              confirm={`Delete ${d.name}? Emails from it will be refused.`}
              run={() => api(`/api/domains/${d.id}`, { method: 'DELETE' }).then(() => route('/domains'))}
            >
              Delete
            </Action>
          </>
        )
      }
    >
      <p>
        <a href="/domains">← All domains</a>
      </p>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <Badge value={d.status} />
        </dd>
        <dt>Region</dt>
        <dd>{d.region}</dd>
        <dt>Last checked</dt>
        <dd>
          {d.last_checked_at ? formatDate(d.last_checked_at) : 'never: publish the records, then verify'}
        </dd>
      </dl>
      <h2>DNS records</h2>
      <p class="muted">
        Publish each record at your DNS provider (names are relative to {d.name}). DMARC is recommended, not
        required.
      </p>
      <div class="table-wrap">
        <table class="records">
          <thead>
            <tr>
              <th>Record</th>
              <th>Type</th>
              <th>Name</th>
              <th>Value</th>
              <th>TTL</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {d.records.map((r) => (
              <tr key={`${r.record}-${r.name}-${r.type}`}>
                <td>{r.record}</td>
                <td>
                  {r.type}
                  {r.priority !== undefined ? ` ${r.priority}` : ''}
                </td>
                <td>
                  <code>{r.name}</code>
                </td>
                <td class="value">
                  <code>{r.value}</code>
                </td>
                <td>{r.ttl}</td>
                <td>
                  <Badge value={r.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Page>
  );
}
