// One domain: the DNS records to publish, each with what the last check found, and the verify button.
import { useLocation, useRoute } from 'preact-iso';
import { Action } from '../components/action';
import { DeleteButton } from '../components/delete-button';
import { Page } from '../components/page';
import { Badge, ErrorBox, Loading } from '../components/states';
import { Table } from '../components/table';
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
            <DeleteButton
              path={`/api/domains/${d.id}`}
              confirm={`Delete ${d.name}? Emails from it will be refused.`}
              then={() => route('/domains')}
            />
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
      <Table
        class="records"
        rows={d.records}
        rowKey={(r) => `${r.record}-${r.name}-${r.type}`}
        columns={[
          { head: 'Record', cell: (r) => r.record },
          {
            head: 'Type',
            cell: (r) => (
              <>
                {r.type}
                {r.priority !== undefined ? ` ${r.priority}` : ''}
              </>
            ),
          },
          { head: 'Name', cell: (r) => <code>{r.name}</code> },
          { head: 'Value', class: 'value', cell: (r) => <code>{r.value}</code> },
          { head: 'TTL', cell: (r) => r.ttl },
          { head: 'Status', cell: (r) => <Badge value={r.status} /> },
        ]}
      />
    </Page>
  );
}
