// The figures of bench/cost.ts: the cost lines it reads from the stack log, summed per phase, step and
// worker, priced (cost-prices.ts) and written as results/cost.{json,md} and results/scale.{json,md}.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRICES, PRICES_READ_ON, price } from './cost-prices.ts';

const round = (value: number, digits = 3) => Number(value.toFixed(digits));

// ---- the cost lines -------------------------------------------------------------------------------

export interface CostLine {
  event: 'cost';
  worker: string;
  unit: string;
  invocation: 'request' | 'rpc' | 'queue' | 'scheduled';
  route?: string;
  queue?: string;
  d1: {
    statements: number;
    round_trips: number;
    rows_read: number;
    rows_written: number;
    duration_ms: number;
  };
  r2: { class_a: number; class_b: number; deletes: number };
  kv: { reads: number; writes: number; deletes: number; lists: number };
  queues: { sent: number; read: number; acked: number; retried: number };
  durable_objects: { requests: number };
  services: { calls: number };
}

/** The resources a set of units used, flat: what is summed, divided and priced. */
export const RESOURCES = [
  'requests',
  'rpc_calls',
  'd1_statements',
  'd1_round_trips',
  'd1_rows_read',
  'd1_rows_written',
  'd1_duration_ms',
  'r2_class_a',
  'r2_class_b',
  'kv_reads',
  'kv_writes',
  'queue_messages_sent',
  'queue_messages_read',
  'queue_messages_acked',
  'queue_messages_retried',
  'do_requests',
] as const;
type Resource = (typeof RESOURCES)[number];
export type Usage = Record<Resource, number>;

export const emptyUsage = (): Usage => Object.fromEntries(RESOURCES.map((r) => [r, 0])) as Usage;

export function add(usage: Usage, line: CostLine): void {
  // Requests from the internet, queue batches and cron runs are billed invocations; calls over a
  // service binding are not (their CPU time is the caller's).
  if (line.invocation === 'rpc') usage.rpc_calls++;
  else usage.requests++;
  usage.d1_statements += line.d1.statements;
  usage.d1_round_trips += line.d1.round_trips;
  usage.d1_rows_read += line.d1.rows_read;
  usage.d1_rows_written += line.d1.rows_written;
  usage.d1_duration_ms += line.d1.duration_ms ?? 0;
  usage.r2_class_a += line.r2.class_a;
  usage.r2_class_b += line.r2.class_b;
  usage.kv_reads += line.kv.reads;
  usage.kv_writes += line.kv.writes + line.kv.deletes + line.kv.lists;
  usage.queue_messages_sent += line.queues.sent;
  usage.queue_messages_read += line.queues.read;
  usage.queue_messages_acked += line.queues.acked;
  usage.queue_messages_retried += line.queues.retried;
  usage.do_requests += line.durable_objects.requests;
}

export const divide = (usage: Usage, by: number): Usage =>
  Object.fromEntries(RESOURCES.map((r) => [r, round(usage[r] / Math.max(1, by), 4)])) as Usage;

