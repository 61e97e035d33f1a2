// Broadcasts, newest first, by status (`?status=` in the URL, the API's own filter).
import { useLocation } from 'preact-iso';
import { FormRow, Select } from '../components/forms';
import { ListView } from '../components/list-view';
import { Page } from '../components/page';
import { Badge, Empty } from '../components/states';
import { qs } from '../lib/api';
import { BROADCAST_STATUSES, type BroadcastSummary } from '../lib/broadcasts';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useList } from '../lib/use-list';

export function BroadcastsPage() {
  const { query, route, path } = useLocation();
  const status = query.status ?? '';
  const list = useList<BroadcastSummary>(`/api/broadcasts${qs({ limit: 100, status })}`);
  const can = useCan();
  return (
    <Page
      title="Broadcasts"
      actions={
        can.write && (
          <a class="button primary" href="/broadcasts/new">
            New broadcast
          </a>
        )
      }
    >
      <FormRow>
        <Select
          label="Status"
          value={status}
          onValue={(value) => route(`${path}${qs({ status: value })}`, true)}
          options={[['', 'Any'], ...BROADCAST_STATUSES]}
        />
      </FormRow>
      <ListView
        list={list}
        loading="Loading broadcasts"
        empty={
          <Empty title={status ? `No ${status} broadcast` : 'No broadcast yet'}>
            <p>
              A broadcast sends one email to every contact of a segment.{' '}
              {can.write ? 'Create one with "New broadcast".' : 'A developer, admin or owner can create one.'}
            </p>
          </Empty>
        }
        columns={[
          { head: 'Name', cell: (b) => <a href={`/broadcasts/${b.id}`}>{b.name}</a> },
          { head: 'Status', cell: (b) => <Badge value={b.status} /> },
          { head: 'Created', cell: (b) => formatDate(b.created_at) },
          { head: 'Scheduled', cell: (b) => formatDate(b.scheduled_at) },
          { head: 'Sent', cell: (b) => formatDate(b.sent_at) },
        ]}
      />
    </Page>
  );
}
