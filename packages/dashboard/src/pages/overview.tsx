// Overview: what was sent and what became of it, per day (GET /api/stats), the bounce and complaint
// rates against SES's lines, and each stream's guardrail state (GET /api/reputation).
// Filters in the URL: ?days=7|30|90&stream=<id>.

import { useMemo } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { Chart, type Series } from '../components/chart';
import { FormRow, Select } from '../components/forms';
import { ListView } from '../components/list-view';
import { Page } from '../components/page';
import { Badge, Empty, ErrorBox, Loading } from '../components/states';
import { type List, qs } from '../lib/api';
import { formatCount, formatPercent, utcDay } from '../lib/format';
import type { Reputation } from '../lib/reputation';
import { useApi } from '../lib/use-api';
import { useList } from '../lib/use-list';

interface Counts {
  sent: number;
  delivered: number;
  bounced: number;
  soft_bounced: number;
  complained: number;
  opened: number;
  clicked: number;
  failed: number;
  delivery_rate: number;
  bounce_rate: number;
  complaint_rate: number;
}
interface Stats {
  from: string;
  to: string;
  data: (Counts & { date: string; stream: string })[];
  totals: Counts;
}

const RANGES = [7, 30, 90];
const COUNTED = [
  ['sent', 'Sent', '#4f6bed'],
  ['delivered', 'Delivered', '#1f9d55'],
  ['bounced', 'Bounced', '#d64545'],
  ['complained', 'Complained', '#b7791f'],
  ['opened', 'Opened', '#805ad5'],
  ['clicked', 'Clicked', '#2b8a9e'],
] as const;
/** SES's own lines: its review starts at 5% bounces / 0.1% complaints and it may pause at 10% / 0.5%. */
const BOUNCE_LINES = [
  [0.05, 'SES review 5%'],
  [0.1, 'SES pause 10%'],
] as const;
const COMPLAINT_LINES = [
  [0.001, 'SES review 0.1%'],
  [0.005, 'SES pause 0.5%'],
] as const;

const percentAxis = (v: number) => formatPercent(v);

export function OverviewPage() {
  const { query, route, path } = useLocation();
  const days = RANGES.includes(Number(query.days)) ? Number(query.days) : 30;
  const stream = query.stream ?? '';
  const to = new Date();
  const from = new Date(to.getTime() - (days - 1) * 86_400_000);
  const stats = useApi<Stats>(`/api/stats${qs({ from: utcDay(from), to: utcDay(to), stream })}`);
  const reputation = useList<Reputation>('/api/reputation');
  const streams = useApi<List<{ id: string; name: string }>>('/api/streams?limit=100');
  const setFilter = (name: string, value: string) =>
    route(`${path}${qs({ days: String(days), stream, [name]: value })}`, true);

  return (
    <Page title="Overview">
      <FormRow>
        <Select
          label="Range"
          value={String(days)}
          onValue={(value) => setFilter('days', value)}
          options={RANGES.map((n) => [String(n), `Last ${n} days`] as const)}
        />
        <Select
          label="Stream"
          value={stream}
          onValue={(value) => setFilter('stream', value)}
          options={[['', 'All streams'], ...(streams.data?.data.map((s) => [s.id, s.name] as const) ?? [])]}
        />
      </FormRow>
      {stats.error ? (
        <ErrorBox error={stats.error} retry={stats.reload} />
      ) : !stats.data ? (
        <Loading what="Loading stats" />
      ) : (
        <StatsView stats={stats.data} />
      )}
      <h2>Reputation</h2>
      <ListView
        list={reputation}
        loading="Loading reputation"
        empty={
          <Empty title="No stream has sent yet">
            <p>Each stream's bounce and complaint rates over the last 7 days appear here once it sends.</p>
          </Empty>
        }
        rowKey={(r) => r.stream}
        columns={[
          { head: 'Stream', cell: (r) => r.stream },
          { head: 'State', cell: (r) => <Badge value={r.status} /> },
          { head: 'Sent (window)', cell: (r) => formatCount(r.sent) },
          { head: 'Bounce rate', cell: (r) => formatPercent(r.bounce_rate) },
          { head: 'Complaint rate', cell: (r) => formatPercent(r.complaint_rate) },
          {
            head: 'Why',
            cell: (r) =>
              r.reason ??
              (r.sent < r.minimum_sends
                ? `Rates are judged from ${r.minimum_sends} sends in ${r.window_days} days.`
                : '—'),
          },
        ]}
      />
    </Page>
  );
}

