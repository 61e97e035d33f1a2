// The audit log: who changed what and when, newest first; filters (action, target type, actor type)
// are the API's own and live in the URL.

import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { Page } from '../components/page';
import { Empty, ErrorBox, Loading } from '../components/states';
import { api, type List, qs } from '../lib/api';
import { formatDate } from '../lib/format';

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
  const [entries, setEntries] = useState<Entry[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [state, setState] = useState<{ loading: boolean; error?: Error }>({ loading: true });
  const key = qs(filters);
  const load = async (after?: string) => {
    setState({ loading: true });
    try {
      const page = await api<List<Entry>>(`/api/audit-logs${qs({ ...filters, limit: 50, after })}`);
      setEntries((previous) => (after ? [...previous, ...page.data] : page.data));
      setHasMore(page.has_more === true);
      setState({ loading: false });
    } catch (error) {
      setState({ loading: false, error: error as Error });
    }
  };
  useEffect(() => void load(), [key]);
  const set = (name: string, value: string) => route(`${path}${qs({ ...filters, [name]: value })}`, true);
  return (
    <Page title="Audit log">
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Action
          <input
            placeholder="domain.created"
            value={filters.action}
            onChange={(event) => set('action', event.currentTarget.value)}
          />
        </label>
        <label>
          Target type
          <input
            placeholder="domain"
            value={filters.target_type}
            onChange={(event) => set('target_type', event.currentTarget.value)}
          />
        </label>
        <label>
          Actor
          <select
            value={filters.actor_type}
            onChange={(event) => set('actor_type', event.currentTarget.value)}
          >
            <option value="">Anyone</option>
            {ACTORS.map((a) => (
              <option key={a} value={a}>
                {a.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
      </form>
      {state.error && <ErrorBox error={state.error} retry={() => load()} />}
      {!state.error && state.loading && entries.length === 0 && <Loading what="Loading the audit log" />}
      {!state.loading && !state.error && entries.length === 0 && (
        <Empty title="Nothing recorded">
          <p>
            Every change through the API or this dashboard (keys, domains, users, settings) is recorded here.
          </p>
        </Empty>
      )}
      {entries.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>When</th>
                <th>Action</th>
                <th>Target</th>
                <th>By</th>
                <th>Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td>{formatDate(e.created_at)}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    {e.target_type} <code>{e.target_id}</code>
                  </td>
                  <td>
                    {e.actor_type.replace('_', ' ')} <code>{e.actor_id}</code>
                  </td>
                  <td class="value">
                    <code>{JSON.stringify(e.summary)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {hasMore && (
        <button type="button" class="link" disabled={state.loading} onClick={() => load(entries.at(-1)?.id)}>
          Load more
        </button>
      )}
    </Page>
  );
}
