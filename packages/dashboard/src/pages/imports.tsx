// CSV imports: uploading a file (the raw body, `Content-Type: text/csv`, optionally into a segment),
// and the imports so far. An import's page shows its progress and the rows it refused.
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { AudienceTabs } from '../components/audience-tabs';
import { Page } from '../components/page';
import { Badge, Empty, ErrorBox, Loading } from '../components/states';
import { api, type List, qs } from '../lib/api';
import type { ContactImport, Segment } from '../lib/audience';
import { formatCount, formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useApi } from '../lib/use-api';

export function ImportsPage() {
  const list = useApi<List<ContactImport>>('/api/contacts/imports?limit=100');
  const can = useCan();
  return (
    <Page title="CSV imports">
      <AudienceTabs />
      {can.write && <Upload />}
      {list.error ? (
        <ErrorBox error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading what="Loading imports" />
      ) : list.data.data.length === 0 ? (
        <Empty title="No import yet">
          <p>
            A CSV file with a header row naming an <code>email</code> column (and <code>first_name</code>,{' '}
            <code>last_name</code>, <code>unsubscribed</code> or your contact properties) adds or updates one
            contact per row.
          </p>
        </Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Started</th>
                <th>Status</th>
                <th>Rows</th>
                <th>Created</th>
                <th>Updated</th>
                <th>Failed</th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((i) => (
                <tr key={i.id}>
                  <td>
                    <a href={`/imports/${i.id}`}>{formatDate(i.created_at)}</a>
                  </td>
                  <td>
                    <Badge value={i.status} />
                  </td>
                  <td>{formatCount(i.total_rows)}</td>
                  <td>{formatCount(i.created)}</td>
                  <td>{formatCount(i.updated)}</td>
                  <td>{formatCount(i.failed)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}

function Upload() {
  const { route } = useLocation();
  const segments = useApi<List<Segment>>('/api/segments?limit=100');
  const [file, setFile] = useState<File>();
  const [segment, setSegment] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!file) return;
    setError(undefined);
    setBusy(true);
    try {
      const created = await api<{ id: string }>(`/api/contacts/imports${qs({ segment_id: segment })}`, {
        method: 'POST',
        raw: { body: file, type: 'text/csv' },
      });
      route(`/imports/${created.id}`);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <form class="filters" onSubmit={submit}>
      <label class="grow">
        CSV file
        <input
          type="file"
          accept=".csv,text/csv"
          required
          onChange={(event) => setFile(event.currentTarget.files?.[0])}
        />
      </label>
      <label>
        Into segment
        <select value={segment} onChange={(event) => setSegment(event.currentTarget.value)}>
          <option value="">None</option>
          {segments.data?.data.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" class="primary" disabled={busy || !file}>
        Import
      </button>
      {error && (
        <span class="inline-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
