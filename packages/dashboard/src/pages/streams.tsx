// Streams and reputation: each message stream's settings beside its guardrail state (bounce and
// complaint rates over the window), and resuming a stream the guardrail paused.
import { Action } from '../components/action';
import { ListView } from '../components/list-view';
import { Page } from '../components/page';
import { Badge, Empty, ErrorBox } from '../components/states';
import { api } from '../lib/api';
import { formatCount, formatPercent } from '../lib/format';
import type { Reputation } from '../lib/reputation';
import { useCan } from '../lib/session';
import { useApi } from '../lib/use-api';
import { useList } from '../lib/use-list';

interface Stream {
  id: string;
  name: string;
  type: string;
  track_opens: boolean | null;
  track_clicks: boolean | null;
  list_unsubscribe: boolean;
  default: boolean;
}

const onOff = (value: boolean | null) => (value === null ? 'domain default' : value ? 'on' : 'off');

export function StreamsPage() {
  const streams = useList<Stream>('/api/streams?limit=100');
  const reputation = useApi<{ data: Reputation[] }>('/api/reputation');
  const can = useCan();
  const error = streams.error ?? reputation.error;
  if (error)
    return (
      <Page title="Streams">
        <ErrorBox
          error={error}
          retry={() => {
            streams.reload();
            reputation.reload();
          }}
        />
      </Page>
    );
  const byStream = new Map(reputation.data?.data.map((r) => [r.stream, r]));
  const reputationOf = (s: Stream) => byStream.get(s.id);
  return (
    <Page title="Streams">
      <ListView
        list={streams}
        loading="Loading streams"
        empty={
          <Empty title="No stream">
            <p>Create one with POST /api/streams to send a kind of mail with its own reputation.</p>
          </Empty>
        }
        columns={[
          {
            head: 'Stream',
            cell: (s) => (
              <>
                {s.name} <code>{s.id}</code>
              </>
            ),
          },
          { head: 'Type', cell: (s) => s.type },
          {
            head: 'Opens / clicks',
            cell: (s) => (
              <>
                {onOff(s.track_opens)} / {onOff(s.track_clicks)}
              </>
            ),
          },
          {
            head: 'State',
            cell: (s) => {
              const r = reputationOf(s);
              return (
                <>
                  <Badge value={r?.status ?? 'ok'} />
                  {r?.reason && <div class="muted">{r.reason}</div>}
                </>
              );
            },
          },
          { head: 'Sent (7 days)', cell: (s) => formatCount(reputationOf(s)?.sent ?? 0) },
          { head: 'Bounces', cell: (s) => formatPercent(reputationOf(s)?.bounce_rate ?? 0) },
          { head: 'Complaints', cell: (s) => formatPercent(reputationOf(s)?.complaint_rate ?? 0) },
          can.write && {
            cell: (s) =>
              reputationOf(s)?.status === 'paused' && (
                <Action
                  kind="primary"
                  confirm={`Resume sending on ${s.id}? Fix what raised the rates first.`}
                  run={() =>
                    api('/api/reputation/resume', { method: 'POST', body: { stream: s.id } }).then(
                      reputation.reload,
                    )
                  }
                >
                  Resume sending
                </Action>
              ),
          },
        ]}
      />
    </Page>
  );
}
