// Broadcasts, newest first, by status (`?status=` in the URL, the API's own filter).
import { useLocation } from 'preact-iso';
import { Page } from '../components/page';
import { Badge, Empty, ErrorBox, Loading } from '../components/states';
import { type List, qs } from '../lib/api';
import { BROADCAST_STATUSES, type BroadcastSummary } from '../lib/broadcasts';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useApi } from '../lib/use-api';

export function BroadcastsPage() {
  const { query, route, path } = useLocation();
  const status = query.status ?? '';
  const list = useApi<List<BroadcastSummary>>(`/api/broadcasts${qs({ limit: 100, status })}`);
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
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Status
          <select
            value={status}
            onChange={(event) => route(`${path}${qs({ status: event.currentTarget.value })}`, true)}
          >
            <option value="">Any</option>
            {BROADCAST_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </form>
      {list.error ? (
        <ErrorBox error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading what="Loading broadcasts" />
      ) : list.data.data.length === 0 ? (
        <Empty title={status ? `No ${status} broadcast` : 'No broadcast yet'}>
          <p>
            A broadcast sends one email to every contact of a segment.{' '}
            {can.write ? 'Create one with "New broadcast".' : 'A developer, admin or owner can create one.'}
          </p>
        </Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Status</th>
                <th>Created</th>
                <th>Scheduled</th>
                <th>Sent</th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((b) => (
                <tr key={b.id}>
                  <td>
                    <a href={`/broadcasts/${b.id}`}>{b.name}</a>
                  </td>
                  <td>
                    <Badge value={b.status} />
                  </td>
                  <td>{formatDate(b.created_at)}</td>
                  <td>{formatDate(b.scheduled_at)}</td>
                  <td>{formatDate(b.sent_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
