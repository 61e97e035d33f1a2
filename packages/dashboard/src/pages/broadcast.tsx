// One broadcast. Draft or scheduled: its editor, a test send, and review → send now or schedule.
// Once sending: live progress (polled while queued), stats, recipients by outcome and clicked links,
// with pause / resume / cancel. Any broadcast can be duplicated into a new draft.
import { useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { Action } from '../components/action';
import { Field, FormRow, Select } from '../components/forms';
import { ListView } from '../components/list-view';
import { Page } from '../components/page';
import { Badge, Empty, ErrorBox, Loading } from '../components/states';
import { api, qs } from '../lib/api';
import {
  type BroadcastObject,
  type ClickedLink,
  editable,
  inFlight,
  RECIPIENT_TYPES,
  type Recipient,
} from '../lib/broadcasts';
import { formatCount, formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useApi, usePolling } from '../lib/use-api';
import { useList } from '../lib/use-list';
import { BroadcastEditor } from './broadcast-editor';

export function BroadcastPage() {
  const { params } = useRoute();
  const { route } = useLocation();
  const id = params.id as string;
  const broadcast = useApi<BroadcastObject>(`/api/broadcasts/${id}`);
  const can = useCan();
  const status = broadcast.data?.status ?? '';
  usePolling(broadcast.reload, 2000, inFlight(status) || status === 'paused');

  if (broadcast.error && !broadcast.data)
    return <ErrorBox error={broadcast.error} retry={broadcast.reload} />;
  if (!broadcast.data) return <Loading what="Loading the broadcast" />;
  const b = broadcast.data;
  const post = (action: string) => () =>
    api(`/api/broadcasts/${b.id}/${action}`, { method: 'POST' }).then(broadcast.reload);
  return (
    <Page
      title={b.name}
      actions={
        can.write && (
          <>
            {b.status === 'queued' && <Action run={post('pause')}>Pause</Action>}
            {b.status === 'paused' && <Action run={post('resume')}>Resume</Action>}
            {['scheduled', 'queued', 'paused'].includes(b.status) && (
              <Action
                kind="danger"
                confirm="Cancel this broadcast? Emails not yet sent are dropped."
                run={post('cancel')}
              >
                Cancel
              </Action>
            )}
            <Action
              run={() =>
                api<{ id: string }>(`/api/broadcasts/${b.id}/duplicate`, { method: 'POST' }).then((copy) =>
                  route(`/broadcasts/${copy.id}`),
                )
              }
            >
              Duplicate
            </Action>
          </>
        )
      }
    >
      <p>
        <a href="/broadcasts">← All broadcasts</a>
      </p>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <Badge value={b.status} />
        </dd>
        {b.scheduled_at && (
          <>
            <dt>Scheduled for</dt>
            <dd>{formatDate(b.scheduled_at)}</dd>
          </>
        )}
        {b.sent_at && (
          <>
            <dt>Sending started</dt>
            <dd>{formatDate(b.sent_at)}</dd>
          </>
        )}
        <dt>Stream</dt>
        <dd>{b.stream}</dd>
      </dl>
      {editable(b.status) && can.write ? (
        <>
          <BroadcastEditor key={b.id} broadcast={b} onSaved={broadcast.reload} />
          <TestSend id={b.id} />
          {/* A scheduled one goes at its time: cancel it (above) to send it otherwise. */}
          {b.status === 'draft' && <Review broadcast={b} onSent={broadcast.reload} />}
        </>
      ) : (
        <Results broadcast={b} />
      )}
    </Page>
  );
}

function TestSend({ id }: { id: string }) {
  const [to, setTo] = useState('');
  const [sent, setSent] = useState<{ id: string; to: string }[]>();
  return (
    <>
      <h2>Test send</h2>
      <FormRow>
        <Field
          label="Send the saved version to (up to 5, comma-separated)"
          class="grow"
          value={to}
          onValue={setTo}
          placeholder="you@example.com"
        />
        <Action
          run={() =>
            api<{ emails: { id: string; to: string }[] }>(`/api/broadcasts/${id}/test`, {
              method: 'POST',
              body: {
                to: to
                  .split(',')
                  .map((a) => a.trim())
                  .filter(Boolean),
              },
            }).then((result) => setSent(result.emails))
          }
        >
          Send test
        </Action>
      </FormRow>
      {sent && (
        <p role="status">
          Test sent:{' '}
          {sent.map((email, i) => (
            <span key={email.id}>
              {i > 0 && ', '}
              <a href={`/emails/${email.id}`}>{email.to}</a>
            </span>
          ))}
        </p>
      )}
    </>
  );
}

/** What will go out, to whom; then send now or at a time. */
function Review({ broadcast: b, onSent }: { broadcast: BroadcastObject; onSent: () => void }) {
  const [at, setAt] = useState('');
  const send = (scheduledAt?: string) =>
    api(`/api/broadcasts/${b.id}/send`, {
      method: 'POST',
      body: scheduledAt ? { scheduled_at: scheduledAt } : {},
    }).then(onSent);
  return (
    <>
      <h2>Review and send</h2>
      <dl class="facts">
        <dt>From</dt>
        <dd>{b.from}</dd>
        <dt>Subject</dt>
        <dd>{b.subject}</dd>
        <dt>Segment</dt>
        <dd>
          <a href={`/segments/${b.segment_id}`}>{b.segment_id}</a>
        </dd>
        <dt>Topic</dt>
        <dd>{b.topic_id ?? 'none'}</dd>
      </dl>
      <FormRow>
        <Action kind="primary" confirm={`Send "${b.name}" to its segment now?`} run={() => send()}>
          Send now
        </Action>
        <Field label="Or at" type="datetime-local" value={at} onValue={setAt} />
        <Action run={() => send(new Date(at).toISOString())}>Schedule</Action>
      </FormRow>
    </>
  );
}

const STATS = ['sent', 'delivered', 'opened', 'clicked', 'bounced', 'complained', 'unsubscribed'] as const;

function Results({ broadcast: b }: { broadcast: BroadcastObject }) {
  const p = b.progress;
  return (
    <>
      <h2>Progress</h2>
      <progress class="bar" max={100} value={p.percentage} aria-label="Sending progress" />
      <p class="muted">
        {p.percentage}% — {formatCount(p.sent)} sent, {formatCount(p.failed)} failed, {formatCount(p.skipped)}{' '}
        skipped, {formatCount(p.pending)} pending
        {p.recipients !== null && ` of ${formatCount(p.recipients)} recipients`}
        {p.estimated_finish_at && `; done about ${formatDate(p.estimated_finish_at)}`}.
      </p>
      <dl class="tiles">
        {STATS.map((name) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>{formatCount(b.stats[name])}</dd>
          </div>
        ))}
      </dl>
      <Recipients key={b.status} id={b.id} />
      <ClickedLinks id={b.id} />
      <h2>Content</h2>
      <p>
        <strong>{b.subject}</strong> from {b.from}
      </p>
      <div class="preview">
        <iframe sandbox="" title="Broadcast content" srcdoc={b.html ?? ''} />
      </div>
    </>
  );
}

