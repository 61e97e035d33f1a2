// CSV imports: uploading a file (the raw body, `Content-Type: text/csv`, optionally into a segment),
// and the imports so far. An import's page shows its progress and the rows it refused.
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { AudienceTabs } from '../components/audience-tabs';
import { Select, SubmitForm } from '../components/forms';
import { ListView } from '../components/list-view';
import { Page } from '../components/page';
import { Badge, Empty } from '../components/states';
import { api, qs } from '../lib/api';
import type { ContactImport, Segment } from '../lib/audience';
import { formatCount, formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useList } from '../lib/use-list';

export function ImportsPage() {
  const list = useList<ContactImport>('/api/contacts/imports?limit=100');
  const can = useCan();
  return (
    <Page title="CSV imports">
      <AudienceTabs />
      {can.write && <Upload />}
      <ListView
        list={list}
        loading="Loading imports"
        empty={
          <Empty title="No import yet">
            <p>
              A CSV file with a header row naming an <code>email</code> column (and <code>first_name</code>,{' '}
              <code>last_name</code>, <code>unsubscribed</code> or your contact properties) adds or updates
              one contact per row.
            </p>
          </Empty>
        }
        columns={[
          { head: 'Started', cell: (i) => <a href={`/imports/${i.id}`}>{formatDate(i.created_at)}</a> },
          { head: 'Status', cell: (i) => <Badge value={i.status} /> },
          { head: 'Rows', cell: (i) => formatCount(i.total_rows) },
          { head: 'Created', cell: (i) => formatCount(i.created) },
          { head: 'Updated', cell: (i) => formatCount(i.updated) },
          { head: 'Failed', cell: (i) => formatCount(i.failed) },
        ]}
      />
    </Page>
  );
}

function Upload() {
  const { route } = useLocation();
  const segments = useList<Segment>('/api/segments?limit=100');
  const [file, setFile] = useState<File>();
  const [segment, setSegment] = useState('');
  return (
    <SubmitForm
      submit="Import"
      kind="primary"
      disabled={!file}
      run={async () => {
        if (!file) return;
        const created = await api<{ id: string }>(`/api/contacts/imports${qs({ segment_id: segment })}`, {
          method: 'POST',
          raw: { body: file, type: 'text/csv' },
        });
        route(`/imports/${created.id}`);
      }}
    >
      <label class="grow">
        CSV file
        <input
          type="file"
          accept=".csv,text/csv"
          required
          onChange={(event) => setFile(event.currentTarget.files?.[0])}
        />
      </label>
      <Select
        label="Into segment"
        value={segment}
        onValue={setSegment}
        options={[['', 'None'], ...(segments.data?.data.map((s) => [s.id, s.name] as const) ?? [])]}
      />
    </SubmitForm>
  );
}