function StatsView({ stats }: { stats: Stats }) {
  const charts = useMemo(() => chartData(stats), [stats]);
  const { totals } = stats;
  if (totals.sent === 0 && stats.data.length === 0) {
    return (
      <Empty title="Nothing sent in this range">
        <p>
          Send an email with your API key (<code>POST /api/emails</code>, or the resend SDK pointed at{' '}
          <code>{location.origin}/api</code>) and it shows here within seconds. See the{' '}
          <a href="/docs">API reference</a>.
        </p>
      </Empty>
    );
  }
  return (
    <>
      <dl class="tiles">
        {COUNTED.map(([key, label]) => (
          <div key={key}>
            <dt>{label}</dt>
            <dd>{formatCount(totals[key])}</dd>
          </div>
        ))}
        <div>
          <dt>Bounce rate</dt>
          <dd>{formatPercent(totals.bounce_rate)}</dd>
        </div>
        <div>
          <dt>Complaint rate</dt>
          <dd>{formatPercent(totals.complaint_rate)}</dd>
        </div>
      </dl>
      <h2>Per day</h2>
      <Chart days={charts.days} series={charts.counts} label="Emails per day by outcome" />
      <div class="two">
        <div>
          <h3>Bounce rate</h3>
          <Chart
            days={charts.days}
            series={charts.bounce}
            height={180}
            format={percentAxis}
            label="Bounce rate per day, with SES's 5% and 10% lines"
          />
        </div>
        <div>
          <h3>Complaint rate</h3>
          <Chart
            days={charts.days}
            series={charts.complaint}
            height={180}
            format={percentAxis}
            label="Complaint rate per day, with SES's 0.1% and 0.5% lines"
          />
        </div>
      </div>
    </>
  );
}

/** Every day of the range (days without events count zero), all streams of a day added up. */
function chartData(stats: Stats) {
  const byDay = new Map<string, Counts>();
  for (const row of stats.data) {
    const day = byDay.get(row.date);
    if (!day) byDay.set(row.date, { ...row });
    else for (const [key] of COUNTED) day[key] += row[key];
  }
  const days: number[] = [];
  const dates: string[] = [];
  for (
    let t = Date.parse(`${stats.from}T00:00:00Z`);
    t <= Date.parse(`${stats.to}T00:00:00Z`);
    t += 86_400_000
  ) {
    days.push(t / 1000);
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  const value = (date: string, key: (typeof COUNTED)[number][0]) => byDay.get(date)?.[key] ?? 0;
  const rate = (date: string, key: 'bounced' | 'complained') => {
    const sent = value(date, 'sent');
    return sent ? value(date, key) / sent : null;
  };
  const counts: Series[] = COUNTED.map(([key, label, color]) => ({
    label,
    color,
    values: dates.map((d) => value(d, key)),
  }));
  const lines = (defs: readonly (readonly [number, string])[]): Series[] =>
    defs.map(([level, label], i) => ({
      label,
      color: i === 0 ? '#b7791f' : '#d64545',
      values: dates.map(() => level),
      dash: true,
    }));
  return {
    days,
    counts,
    bounce: [
      { label: 'Bounce rate', color: '#d64545', values: dates.map((d) => rate(d, 'bounced')) },
      ...lines(BOUNCE_LINES),
    ],
    complaint: [
      { label: 'Complaint rate', color: '#b7791f', values: dates.map((d) => rate(d, 'complained')) },
      ...lines(COMPLAINT_LINES),
    ],
  };
}