function Recipients({ id }: { id: string }) {
  const [type, setType] = useState('');
  const list = useList<Recipient>(`/api/broadcasts/${id}/recipients${qs({ limit: 100, type })}`);
  return (
    <>
      <h2>Recipients</h2>
      <FormRow>
        <Select label="Outcome" value={type} onValue={setType} options={[['', 'All'], ...RECIPIENT_TYPES]} />
      </FormRow>
      <ListView
        list={list}
        loading="Loading recipients"
        empty={<Empty title={type ? `No recipient ${type}` : 'No recipient yet'} />}
        class="recipients"
        columns={[
          { head: 'Address', cell: (r) => <a href={`/emails/${r.id}`}>{r.email}</a> },
          { head: 'Status', cell: (r) => <Badge value={r.status} /> },
          !!type && {
            head: 'Detail',
            cell: (r) => r.bounce_type ?? (r.count !== undefined ? `${r.count}×` : ''),
          },
        ]}
      />
    </>
  );
}

function ClickedLinks({ id }: { id: string }) {
  const links = useList<ClickedLink>(`/api/broadcasts/${id}/clicked-links?limit=100`);
  return (
    <>
      <h2>Clicked links</h2>
      <ListView
        list={links}
        loading="Loading clicked links"
        empty={
          <Empty title="No link clicked yet">
            <p class="muted">Machine clicks (scanners, prefetching) are not counted.</p>
          </Empty>
        }
        columns={[
          { head: 'Link', class: 'value', cell: (l) => <code>{l.url}</code> },
          { head: 'Clicks', cell: (l) => formatCount(l.clicks) },
          { head: 'People', cell: (l) => formatCount(l.unique_clicks) },
        ]}
      />
    </>
  );
}
