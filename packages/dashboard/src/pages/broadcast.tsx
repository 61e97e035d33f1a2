// One broadcast. Draft or scheduled: its editor, a test send, and review → send now or schedule.
// Once sending: live progress (polled while queued), stats, recipients by outcome and clicked links,
// with pause / resume / cancel. Any broadcast can be duplicated into a new draft.
import { useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { Action } from '../components/action';
import { Page } from '../components/page';
import { Badge, Empty, ErrorBox, Loading } from '../components/states';
import { api, type List, qs } from '../lib/api';
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
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label class="grow">
          Send the saved version to (up to 5, comma-separated)
          <input
            value={to}
            onInput={(event) => setTo(event.currentTarget.value)}
            placeholder="you@example.com"
          />
        </label>
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
      </form>
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
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <Action kind="primary" confirm={`Send "${b.name}" to its segment now?`} run={() => send()}>
          Send now
        </Action>
        <label>
          Or at
          <input type="datetime-local" value={at} onInput={(event) => setAt(event.currentTarget.value)} />
        </label>
        <Action run={() => send(new Date(at).toISOString())}>Schedule</Action>
      </form>
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
  const list = useApi<List<Recipient>>(`/api/broadcasts/${id}/recipients${qs({ limit: 100, type })}`);
  return (
    <>
      <h2>Recipients</h2>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Outcome
          <select value={type} onChange={(event) => setType(event.currentTarget.value)}>
            <option value="">All</option>
            {RECIPIENT_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
      </form>
      {list.error ? (
        <ErrorBox error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading what="Loading recipients" />
      ) : list.data.data.length === 0 ? (
        <Empty title={type ? `No recipient ${type}` : 'No recipient yet'} />
      ) : (
        <div class="table-wrap">
          <table class="recipients">
            <thead>
              <tr>
                <th>Address</th>
                <th>Status</th>
                {type && <th>Detail</th>}
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((r) => (
                <tr key={r.id}>
                  <td>
                    <a href={`/emails/${r.id}`}>{r.email}</a>
                  </td>
                  <td>
                    <Badge value={r.status} />
                  </td>
                  {type && <td>{r.bounce_type ?? (r.count !== undefined ? `${r.count}×` : '')}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function ClickedLinks({ id }: { id: string }) {
  const links = useApi<List<ClickedLink>>(`/api/broadcasts/${id}/clicked-links?limit=100`);
  return (
    <>
      <h2>Clicked links</h2>
      {links.error ? (
        <ErrorBox error={links.error} retry={links.reload} />
      ) : !links.data ? (
        <Loading what="Loading clicked links" />
      ) : links.data.data.length === 0 ? (
        <Empty title="No link clicked yet">
          <p class="muted">Machine clicks (scanners, prefetching) are not counted.</p>
        </Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Link</th>
                <th>Clicks</th>
                <th>People</th>
              </tr>
            </thead>
            <tbody>
              {links.data.data.map((l) => (
                <tr key={l.id}>
                  <td class="value">
                    <code>{l.url}</code>
                  </td>
                  <td>{formatCount(l.clicks)}</td>
                  <td>{formatCount(l.unique_clicks)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