/** The step of an email's life a unit belongs to; `tracking` says whether opens/clicks were under way. */
export function stepOf(line: CostLine, tracking: boolean): string {
  const route = line.route ?? '';
  if (line.unit === 'scheduled' || line.unit === 'recover') return 'background (recovery cron)';
  if (/ \/api\/emails(\/batch)?$/.test(route) || line.unit === 'accept' || line.unit === 'acceptBatch')
    return 'accept';
  if (line.queue?.startsWith('mailgrid-send')) return 'send';
  if (line.queue?.startsWith('mailgrid-broadcasts')) return 'broadcast dispatch';
  if (/\/api\/broadcasts|\/api\/segments/.test(route) || /Broadcast|Segment/.test(line.unit))
    return 'broadcast setup';
  if (route.includes('/api/webhooks/ses')) return 'SES events';
  if (line.queue?.startsWith('mailgrid-webhooks')) return 'webhook delivery';
  if (/ \/[ocu]\//.test(route) || line.worker === 'tracking') return 'open + click';
  if (line.queue?.startsWith('mailgrid-events')) return tracking ? 'open + click' : 'SES events';
  return 'other';
}

export interface PhaseResult {
  name: string;
  emails: number;
  seconds: number;
  usage: Usage;
  per_email: Usage;
  by_step: Record<string, Usage>;
  by_worker: Record<string, Usage>;
  background: Usage;
  workerd_cpu_ms_per_email: number;
  state_bytes_per_email: { d1: number; r2: number };
  ses_events: number;
  unreadable_lines: number;
  waits_given_up: string[];
}

/** What the run was: its sizes, where the files go, and what the webhook receiver saw. */
export interface RunSettings {
  singles: number;
  batches: number;
  batch_size: number;
  broadcast: number;
  ses_max_send_rate: number;
  out: string;
  webhook_posts: number;
}

export function writeResults(phases: PhaseResult[], run: RunSettings) {
  const measuredAt = new Date().toISOString();
  const machine = `${process.platform} ${process.arch}, node ${process.version}, wrangler dev (local workerd)`;
  const emails = phases.reduce((sum, p) => sum + p.emails, 0);
  const total = emptyUsage();
  for (const p of phases) for (const r of RESOURCES) total[r] += p.usage[r];
  const perEmail = divide(total, emails);
  const cpuPerEmail = round(
    phases.reduce((s, p) => s + p.workerd_cpu_ms_per_email * p.emails, 0) / emails,
    2,
  );
  const statePerEmail = {
    d1: Math.round(phases.reduce((s, p) => s + p.state_bytes_per_email.d1 * p.emails, 0) / emails),
    r2: Math.round(phases.reduce((s, p) => s + p.state_bytes_per_email.r2 * p.emails, 0) / emails),
  };
  const priced = (usage: Usage, cpu: number, state: { d1: number; r2: number }) => price(usage, cpu, state);
  const overall = priced(perEmail, cpuPerEmail, statePerEmail);
  const byPhase = Object.fromEntries(
    phases.map((p) => [p.name, priced(p.per_email, p.workerd_cpu_ms_per_email, p.state_bytes_per_email)]),
  );
  const goal = 5;
  const biggest = [...overall.lines].sort((a, b) => b.usd_per_million_emails - a.usd_per_million_emails);

  const cost = {
    measured_at: measuredAt,
    machine,
    command: 'node bench/cost.ts',
    settings: {
      singles: run.singles,
      batches: run.batches,
      batch_size: run.batch_size,
      broadcast: run.broadcast,
      ses_max_send_rate: run.ses_max_send_rate,
    },
    usd_per_million_emails: overall.total,
    goal_usd_per_million_emails: goal,
    goal_met: overall.total <= goal,
    biggest_item: biggest[0]?.item ?? null,
    emails,
    webhook_posts_received: run.webhook_posts,
    per_email: perEmail,
    workerd_cpu_ms_per_email: cpuPerEmail,
    state_bytes_per_email: statePerEmail,
    breakdown: overall.lines,
    by_phase: Object.fromEntries(
      phases.map((p) => [
        p.name,
        {
          emails: p.emails,
          seconds: p.seconds,
          usd_per_million_emails: byPhase[p.name]?.total,
          per_email: p.per_email,
          by_step: p.by_step,
          by_worker: p.by_worker,
          workerd_cpu_ms_per_email: p.workerd_cpu_ms_per_email,
          state_bytes_per_email: p.state_bytes_per_email,
          background_not_counted: p.background,
          unreadable_cost_lines: p.unreadable_lines,
          waits_given_up: p.waits_given_up,
        },
      ]),
    ),
    prices: PRICES,
    prices_read_on: PRICES_READ_ON,
    assumptions: [
      'List prices beyond each plan allowance (the Workers Paid $5/month and its included usage are left out: at volume they are noise).',
      'A billed Worker request: an HTTP request from the internet, a queue consumer batch, a cron run. Calls over service bindings are not billed as requests (Workers pricing, "Service bindings").',
      'Queue operations: one write per message sent, one read per delivery attempt, one delete per ack; every message here is under 64 KB.',
      'CPU time: the CPU of the local workerd processes (which also run local D1, R2, Queues and KV) per email: an upper bound on billed Worker CPU.',
      "Storage: the local D1 database's growth (SQLite pages in use) and the R2 bytes per email, priced for one month kept; emails are not expired today, so every further month kept costs it again.",
      'Durable Object duration: the RateLimiter answers in well under a millisecond and hibernates when idle; at 1 ms × 128 MB per request it is below $0.002 per million requests, so left out.',
    ],
  };
  writeFileSync(join(run.out, 'cost.json'), `${JSON.stringify(cost, null, 2)}\n`);

  const money = (usd: number) => `$${usd.toFixed(usd < 0.1 ? 3 : 2)}`;
  const fmt = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(value < 1 ? 3 : 2));
  const top = biggest[0];
  // What keeps the total above the goal: each line that alone is over it, else the largest lines.
  const over = biggest.filter((line) => line.usd_per_million_emails > goal);
  const aboveBecause =
    overall.total <= goal
      ? ''
      : ` Above the goal because of ${(over.length > 0 ? over : biggest.slice(0, 2))
          .map((line) => `${line.item} (${money(line.usd_per_million_emails)})`)
          .join(
            ' and ',
          )}${over.length > 0 ? `: ${over.length === 1 ? 'that line alone is' : 'each alone is'} over $${goal}` : ''}.` +
        ' Why they stay there, and what would lower them: [docs/cost.md](../../docs/cost.md#why-it-is-still-above-5-and-what-would-lower-it).';
  // COST_COMPARE=<an earlier cost.json>: each line beside the earlier run's (before a change).
  const before = process.env.COST_COMPARE
    ? (JSON.parse(readFileSync(process.env.COST_COMPARE, 'utf8')) as {
        measured_at: string;
        settings: { singles: number; batches: number; broadcast: number };
        usd_per_million_emails: number;
        breakdown: { item: string; per_email: number; usd_per_million_emails: number }[];
      })
    : null;
  const earlier = (item: string) => before?.breakdown.find((line) => line.item === item);
  const md = [
    `# Platform cost per email (${measuredAt})`,
    '',
    `Machine: ${machine}. Command: \`flock /tmp/mesh.lock node scripts/run.mjs node bench/cost.ts\` (also in \`npm run bench\`).`,
    `Run: ${run.singles} single emails, ${run.batches} batches of ${run.batch_size}, a ${run.broadcast}-recipient broadcast (SES_MAX_SEND_RATE ${run.ses_max_send_rate}/s); ` +
      'each email accepted, sent to the local SES, its `Send` and `Delivery` events back through SNS → gateway, one open, one click, one `email.delivered` webhook delivery.',
    '',
    `**${money(overall.total)} of Cloudflare platform per 1M emails** at list prices (read ${PRICES_READ_ON}) — goal ≤ $${goal}: **${overall.total <= goal ? 'met' : 'not met'}**.` +
      (top
        ? ` Biggest item: ${top.item} (${money(top.usd_per_million_emails)}, ${Math.round((100 * top.usd_per_million_emails) / Math.max(overall.total, 1e-9))} %).`
        : '') +
      aboveBecause,
    '',
    before
      ? `The "before" columns are an earlier run of this bench (${before.measured_at}; ${before.settings.singles} singles, ${before.settings.batches} batches, a ${before.settings.broadcast}-recipient broadcast), before this round of changes.`
      : '',
    '',
    `| item | per email | unit price | $ per 1M emails | share |${before ? ' before: per email | before: $ per 1M |' : ''}`,
    `|---|---|---|---|---|${before ? '---|---|' : ''}`,
    ...biggest.map(
      (line) =>
        `| ${line.item} | ${fmt(line.per_email)} ${line.unit} | ${line.price} | ${money(line.usd_per_million_emails)} | ${Math.round((100 * line.usd_per_million_emails) / Math.max(overall.total, 1e-9))} % |` +
        (before
          ? ` ${fmt(earlier(line.item)?.per_email ?? 0)} | ${money(earlier(line.item)?.usd_per_million_emails ?? 0)} |`
          : ''),
    ),
    `| **total** | | | **${money(overall.total)}** | |${before ? ` | **${money(before.usd_per_million_emails)}** |` : ''}`,
    '',
    '| phase | emails | $ per 1M | requests | D1 statements | D1 round trips | D1 rows written | R2 A / B | queue msgs sent | DO requests |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...phases.map(
      (p) =>
        `| ${p.name} | ${p.emails} | ${money(byPhase[p.name]?.total ?? 0)} | ${fmt(p.per_email.requests)} | ${fmt(p.per_email.d1_statements)} | ${fmt(p.per_email.d1_round_trips)} | ${fmt(p.per_email.d1_rows_written)} | ${fmt(p.per_email.r2_class_a)} / ${fmt(p.per_email.r2_class_b)} | ${fmt(p.per_email.queue_messages_sent)} | ${fmt(p.per_email.do_requests)} |`,
    ),
    '',
    'Per email, by step of its life:',
    '',
    '| phase | step | requests | D1 statements | D1 round trips | D1 rows written | R2 class A | queue msgs sent | DO requests |',
    '|---|---|---|---|---|---|---|---|---|',
    ...phases.flatMap((p) =>
      Object.entries(p.by_step)
        .sort((a, b) => b[1].d1_statements - a[1].d1_statements)
        .map(
          ([step, u]) =>
            `| ${p.name} | ${step} | ${fmt(u.requests)} | ${fmt(u.d1_statements)} | ${fmt(u.d1_round_trips)} | ${fmt(u.d1_rows_written)} | ${fmt(u.r2_class_a)} | ${fmt(u.queue_messages_sent)} | ${fmt(u.do_requests)} |`,
        ),
    ),
    '',
    'Prices (Cloudflare list prices, Workers Paid, beyond the included usage):',
    '',
    ...Object.values(PRICES).map((p) => `- ${p.what}: ${p.price} (${p.source})`),
    '',
    'How it is counted: every worker logs one `{"event":"cost"}` line per unit of work (an HTTP request, an RPC call, a queue batch, a cron run; ' +
      '`@mailgrid/runtime` metered-env wraps the bindings at each entry point), and this run sums them between phase boundaries in the stack log. ' +
      'The recovery cron (once a minute, whatever the volume) is left out of the per-email figures. ' +
      `Assumptions: ${cost.assumptions.join(' ')}`,
    '',
  ].join('\n');
  writeFileSync(join(run.out, 'cost.md'), md);
  console.log(md);

  writeScale(phases, measuredAt, machine, run.out, statePerEmail.d1);
}

