// Broadcasts on the local stack: for each audience size (10,000 and 100,000 contacts unless
// BROADCAST_SIZES says else, e.g. BROADCAST_SIZES=1000,5000), contacts CSV-imported into a segment of
// their own, a broadcast to that segment sent, and followed to `sent`:
//   - time to freeze the audience (send → GET /api/broadcasts/:id shows progress.recipients; D1's
//     broadcasts.sent_at → frozen_at beside it),
//   - the send rate SES saw over the steady part of the send (5 % → 95 % of the broadcast's SES calls,
//     timed at the metering SES stand-in, ses-meter.ts) ÷ the SES_MAX_SEND_RATE set for the run,
//     and the SendEmail calls answered 429 (the meter emulates SES's throttling at that rate),
//   - time per recipient at each size and the largest ÷ the smallest,
//   - D1 statements, rows written and rows read per recipient, measured by the send worker's metered
//     binding: dispatch from its broadcast.step log lines, the freeze from its broadcast.freeze lines
//     (estimated from the emails table's indexes only should no freeze line be found),
//   (SES calls are answered by the meter itself unless BROADCAST_SES_FORWARD=1: see FORWARD),
//   - while the largest broadcast runs, one transactional POST /api/emails every 200 ms: accept
//     (the POST's answer) → SES (the meter's answer to the worker), p50/p99.
// Writes results/broadcast.json and .md. Loopback only; an overall deadline (BROADCAST_DEADLINE_MINUTES);
// the stack is stopped however the run ends.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeStatements, freePort, query, type Stack, startStack } from '@mailgrid/stack';
import { keyStatement, tenantStatements } from '@mailgrid/testing/fixtures';
import { type SesMeter, startSesMeter } from './ses-meter.ts';

const SIZES = (process.env.BROADCAST_SIZES ?? '10000,100000')
  .split(',')
  .map((size) => Number(size.trim()))
  .filter((size) => Number.isInteger(size) && size > 0)
  .sort((a, b) => a - b);
if (SIZES.length === 0) throw new Error('BROADCAST_SIZES: give one or more whole numbers, e.g. 1000,5000');
/**
 * The send worker's SES_MAX_SEND_RATE for the run (the stack's default is 14/s). 50/s: what this
 * 2-core machine sustains with the whole mesh local and transactional probes beside (about 80/s flat
 * out), so the pacer, not the CPU, sets the pace, which is what the run measures.
 */
const SES_RATE = Number(process.env.BROADCAST_SES_RATE ?? 50);
/** 0: the meter does not emulate SES's throttling (429 only if the local SES gave one). */
const THROTTLE = process.env.BROADCAST_SES_THROTTLE !== '0';
/**
 * 1: SendEmail goes on to the local SES (its store, SES's Send/Delivery events back to the gateway).
 * Off by default: with that feedback loop at these rates `wrangler dev` itself died mid-run (an empty
 * ✘ [ERROR], every time tried), so by default the meter answers SendEmail itself.
 */
const FORWARD = process.env.BROADCAST_SES_FORWARD === '1';
const PROBE_INTERVAL_MS = 200;
const STEADY = { from: 0.05, to: 0.95 };
const totalRecipients = SIZES.reduce((sum, size) => sum + size, 0);
const DEADLINE_MINUTES = Number(
  process.env.BROADCAST_DEADLINE_MINUTES ?? 15 + Math.ceil((3 * totalRecipients) / SES_RATE / 60),
);
const deadline = Date.now() + DEADLINE_MINUTES * 60_000;
const root = new URL('..', import.meta.url).pathname;
const runId = Date.now().toString(36);

