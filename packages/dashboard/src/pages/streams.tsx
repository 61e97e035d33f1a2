// Streams and reputation: each message stream's settings beside its guardrail state (bounce and
// complaint rates over the window), and resuming a stream the guardrail paused.
import { Action } from '../components/action';
import { Page } from '../components/page';
import { Badge, Empty, ErrorBox, Loading } from '../components/states';
import { api, type List } from '../lib/api';
import { formatCount, formatPercent } from '../lib/format';
import { useCan } from '../lib/session';
import { useApi } from '../lib/use-api';

interface Stream {
  id: string;
  name: string;
  type: string;
  track_opens: boolean | null;
  track_clicks: boolean | null;
  list_unsubscribe: boolean;
  default: boolean;
}
interface Reputation {
  stream: string;
  status: 'ok' | 'warning' | 'paused';
  sent: number;
  bounce_rate: number;
  complaint_rate: number;
  reason: string | null;
}

const onOff = (value: boolean | null) => (value === null ? 'domain default' : value ? 'on' : 'off');

export function StreamsPage() {
  const streams = useApi<List<Stream>>('/api/streams?limit=100');
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
  return (
    <Page title="Streams">
      {!streams.data ? (
        <Loading what="Loading streams" />
      ) : streams.data.data.length === 0 ? (
        <Empty title="No stream">
          <p>Create one with POST /api/streams to send a kind of mail with its own reputation.</p>
        </Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Stream</th>
                <th>Type</th>
                <th>Opens / clicks</th>
                <th>State</th>
                <th>Sent (7 days)</th>
                <th>Bounces</th>
                <th>Complaints</th>
                {can.write && <th />}
              </tr>
            </thead>
            <tbody>
              {streams.data.data.map((s) => {
                const r = byStream.get(s.id);
                return (
                  <tr key={s.id}>
                    <td>
                      {s.name} <code>{s.id}</code>
                    </td>
                    <td>{s.type}</td>
                    <td>
                      {onOff(s.track_opens)} / {onOff(s.track_clicks)}
                    </td>
                    <td>
                      <Badge value={r?.status ?? 'ok'} />
                      {r?.reason && <div class="muted">{r.reason}</div>}
                    </td>
                    <td>{formatCount(r?.sent ?? 0)}</td>
                    <td>{formatPercent(r?.bounce_rate ?? 0)}</td>
                    <td>{formatPercent(r?.complaint_rate ?? 0)}</td>
                    {can.write && (
                      <td>
                        {r?.status === 'paused' && (
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
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