/** D1's size limit per database (Workers Paid), which cannot be raised. */
const D1_DATABASE_LIMIT_BYTES = 10e9;

/** `d1BytesPerEmail`: the run's D1 growth per email, as cost.json has it (state_bytes_per_email.d1). */
function writeScale(
  phases: PhaseResult[],
  measuredAt: string,
  machine: string,
  out: string,
  d1BytesPerEmail: number,
) {
  // Issue 19's lifecycle: accept, send, and SES's Send and Delivery events; beside it the full one
  // (with the broadcast's own steps, the open, the click and the webhook delivery).
  const LIFECYCLE = ['accept', 'send', 'broadcast dispatch', 'broadcast setup', 'SES events'];
  const stepSum = (p: PhaseResult, steps: string[] | null, r: Resource) =>
    Object.entries(p.by_step)
      .filter(([step]) => steps === null || steps.includes(step))
      .reduce((sum, [, u]) => sum + u[r], 0);
  const emails = phases.reduce((s, p) => s + p.emails, 0);
  const weighted = (steps: string[] | null, r: Resource) =>
    round(phases.reduce((s, p) => s + stepSum(p, steps, r) * p.emails, 0) / emails, 3);
  const perPhase = phases.map((p) => {
    const sesStep = p.by_step['SES events'];
    const events = p.ses_events;
    return {
      phase: p.name,
      emails: p.emails,
      lifecycle_statements_per_email: round(stepSum(p, LIFECYCLE, 'd1_statements'), 3),
      lifecycle_rows_written_per_email: round(stepSum(p, LIFECYCLE, 'd1_rows_written'), 2),
      lifecycle_d1_ms_per_email: round(stepSum(p, LIFECYCLE, 'd1_duration_ms'), 3),
      full_statements_per_email: round(stepSum(p, null, 'd1_statements'), 3),
      full_rows_written_per_email: round(stepSum(p, null, 'd1_rows_written'), 2),
      accept_statements_per_email: round(p.by_step.accept?.d1_statements ?? 0, 3),
      accept_round_trips_per_email: round(p.by_step.accept?.d1_round_trips ?? 0, 3),
      send_statements_per_email: round(
        (p.by_step.send?.d1_statements ?? 0) + (p.by_step['broadcast dispatch']?.d1_statements ?? 0),
        3,
      ),
      per_ses_event:
        sesStep && events > 0
          ? {
              events,
              statements: round((sesStep.d1_statements * p.emails) / events, 3),
              round_trips: round((sesStep.d1_round_trips * p.emails) / events, 3),
              rows_written: round((sesStep.d1_rows_written * p.emails) / events, 2),
            }
          : null,
    };
  });
  // COST_COMPARE names an earlier cost.json; the scale.json beside it is that run's.
  const comparePath = process.env.COST_COMPARE?.replace(/cost([^/]*)$/, 'scale$1');
  const before = comparePath
    ? (JSON.parse(readFileSync(comparePath, 'utf8')) as {
        measured_at: string;
        statements_per_email_lifecycle: number;
        statements_per_email_full_lifecycle: number;
      })
    : null;
  const lifecycle = weighted(LIFECYCLE, 'd1_statements');
  const lifecycleMs = weighted(LIFECYCLE, 'd1_duration_ms');
  const full = weighted(null, 'd1_statements');
  const fullMs = weighted(null, 'd1_duration_ms');
  const msPerStatement = full > 0 ? round(fullMs / full, 4) : null;
  const broadcast = perPhase.find((p) => p.phase === 'broadcast');
  const ceiling = (statementsOrMs: number) => (statementsOrMs > 0 ? Math.floor(1000 / statementsOrMs) : null);
  // What fills one database's 10 GB first: nothing expires emails or events yet (docs/scaling.md's hot
  // window is a design), so at this many bytes per email it holds this many emails, all time.
  const emailsUntilFull = d1BytesPerEmail > 0 ? Math.floor(D1_DATABASE_LIMIT_BYTES / d1BytesPerEmail) : null;
  const scale = {
    measured_at: measuredAt,
    machine,
    command: 'node bench/cost.ts',
    statements_per_email_lifecycle: lifecycle,
    lifecycle_is:
      'accept + send (or broadcast dispatch) + SES Send and Delivery events, D1 statements amortised over every email of the run',
    statements_per_email_full_lifecycle: full,
    full_lifecycle_is: 'the lifecycle plus one open, one click and one webhook delivery',
    goal: { statements_per_email_lifecycle: 3, met: lifecycle <= 3 },
    rows_written_per_email_lifecycle: weighted(LIFECYCLE, 'd1_rows_written'),
    rows_written_per_email_full_lifecycle: weighted(null, 'd1_rows_written'),
    per_phase: perPhase,
    per_broadcast_recipient: broadcast
      ? {
          statements: broadcast.lifecycle_statements_per_email,
          rows_written: broadcast.lifecycle_rows_written_per_email,
          goal_statements: 1,
          met: broadcast.lifecycle_statements_per_email <= 1,
        }
      : null,
    d1_ms_per_statement_measured: msPerStatement,
    ceiling_emails_per_second_one_database: {
      at_1ms_per_statement: { lifecycle: ceiling(lifecycle), full_lifecycle: ceiling(full) },
      at_measured_durations: { lifecycle: ceiling(lifecycleMs), full_lifecycle: ceiling(fullMs) },
    },
    storage_one_database: { d1_bytes_per_email: d1BytesPerEmail, emails_until_10_gb: emailsUntilFull },
  };
  writeFileSync(join(out, 'scale.json'), `${JSON.stringify(scale, null, 2)}\n`);
  const md = [
    `# D1 statements per email (${measuredAt})`,
    '',
    `Machine: ${machine}. Command: \`flock /tmp/mesh.lock node scripts/run.mjs node bench/cost.ts\` (the same run as cost.md).`,
    '',
    `**${lifecycle} D1 statements per email lifecycle** (accept, send, SES \`Send\` and \`Delivery\` events; amortised over the run's ${emails} emails) — goal ≤ 3: **${lifecycle <= 3 ? 'met' : 'not met'}**. ` +
      `With one open, one click and one webhook delivery: ${full}.` +
      (before
        ? ` Before this round of changes (${before.measured_at}): ${before.statements_per_email_lifecycle} and ${before.statements_per_email_full_lifecycle}.`
        : ''),
    '',
    '| phase | emails | lifecycle statements / email | accept statements (round trips) / email | send statements / email | rows written / email (lifecycle) | full lifecycle statements / email | per SES event: statements, round trips, rows written |',
    '|---|---|---|---|---|---|---|---|',
    ...perPhase.map(
      (p) =>
        `| ${p.phase} | ${p.emails} | ${p.lifecycle_statements_per_email} | ${p.accept_statements_per_email} (${p.accept_round_trips_per_email}) | ${p.send_statements_per_email} | ${p.lifecycle_rows_written_per_email} | ${p.full_statements_per_email} | ${p.per_ses_event ? `${p.per_ses_event.statements}, ${p.per_ses_event.round_trips}, ${p.per_ses_event.rows_written}` : '—'} |`,
    ),
    '',
    broadcast
      ? `Per broadcast recipient: ${broadcast.lifecycle_statements_per_email} statements, ${broadcast.lifecycle_rows_written_per_email} rows written (freeze, dispatch, send and SES events) — goal ≤ 1 statement: **${broadcast.lifecycle_statements_per_email <= 1 ? 'met' : 'not met'}**.`
      : 'No broadcast in this run.',
    '',
    'The ceiling of one database, which runs one statement at a time (every tenant together):',
    '',
    '| assumption | lifecycle | full lifecycle |',
    '|---|---|---|',
    `| 1 ms per statement | ${scale.ceiling_emails_per_second_one_database.at_1ms_per_statement.lifecycle ?? '—'} emails/s | ${scale.ceiling_emails_per_second_one_database.at_1ms_per_statement.full_lifecycle ?? '—'} emails/s |`,
    `| measured locally (D1 meta.duration, ${msPerStatement ?? '—'} ms per statement on average) | ${scale.ceiling_emails_per_second_one_database.at_measured_durations.lifecycle ?? '—'} emails/s | ${scale.ceiling_emails_per_second_one_database.at_measured_durations.full_lifecycle ?? '—'} emails/s |`,
    '',
    'meta.duration is the time SQLite spent in the statement on this machine (no network); a deployed D1 adds its own overhead per statement, which is why the 1 ms row is the planning figure.',
    '',
    `Storage binds before throughput: each email keeps ${d1BytesPerEmail} bytes of D1 (its row, events, webhook delivery and their index entries, measured as the database's growth), so one database's 10 GB holds **${emailsUntilFull?.toLocaleString('en-US') ?? '—'} emails**, all time: nothing expires emails or events yet. [docs/scaling.md](../../docs/scaling.md#storage-the-limit-that-binds-first) keeps a hot window in SQL and moves older mail to R2; that is not built.`,
    '',
  ].join('\n');
  writeFileSync(join(out, 'scale.md'), md);
  console.log(md);
}
