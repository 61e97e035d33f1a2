// One CSV import: a progress bar polled while it runs, its counts, and the rows it refused (row
// number, address, why) once it has them.
import { useRoute } from 'preact-iso';
import { AudienceTabs } from '../components/audience-tabs';
import { ListView } from '../components/list-view';
import { Page } from '../components/page';
import { Badge, Empty, ErrorBox, Loading } from '../components/states';
import type { ContactImport, ImportError } from '../lib/audience';
import { formatCount, formatDate } from '../lib/format';
import { useApi, usePolling } from '../lib/use-api';
import { useList } from '../lib/use-list';

export function ImportPage() {
  const { params } = useRoute();
  const id = params.id as string;
  const job = useApi<ContactImport>(`/api/contacts/imports/${id}`);
  const running = job.data?.status === 'queued' || job.data?.status === 'processing';
  usePolling(job.reload, 1000, running);
  if (job.error && !job.data) return <ErrorBox error={job.error} retry={job.reload} />;
  if (!job.data) return <Loading what="Loading the import" />;
  const i = job.data;
  // Done is 100% whatever the counts say (refused rows may not count as processed).
  const percent =
    i.status === 'completed' ? 100 : i.total_rows > 0 ? Math.round((100 * i.processed) / i.total_rows) : 0;
  return (
    <Page title="CSV import">
      <AudienceTabs />
      <p>
        <a href="/imports">← All imports</a>
      </p>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <Badge value={i.status} />
          {i.error && <span class="inline-error"> {i.error}</span>}
        </dd>
        <dt>Started</dt>
        <dd>{formatDate(i.created_at)}</dd>
        <dt>Finished</dt>
        <dd>{formatDate(i.completed_at)}</dd>
        {i.segment_id && (
          <>
            <dt>Segment</dt>
            <dd>
              <a href={`/segments/${i.segment_id}`}>{i.segment_id}</a>
            </dd>
          </>
        )}
      </dl>
      <progress class="bar" max={100} value={percent} aria-label="Import progress" />
      <p class="muted" role="status">
        {formatCount(i.processed)} of {formatCount(i.total_rows)} rows ({percent}%): {formatCount(i.created)}{' '}
        created, {formatCount(i.updated)} updated, {formatCount(i.unchanged)} unchanged,{' '}
        {formatCount(i.failed)} failed.
      </p>
      {/* Keyed by the failed count, so the report is read again as failures arrive. */}
      {i.failed > 0 && <Errors key={i.failed} id={id} />}
      {i.status === 'completed' && i.failed === 0 && <p>Every row was imported.</p>}
    </Page>
  );
}

function Errors({ id }: { id: string }) {
  const errors = useList<ImportError>(`/api/contacts/imports/${id}/errors?limit=100`);
  return (
    <>
      <h2>Rows not imported</h2>
      <ListView
        list={errors}
        loading="Loading the error report"
        empty={<Empty title="No row refused" />}
        class="import-errors"
        rowKey={(e) => e.row}
        columns={[
          { head: 'Row', cell: (e) => e.row },
          { head: 'Address', cell: (e) => e.email ?? '—' },
          {
            head: 'Why',
            cell: (e) => (
              <>
                <Badge value={e.reason} /> {e.message}
              </>
            ),
          },
        ]}
      />
      {errors.data?.has_more && <p class="muted">The first 100 refused rows are shown.</p>}
    </>
  );
}
