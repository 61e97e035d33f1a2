// The audit log: who changed what and when, newest first; filters (action, target type, actor type)
// are the API's own and live in the URL.

import { useLocation } from 'preact-iso';
import { Field, FormRow, Select } from '../components/forms';
import { ListView, LoadMore } from '../components/list-view';
import { Page } from '../components/page';
import { Empty } from '../components/states';
import { qs } from '../lib/api';
import { formatDate } from '../lib/format';
import { usePagedList } from '../lib/use-list';

interface Entry {
  id: string;
  actor_type: string;
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string;
  summary: Record<string, unknown>;
  created_at: string;
}

const ACTORS = ['api_key', 'user', 'operator', 'system'];

export function AuditLogPage() {
  const { query, route, path } = useLocation();
  const filters = {
    action: query.action ?? '',
    target_type: query.target_type ?? '',
    actor_type: query.actor_type ?? '',
  };
  const entries = usePagedList<Entry>(`/api/audit-logs${qs({ ...filters, limit: 50 })}`);
  const set = (name: string) => (value: string) => route(`${path}${qs({ ...filters, [name]: value })}`, true);
  return (
    <Page title="Audit log">
      <FormRow>
        <Field label="Action" placeholder="domain.created" value={filters.action} onCommit={set('action')} />
        <Field
          label="Target type"
          placeholder="domain"
          value={filters.target_type}
          onCommit={set('target_type')}
        />
        <Select
          label="Actor"
          value={filters.actor_type}
          onValue={set('actor_type')}
          options={[['', 'Anyone'], ...ACTORS.map((a) => [a, a.replace('_', ' ')] as const)]}
        />
      </FormRow>
      <ListView
        list={entries}
        loading="Loading the audit log"
        empty={
          <Empty title="Nothing recorded">
            <p>
              Every change through the API or this dashboard (keys, domains, users, settings) is recorded
              here.
            </p>
          </Empty>
        }
        columns={[
          { head: 'When', cell: (e) => formatDate(e.created_at) },
          { head: 'Action', cell: (e) => <code>{e.action}</code> },
          {
            head: 'Target',
            cell: (e) => (
              <>
                {e.target_type} <code>{e.target_id}</code>
              </>
            ),
          },
          {
            head: 'By',
            cell: (e) => (
              <>
                {e.actor_type.replace('_', ' ')} <code>{e.actor_id}</code>
              </>
            ),
          },
          { head: 'Details', class: 'value', cell: (e) => <code>{JSON.stringify(e.summary)}</code> },
        ]}
      />
      <LoadMore list={entries}>Load more</LoadMore>
    </Page>
  );
}