function checkDeadline(what: string) {
  if (Date.now() > deadline) throw new Error(`deadline (${DEADLINE_MINUTES} min) passed while ${what}`);
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

// The stack, as bench-stack.ts starts it, plus the SES meter in front of the stand-ins and the vars.
const work = mkdtempSync(join(tmpdir(), 'mailgrid-bench-broadcast-'));
const logFile = join(work, 'stack.log');
const persistDir = join(work, 'state');
const { tenant, statements } = tenantStatements({
  slug: 'bench',
  domain: 'bench.test',
  rateLimit: { per_second: 100000, burst: 100000 },
});
const { key, statement } = await keyStatement(tenant, { name: 'bench', permission: 'full_access' });
const standinsPort = await freePort();
let meter: SesMeter | undefined;
let stack: Stack | undefined;
let cleaning: Promise<void> | undefined;
let succeeded = false;
/** Stops the stack; the state and the stack's log are kept (and named) when the run failed. */
const cleanUp = () => {
  cleaning ??= (async () => {
    await stack?.stop().catch(() => {});
    await meter?.close().catch(() => {});
    if (succeeded) rmSync(work, { recursive: true, force: true });
    else console.error(`broadcast bench: the stack's log is kept at ${logFile}`);
  })();
  return cleaning;
};
// Whatever hangs, the stack does not outlive the deadline by more than two minutes, nor a Ctrl-C.
const watchdog = setTimeout(
  () => {
    console.error(`broadcast bench: hard deadline passed; stopping the stack`);
    void cleanUp().finally(() => process.exit(1));
  },
  DEADLINE_MINUTES * 60_000 + 120_000,
);
watchdog.unref();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}

try {
  meter = await startSesMeter({
    target: `http://127.0.0.1:${standinsPort}`,
    port: await freePort(),
    maxSendRate: THROTTLE ? SES_RATE : undefined,
    forward: FORWARD,
  });
  const vars = {
    SES_ENDPOINT: meter.url,
    SES_MAX_SEND_RATE: String(SES_RATE),
    // The CSV of the largest audience in one upload.
    MAX_IMPORT_BYTES: String(28 * 1024 * 1024),
  };
  stack = await startStack({
    persistDir,
    port: await freePort(),
    sesPort: await freePort(),
    standinsPort,
    output: logFile,
    vars,
    seed: (dir) => executeStatements(dir, [...statements, statement]),
  });
  const api = stack.url;
  const sesMeter = meter;
  const headers = { authorization: `Bearer ${key.token}`, 'content-type': 'application/json' };
  const call = async <T>(method: string, path: string, body?: unknown, expected = [200, 201]): Promise<T> => {
    const response = await fetch(`${api}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!expected.includes(response.status)) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  };

  /** A segment of `size` new contacts, through the CSV import. */
  async function audience(size: number) {
    const segment = await call<{ id: string }>('POST', '/api/segments', { name: `bench ${size} ${runId}` });
    const lines = ['email,first_name'];
    for (let n = 0; n < size; n++) lines.push(`b${size}-${runId}-r${n}@example.com,Reader ${n}`);
    const started = performance.now();
    const response = await fetch(`${api}/api/contacts/imports?segment_id=${segment.id}`, {
      method: 'POST',
      headers: { authorization: headers.authorization, 'content-type': 'text/csv' },
      body: `${lines.join('\n')}\n`,
    });
    if (response.status !== 202) throw new Error(`import: ${response.status} ${await response.text()}`);
    const { id } = (await response.json()) as { id: string };
    for (;;) {
      checkDeadline(`importing ${size} contacts`);
      const progress = await call<{ status: string; created: number; failed: number }>(
        'GET',
        `/api/contacts/imports/${id}`,
      );
      if (progress.status === 'failed') throw new Error(`import ${id} failed`);
      if (progress.status === 'completed') {
        if (progress.created !== size)
          throw new Error(`import ${id}: ${progress.created} of ${size} created`);
        return { segment_id: segment.id, import_seconds: round((performance.now() - started) / 1000) };
      }
      await sleep(250);
    }
  }

  interface Probe {
    n: number;
    email_id: string;
    accepted_at: number;
  }
  /** One transactional email every PROBE_INTERVAL_MS until stopped; each POST's answer is its accept time. */
  function startProbes() {
    const probes: Probe[] = [];
    const failures: string[] = [];
    const pending = new Set<Promise<void>>();
    let stopped = false;
    const loop = (async () => {
      const first = performance.now();
      for (let n = 0; !stopped; n++) {
        const sending = (async () => {
          try {
            const { id } = await call<{ id: string }>('POST', '/api/emails', {
              from: 'Bench <hello@bench.test>',
              to: [`probe${n}-${runId}@example.com`],
              subject: `Your code ${runId}-${n}`,
              html: `<p>Your sign-in code is <b>${100000 + n}</b>.</p>`,
            });
            probes.push({ n, email_id: id, accepted_at: Date.now() });
          } catch (err) {
            failures.push(String(err));
          }
        })();
        pending.add(sending);
        void sending.finally(() => pending.delete(sending));
        const next = first + (n + 1) * PROBE_INTERVAL_MS;
        await sleep(Math.max(0, next - performance.now()));
      }
    })();
    return {
      probes,
      failures,
      async stop() {
        stopped = true;
        await loop;
        await Promise.all(pending);
      },
    };
  }

  interface BroadcastView {
    status: string;
    sent_at: string | null;
    progress: { recipients: number | null; sent: number; failed: number; skipped: number; pending: number };
  }

  async function run(size: number, probing: boolean) {
    const { segment_id, import_seconds } = await audience(size);
    const { id } = await call<{ id: string }>('POST', '/api/broadcasts', {
      name: `bench ${size}`,
      segment_id,
      from: 'Bench News <news@bench.test>',
      subject: `Bench news for {{{contact.first_name|there}}} (${size})`,
      html: `<h1>Hello {{{contact.first_name|there}}}</h1><p>The ${size}-recipient bench broadcast. <a href="https://example.com/read">Read more</a></p>`,
    });
    const sendsBefore = sesMeter.sends.length;
    const throttledBefore = sesMeter.throttled.length;
    const sendAt = Date.now();
    await call('POST', `/api/broadcasts/${id}/send`);
    const sendAnsweredMs = Date.now() - sendAt;

    // The probes start with the broadcast's first SES call (the freeze sends nothing).
    let probes: ReturnType<typeof startProbes> | undefined;
    let frozenSeenAt: number | null = null;
    let view: BroadcastView;
    for (;;) {
      checkDeadline(`sending the ${size}-recipient broadcast`);
      view = await call<BroadcastView>('GET', `/api/broadcasts/${id}`);
      if (frozenSeenAt === null && view.progress.recipients !== null) frozenSeenAt = Date.now();
      if (probing && !probes && sesMeter.sends.length > sendsBefore) probes = startProbes();
      if (view.status === 'sent' || view.status === 'canceled') break;
      // Quick polls until the audience is frozen; then once a second (each GET counts every recipient).
      await sleep(frozenSeenAt === null ? 250 : 1000);
    }
    const sentSeenAt = Date.now();
    await probes?.stop();

    // The broadcast's own SES calls: its recipients' email ids are not known here, but the runs do not
    // overlap and the probes are the only other mail; broadcast rows carry the broadcast stream.
    const probeIds = new Set(probes?.probes.map((probe) => probe.email_id));
    const during = sesMeter.sends.slice(sendsBefore);
    const mine = during.filter(
      (send) => send.email_id !== null && !probeIds.has(send.email_id) && send.stream === 'broadcast',
    );
    const times = mine.map((send) => send.at).sort((a, b) => a - b);
    const first = times[Math.floor(STEADY.from * times.length)];
    const last = times[Math.max(0, Math.ceil(STEADY.to * times.length) - 1)];
    const steadyWindow =
      first !== undefined && last !== undefined && last > first ? { from: first, to: last } : null;
    const inWindow = (at: number) =>
      steadyWindow !== null && at >= steadyWindow.from && at <= steadyWindow.to;
    const windowSeconds = steadyWindow ? (steadyWindow.to - steadyWindow.from) / 1000 : null;
    const rate = (count: number) => (windowSeconds ? count / windowSeconds : null);
    // Calls counted between the window's two ends, excluding the first one (a rate between events).
    const broadcastRate = rate(Math.max(0, mine.filter((send) => inWindow(send.at)).length - 1));
    const allRate = rate(Math.max(0, during.filter((send) => inWindow(send.at)).length - 1));
    const throttled = sesMeter.throttled.slice(throttledBefore);

    // D1's own timestamps for the same broadcast.
    const [row] = await query<{
      sent_at: string | null;
      frozen_at: string | null;
      completed_at: string | null;
    }>(persistDir, {
      sql: 'SELECT sent_at, frozen_at, completed_at FROM broadcasts WHERE id = ?',
      params: [id],
    });
    const span = (from: string | null | undefined, to: string | null | undefined) =>
      from && to ? round((Date.parse(to) - Date.parse(from)) / 1000, 2) : null;

    // D1 cost, from the send worker's log lines for this broadcast.
    const lines = logLines().filter((line) => line.broadcast_id === id);
    const d1Sum = (entries: LogLine[]) =>
      entries.reduce(
        (total, line) => ({
          statements: total.statements + (line.d1?.statements ?? 0),
          round_trips: total.round_trips + (line.d1?.round_trips ?? 0),
          rows_read: total.rows_read + (line.d1?.rows_read ?? 0),
          rows_written: total.rows_written + (line.d1?.rows_written ?? 0),
        }),
        { statements: 0, round_trips: 0, rows_read: 0, rows_written: 0 },
      );
    const steps = lines.filter((line) => line.event === 'broadcast.step');
    const freezeLines = lines.filter(
      (line) => line.event !== 'broadcast.step' && line.d1 && /freeze/.test(line.event),
    );
    const recipients = view.progress.recipients ?? 0;

    let probeFigures: ReturnType<typeof probeSummary> | undefined;
    if (probes) {
      // Probes still on their way to SES get up to 30 s more.
      const seenBy = Date.now() + 30_000;
      const sesAt = () =>
        new Map(sesMeter.sends.flatMap((send) => (send.email_id ? [[send.email_id, send.at] as const] : [])));
      while (Date.now() < seenBy && probes.probes.some((probe) => !sesAt().has(probe.email_id)))
        await sleep(500);
      probeFigures = probeSummary(probes.probes, probes.failures, sesAt(), inWindow);
    }

    return {
      size,
      recipients,
      segment_id,
      broadcast_id: id,
      import_seconds,
      status: view.status,
      progress: view.progress,
      send_answered_ms: sendAnsweredMs,
      freeze: {
        api_seconds: frozenSeenAt === null ? null : round((frozenSeenAt - sendAt) / 1000, 2),
        d1_sent_to_frozen_seconds: span(row?.sent_at, row?.frozen_at),
      },
      send: {
        api_send_to_sent_seconds: round((sentSeenAt - sendAt) / 1000, 2),
        d1_sent_to_completed_seconds: span(row?.sent_at, row?.completed_at),
        ses_calls: mine.length,
        first_ses_call_after_send_seconds:
          times[0] === undefined ? null : round((times[0] - sendAt) / 1000, 2),
        last_ses_call_after_send_seconds:
          times.at(-1) === undefined ? null : round(((times.at(-1) as number) - sendAt) / 1000, 2),
        steady: {
          window: `${STEADY.from * 100} % → ${STEADY.to * 100} % of the broadcast's SES calls`,
          seconds: windowSeconds === null ? null : round(windowSeconds, 2),
          broadcast_per_second: broadcastRate === null ? null : round(broadcastRate),
          all_ses_per_second: allRate === null ? null : round(allRate),
          ratio_all: allRate === null ? null : round(allRate / SES_RATE, 3),
          ratio_broadcast: broadcastRate === null ? null : round(broadcastRate / SES_RATE, 3),
        },
        ses_429: throttled.length,
        ses_429_in_steady_window: throttled.filter(inWindow).length,
      },
      per_recipient_ms: {
        d1_sent_to_completed:
          row?.sent_at && row.completed_at && recipients > 0
            ? round((Date.parse(row.completed_at) - Date.parse(row.sent_at)) / recipients, 3)
            : null,
        api_send_to_sent: recipients > 0 ? round((sentSeenAt - sendAt) / recipients, 3) : null,
      },
      d1: {
        dispatch: {
          steps: steps.length,
          claimed: steps.reduce((n, line) => n + (line.claimed ?? 0), 0),
          ...d1Sum(steps),
        },
        freeze_logged: freezeLines.length > 0 ? d1Sum(freezeLines) : null,
      },
      transactional: probeFigures ?? null,
    };
  }

  function probeSummary(
    probes: Probe[],
    failures: string[],
    sesAt: Map<string, number>,
    inWindow: (at: number) => boolean,
  ) {
    const latency = (list: Probe[]) => {
      const ms = list.flatMap((probe) => {
        const at = sesAt.get(probe.email_id);
        return at === undefined ? [] : [at - probe.accepted_at];
      });
      ms.sort((a, b) => a - b);
      return {
        emails: list.length,
        at_ses: ms.length,
        p50_ms: percentile(ms, 0.5),
        p99_ms: percentile(ms, 0.99),
        max_ms: ms.at(-1) ?? null,
      };
    };
    return {
      interval_ms: PROBE_INTERVAL_MS,
      accept_failures: failures.length,
      first_failure: failures[0] ?? null,
      all: latency(probes),
      steady: latency(probes.filter((probe) => inWindow(probe.accepted_at))),
    };
  }

  const runs: Awaited<ReturnType<typeof run>>[] = [];
  for (const size of SIZES) {
    const result = await run(size, size === SIZES.at(-1));
    console.log(`broadcast bench: ${size} recipients: ${JSON.stringify(result)}`);
    runs.push(result);
  }

  // The freeze writes one emails row per recipient (plus its index entries) and, per page of 1,000,
  // the broadcast's cursor; the send worker does not meter it, so unless a log line did, estimate it.
  const indexes = await query<{ name: string; sql: string | null }>(persistDir, {
    sql: "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'emails'",
    params: [],
  });
  const entered = indexes.filter((index) => {
    const where = /\bWHERE\b([\s\S]*)$/i
      .exec(index.sql ?? '')?.[1]
      ?.replace(/\s+/g, ' ')
      .trim()
      .toLowerCase();
    // An index without WHERE (or SQLite's own for a key) takes every row; of the partial ones, those
    // on broadcast_id IS NOT NULL take every recipient row. Others (ses_message_id IS NOT NULL) do
    // not hold for a row as frozen, and their entries are written by the dispatch, which is metered.
    return where === undefined || where === 'broadcast_id is not null';
  });
  const freezeRowsPerRecipient = 1 + entered.length;
  const FREEZE_PAGE = 1000;

  const d1PerRecipient = runs.map((result) => {
    const recipients = Math.max(1, result.recipients);
    const freeze = result.d1.freeze_logged;
    const freezeRows =
      freeze?.rows_written ??
      result.recipients * freezeRowsPerRecipient + Math.ceil(result.recipients / FREEZE_PAGE) + 1;
    const perRecipient = (value: number | null | undefined, digits = 3) =>
      value === null || value === undefined ? null : round(value / recipients, digits);
    return {
      size: result.size,
      dispatch_statements: perRecipient(result.d1.dispatch.statements),
      freeze_statements: perRecipient(freeze?.statements),
      statements: perRecipient(result.d1.dispatch.statements + (freeze?.statements ?? 0)),
      dispatch_round_trips: perRecipient(result.d1.dispatch.round_trips),
      dispatch_rows_written: perRecipient(result.d1.dispatch.rows_written, 2),
      freeze_rows_written: perRecipient(freezeRows, 2),
      freeze_source: freeze ? 'log lines' : 'estimate',
      total_rows_written: perRecipient(result.d1.dispatch.rows_written + freezeRows, 2),
      dispatch_rows_read: perRecipient(result.d1.dispatch.rows_read, 2),
      freeze_rows_read: perRecipient(freeze?.rows_read, 2),
    };
  });
  const rowsReadGrowth =
    d1PerRecipient.length > 1 &&
    d1PerRecipient[0]?.dispatch_rows_read &&
    d1PerRecipient.at(-1)?.dispatch_rows_read !== null
      ? round(
          (d1PerRecipient.at(-1)?.dispatch_rows_read as number) /
            (d1PerRecipient[0]?.dispatch_rows_read as number),
          3,
        )
      : null;
  const mostStatements = d1PerRecipient.reduce<number | null>(
    (most, d) => (d.statements === null ? most : Math.max(most ?? 0, d.statements)),
    null,
  );

  const smallest = runs[0];
  const largest = runs.at(-1);
  const perRecipient = (result: (typeof runs)[number] | undefined) =>
    result?.per_recipient_ms.d1_sent_to_completed ?? result?.per_recipient_ms.api_send_to_sent ?? null;
  const scaling =
    smallest && largest && smallest !== largest && perRecipient(smallest) && perRecipient(largest)
      ? round((perRecipient(largest) as number) / (perRecipient(smallest) as number), 3)
      : null;

  const figures = {
    measured_at: new Date().toISOString(),
    machine: `${process.platform} ${process.arch}, node ${process.version}, wrangler dev (local workerd)`,
    settings: {
      sizes: SIZES,
      SES_MAX_SEND_RATE: SES_RATE,
      BROADCAST_RESERVE: 'worker default (0.1)',
      ses_throttling_emulated_at: THROTTLE ? SES_RATE : null,
      ses_calls_forwarded_to_local_ses: FORWARD,
      transactional_probe_interval_ms: PROBE_INTERVAL_MS,
      deadline_minutes: DEADLINE_MINUTES,
    },
    runs,
    scaling: {
      per_recipient_ms_smallest: perRecipient(smallest),
      per_recipient_ms_largest: perRecipient(largest),
      ratio_largest_to_smallest: scaling,
      measured_as: 'D1 broadcasts.sent_at → completed_at ÷ recipients (the API poll is beside it per run)',
    },
    d1_per_recipient: d1PerRecipient,
    dispatch_rows_read_largest_to_smallest: rowsReadGrowth,
    freeze_estimate: {
      rows_per_recipient: freezeRowsPerRecipient,
      counted_indexes: entered.map((index) => index.name),
      not_counted: indexes.filter((index) => !entered.includes(index)).map((index) => index.name),
      plus: 'one broadcasts row per 1,000-contact page (freeze_cursor) and one at the end',
    },
    ses_answers: sesMeter.statuses,
  };
  writeFileSync(join(root, 'bench/results/broadcast.json'), `${JSON.stringify(figures, null, 2)}\n`);

  const goal = (ok: boolean | null) => (ok === null ? '—' : ok ? 'met' : 'not met');
  const n = (value: number | null | undefined, unit = '') =>
    value === null || value === undefined ? '—' : `${value}${unit}`;
  const probeRun = runs.find((result) => result.transactional);
  const md = [
    `# Broadcasts (${figures.measured_at})`,
    '',
    `Machine: ${figures.machine}. Command: \`node bench/broadcast.ts\` (also in \`npm run bench\`; \`BROADCAST_SIZES=1000,5000\` for a quick run).`,
    '',
    `The send worker's \`SES_MAX_SEND_RATE\` was set to **${SES_RATE}/s** for the run (BROADCAST_RESERVE at its default, 0.1). ` +
      `Every SES call went through a metering stand-in (\`bench/ses-meter.ts\`) that timed SES's answers` +
      (THROTTLE
        ? ` and answered 429, as SES does, above ${SES_RATE} calls/s (token bucket, one second of burst)`
        : '') +
      (FORWARD
        ? ', then on to the local SES (store, inbox, SES events back to the gateway).'
        : '; SES calls were answered by the meter itself (no local SES, no SES events).'),
    '',
    '| recipients | import | send → frozen (API / D1) | send → sent (API / D1) | steady SES rate (all / broadcast) | ÷ SES rate | 429s | per recipient |',
    '|---|---|---|---|---|---|---|---|',
    ...runs.map(
      (r) =>
        `| ${r.recipients.toLocaleString('en')} | ${r.import_seconds} s | ${n(r.freeze.api_seconds, ' s')} / ${n(r.freeze.d1_sent_to_frozen_seconds, ' s')} | ${n(r.send.api_send_to_sent_seconds, ' s')} / ${n(r.send.d1_sent_to_completed_seconds, ' s')} | ${n(r.send.steady.all_ses_per_second, '/s')} / ${n(r.send.steady.broadcast_per_second, '/s')} | ${n(r.send.steady.ratio_all)} | ${r.send.ses_429} | ${n(perRecipient(r), ' ms')} |`,
    ),
    '',
    `Steady rate: SES calls answered 200 between the broadcast's 5 % and 95 % calls, timed at the meter; "all" counts the transactional probes too.`,
    '',
    '| goal | figure | |',
    '|---|---|---|',
    ...runs.map(
      (r) =>
        `| steady send rate ÷ SES rate ≥ 0.95 (${r.recipients.toLocaleString('en')}) | ${n(r.send.steady.ratio_all)} | ${goal(r.send.steady.ratio_all === null ? null : r.send.steady.ratio_all >= 0.95)} |`,
    ),
    `| SES 429 answers = 0 | ${runs.reduce((total, r) => total + r.send.ses_429, 0)} | ${goal(runs.every((r) => r.send.ses_429 === 0))} |`,
    `| time per recipient, ${largest?.recipients.toLocaleString('en')} ÷ ${smallest?.recipients.toLocaleString('en')} ≤ 1.2 | ${n(scaling)} | ${goal(scaling === null ? null : scaling <= 1.2)} |`,
    `| D1 statements per broadcast recipient (freeze + dispatch) ≤ 1 | ${n(mostStatements)} | ${goal(mostStatements === null ? null : mostStatements <= 1)} |`,
    `| dispatch rows read per recipient flat: ${largest?.recipients.toLocaleString('en')} ÷ ${smallest?.recipients.toLocaleString('en')} ≤ 1.2 | ${n(rowsReadGrowth)} | ${goal(rowsReadGrowth === null ? null : rowsReadGrowth <= 1.2)} |`,
    `| transactional accept → SES p99 ≤ 2 s, during the ${probeRun?.recipients.toLocaleString('en') ?? '—'} broadcast's steady send | ${n(probeRun?.transactional?.steady.p99_ms, ' ms')} | ${goal(probeRun?.transactional?.steady.p99_ms == null ? null : probeRun.transactional.steady.p99_ms <= 2000)} |`,
    '',
    probeRun?.transactional
      ? `Transactional probes (one POST /api/emails every ${PROBE_INTERVAL_MS} ms from the broadcast's first SES call to \`sent\`; accept = the POST's answer, SES = the meter's 200 to the send worker): ` +
        `during the steady window ${probeRun.transactional.steady.at_ses} of ${probeRun.transactional.steady.emails}, p50 ${n(probeRun.transactional.steady.p50_ms, ' ms')}, p99 ${n(probeRun.transactional.steady.p99_ms, ' ms')}, max ${n(probeRun.transactional.steady.max_ms, ' ms')}; ` +
        `over the whole send ${probeRun.transactional.all.at_ses} of ${probeRun.transactional.all.emails}, p50 ${n(probeRun.transactional.all.p50_ms, ' ms')}, p99 ${n(probeRun.transactional.all.p99_ms, ' ms')}, max ${n(probeRun.transactional.all.max_ms, ' ms')}` +
        (probeRun.transactional.accept_failures
          ? `; ${probeRun.transactional.accept_failures} POSTs failed (${probeRun.transactional.first_failure})`
          : '') +
        '.'
      : 'No transactional probes ran.',
    '',
    '| D1 per recipient | statements (dispatch + freeze) | dispatch statements | freeze statements | dispatch rows written | freeze rows written | total rows written | dispatch rows read | freeze rows read |',
    '|---|---|---|---|---|---|---|---|---|',
    ...d1PerRecipient.map(
      (d) =>
        `| ${d.size.toLocaleString('en')} | ${n(d.statements)} | ${n(d.dispatch_statements)} | ${n(d.freeze_statements)} | ${n(d.dispatch_rows_written)} | ${n(d.freeze_rows_written)} (${d.freeze_source}) | ${n(d.total_rows_written)} | ${n(d.dispatch_rows_read)} | ${n(d.freeze_rows_read)} |`,
    ),
    '',
    `Dispatch: the sum of the send worker's \`broadcast.step\` log lines (claims, the send path's reads and writes for each recipient, the step's broadcast updates). ` +
      (d1PerRecipient.every((d) => d.freeze_source === 'log lines')
        ? `Freeze: the sum of its \`broadcast.freeze\` log lines (the audience read, the recipient rows and their index entries, the broadcast's cursor). `
        : `Freeze: no \`broadcast.freeze\` log line found, so estimated as ${freezeRowsPerRecipient} rows per recipient (the emails row and its entries in ${entered.map((index) => index.name).join(', ')}) plus one broadcasts row per 1,000-contact page. `) +
      `Not included: SES's events coming back (the events worker's writes), retries through the per-email queue, GET polls. Rows written include index entries, as D1 bills them.`,
    '',
  ].join('\n');
  writeFileSync(join(root, 'bench/results/broadcast.md'), md);
  console.log(md);
  succeeded = true;
} finally {
  clearTimeout(watchdog);
  await cleanUp();
}

interface LogLine {
  event: string;
  broadcast_id?: string;
  claimed?: number;
  d1?: { statements: number; round_trips?: number; rows_read: number; rows_written: number };
}

function logLines(): LogLine[] {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .flatMap((line) => {
      const start = line.indexOf('{"event"');
      if (start < 0) return [];
      try {
        return [JSON.parse(line.slice(start)) as LogLine];
      } catch {
        return [];
      }
    });
}
