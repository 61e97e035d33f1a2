// Capacity simulation (issue 19): one day of traffic for many tenants, replayed in 10-second buckets
// against each candidate database layout's per-database limit. No stack, no network: a seeded PRNG
// makes every run identical, so a change to an input below is the only thing that moves a figure.
//
//   node bench/capacity.ts           (through `node scripts/run.mjs`; 10-30 s, no stack)
//
// Reports, per design, the hottest database's peak load (statements/s for D1, requests/s for a
// Durable Object) as a fraction of its limit, the headroom left, and the tenants that make it hot;
// the platform's peak emails/s; storage per day against the 10 GB cap; and a monthly list-price bill.
// Writes results/capacity.json and .md. docs/scaling.md reads these figures.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

// ---- Platform limits (Cloudflare docs, read 2026-12-03) ------------------------------------------
// D1 limits page, "How much work can a D1 database do?": each database is single-threaded and runs
// one query at a time; at 1 ms a query that is ~1,000 queries/s. A database stores at most 10 GB
// (cannot be raised); 50,000 databases per account on Workers Paid; ~5,000 bindings per Worker.
const D1_STATEMENTS_PER_S = 1_000;
const D1_MAX_BYTES = 10e9;
const D1_DATABASES_PER_ACCOUNT = 50_000;
const D1_BINDINGS_PER_WORKER = 5_000;
// Durable Objects limits page, "How much work can a single Durable Object do?": a soft limit of
// 1,000 requests/s per object (less when each request writes storage); 10 GB of SQLite per object.
const DO_REQUESTS_PER_S = 1_000;
const DO_MAX_BYTES = 10e9;
// Above this share of its limit a database's queue grows and D1 starts answering "overloaded";
// a design passes when its hottest database stays under it at the 10-second peak.
const PLANNING_UTILISATION = 0.7;

// ---- Cost of one unit of work ---------------------------------------------------------------------
// "today": measured by the team before issue 18 (bench/results/accept.md: accept 6 and send 3.91
// statements per email; feedback.md: 2.05 per SES event; a batch of 100 is 303 statements at accept;
// broadcast.md: ~2.75 statements per recipient at dispatch, ~0.006 at freeze). Tracking hits use the
// same commit path as SES events. "target": measured after issue 18's batching (multi-row statements,
// events and counters folded per queue batch) by bench/cost.ts, in bench/results/scale.md of
// 2026-12-03: accept 4 single (one read statement, the write batch, the request log) / 0.04 batched, send 0.30 (with booked SES tokens), dispatch 0.053, freeze 0.012, 0.09 per SES
// event, 0.05 per open or click.
interface StatementCosts {
  acceptSingle: number; // per email accepted by POST /emails
  acceptBatch: number; // per email accepted by POST /emails/batch (100 a call)
  send: number; // per transactional email sent (claim, SES, record)
  dispatch: number; // per broadcast recipient sent
  freeze: number; // per broadcast recipient frozen (1,000-row INSERT … SELECT)
  sesEvent: number; // per SES notification stored (Send, Delivery, Bounce, Complaint)
  trackingHit: number; // per open/click stored
}
const COSTS: Record<'today' | 'target', StatementCosts> = {
  today: {
    acceptSingle: 6,
    acceptBatch: 3.03,
    send: 4,
    dispatch: 2.75,
    freeze: 0.006,
    sesEvent: 2,
    trackingHit: 2,
  },
  target: {
    acceptSingle: 4,
    acceptBatch: 0.04,
    send: 0.3,
    dispatch: 0.053,
    freeze: 0.012,
    sesEvent: 0.09,
    trackingHit: 0.05,
  },
};
type Model = keyof typeof COSTS;
const MODELS: Model[] = ['today', 'target'];

// Designs (c)/(d): a tenant's hot data in its own SQLite Durable Object, reached through the same
// repositories (a D1-shaped adapter whose prepare/all/run/batch are RPC calls to the object). Its
// SQL runs in-process; its limit is requests, and each statement the repositories run outside a
// batch is one: requests per unit = statements per unit, an upper bound (a batch is one request).
// Billed duration: the object is hibernation-eligible between requests (Durable Objects pricing
// FAQ), so it is the requests' own wall time, DO_MS_PER_REQUEST each (an estimate: local SQL only).
const DO_MS_PER_REQUEST = 5;
// A tenant whose own object would pass PLANNING_UTILISATION, or fill CELL_FILL of 10 GB within
// HOT_RETENTION_DAYS, is split into cells: k objects, its emails placed by a hash of the email id
// (events and tracking carry the id, so they find the cell without a lookup).
const CELL_FILL = 0.8;
// The D1 directory behind (c)/(d): API-key lookups missing the KV cache, SES events that carry no
// tenant tag and need the domains directory (SES identity → tenant).
const DIRECTORY_STATEMENTS = { apiCall: 0.02, sesEvent: 0.01 };

// ---- Traffic ---------------------------------------------------------------------------------------
const SEED = 19;
const TENANTS = 5_000;
const BUCKET_S = 10; // D1 queues a burst shorter than this; the send and events queues smooth it too
const BUCKETS = 86_400 / BUCKET_S;
// Transactional emails/day by size rank: Zipf, largest 4M/day (~46/s mean), smallest 20/day.
const TX_TOP_PER_DAY = 4_000_000;
const ZIPF_S = 1.05;
const TX_MIN_PER_DAY = 20;
// Each tenant's time zone (hours from UTC) and its share of tenants.
const TIME_ZONES: [number, number][] = [
  [-8, 0.15],
  [-5, 0.35],
  [1, 0.3],
  [5.5, 0.1],
  [8, 0.1],
];
// Diurnal shape in local time: a floor plus a morning and an afternoon hump.
const DIURNAL = { floor: 0.15, humps: [10, 15], sigmaHours: 2.5 };
// Bursts (a flash sale, a password-reset storm): per tenant per day, each 1-10 minutes long
// (log-uniform), carrying 0.2-1 % of the tenant's day on top of its curve.
const BURSTS_PER_DAY = 1.5;
const BURST_SHARE: [number, number] = [0.002, 0.01];
const BURST_BUCKETS: [number, number] = [6, 60];
// Share of a tenant's transactional mail sent through the batch endpoint: uniform in [0, 0.8).
const BATCH_SHARE_MAX = 0.8;
// Broadcast audience: transactional/day × 3 × lognormal(σ 1), capped at 1M contacts. A tenant with
// ≥ 500 contacts sends Poisson(0.25) broadcasts a day at a round local hour, to 40-100 % of them;
// the 10 largest each send one to their whole audience (up to 1M) at local 10:00 or 14:00.
const AUDIENCE_PER_TX = 3;
const AUDIENCE_CAP = 1_000_000;
const BROADCASTS_PER_DAY = 0.25;
const BROADCAST_HOURS = [9, 10, 10, 11, 14, 14, 16, 18];
const FULL_BROADCAST_TOP = 10;
// The freeze copies 1,000 contacts per INSERT … SELECT, ~10 steps/s; dispatch starts when it ends.
const FREEZE_PER_S = 10_000;
// SES sending rate per tenant (emails/s), by transactional volume; a broadcast may use all of it but
// BROADCAST_RESERVE (the send worker's default 0.1), kept for transactional mail.
const SES_RATE_TIERS: [number, number][] = [
  [1_000_000, 1_000],
  [100_000, 300],
  [10_000, 50],
  [0, 14],
];
const BROADCAST_RESERVE = 0.1;
// SES events per email sent and when they arrive (exponential delays, τ seconds).
const EVENTS = {
  send: 1, // Send: within the bucket
  delivery: 0.98, // Delivery: 75 % within the bucket, the rest over τ 120 s
  bounce: 0.02, // τ 120 s
  complaint: 0.001, // τ 6 h
  open: 0.25, // tracking pixel, 40 % machine (MPP) within τ 120 s, the rest τ 2 h
  click: 0.03, // τ 2 h
};
// Storage per row including its index entries (estimates from migrations/: emails carries six
// indexes, events three before migrations 0023/0024) and the cost model's rows written/read per unit
// (measured after issue 18 by bench/cost.ts: results/cost.md and scale.md, 2026-12-03).
const BYTES_PER_EMAIL = 1_100;
const BYTES_PER_EVENT = 500;
const ROWS = {
  writtenPerEmail: 10, // accept 6 (4 batched) + send 4
  readPerEmail: 26, // accept 10 + send 16 (json_each rows count as read)
  writtenPerRecipient: 12.4, // dispatch 6.3 + freeze 6
  readPerRecipient: 19, // dispatch 14 + freeze 5
  writtenPerEvent: 4.01, // the event row, the email's last_event, the day's counters
  readPerEvent: 6,
};
// List prices, Workers Paid (D1 and Durable Objects pricing pages, read 2026-12-03), per month.
const PRICE = {
  rowsReadPerM: 0.001,
  rowsReadIncluded: 25e9,
  rowsWrittenPerM: 1.0,
  rowsWrittenIncluded: 50e6,
  d1StoragePerGbMonth: 0.75,
  d1StorageIncludedGb: 5,
  doStoragePerGbMonth: 0.2,
  doStorageIncludedGb: 5,
  doRequestsPerM: 0.15,
  doRequestsIncluded: 1e6,
  doGbSecondPerM: 12.5,
  doGbSecondsIncluded: 400_000,
  doMemoryGb: 0.128,
};
// Days a sent email and its events stay in SQL; older rows are exported to R2 (docs/scaling.md).
const HOT_RETENTION_DAYS = 7;
const DAYS_PER_MONTH = 30;

// ---- Designs ---------------------------------------------------------------------------------------
// (b) and (d) are tried with these many D1 shards; (d) also with 64, what its storage asks for.
const SHARD_COUNTS = [8, 16, 32];
const MIXED_SHARD_COUNTS = [8, 16, 32, 64];
// (d) moves a tenant to its own Durable Object when its daily email volume is at least this.
const LARGE_TENANT_EMAILS_PER_DAY = 100_000;

// ---- PRNG and samplers -----------------------------------------------------------------------------
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

function poisson(random: () => number, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 40) {
    // Normal approximation: exact enough where a bucket holds dozens of emails.
    const z = Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
  }
  const limit = Math.exp(-mean);
  let count = 0;
  let product = random();
  while (product > limit) {
    count++;
    product *= random();
  }
  return count;
}

function pick<T>(random: () => number, weighted: [T, number][]): T {
  let r = random();
  for (const [value, weight] of weighted) {
    r -= weight;
    if (r < 0) return value;
  }
  return (weighted[weighted.length - 1] as [T, number])[0];
}

// ---- Tenants -----------------------------------------------------------------------------------------
interface Tenant {
  index: number;
  id: string;
  txPerDay: number;
  audience: number;
  sesRate: number;
  batchShare: number;
  zone: number; // index into TIME_ZONES
  broadcasts: { start: number; recipients: number }[];
  bursts: { start: number; length: number; emails: number }[];
  /** Expected emails/day (transactional + broadcast recipients): what placement knows in advance. */
  expectedPerDay: number;
}

// Share of a day's volume in each bucket, one curve per time zone (sums to 1).
const shapes = TIME_ZONES.map(([offset]) => {
  const shape = new Float64Array(BUCKETS);
  let sum = 0;
  for (let b = 0; b < BUCKETS; b++) {
    const local = ((((b * BUCKET_S) / 3600 + offset) % 24) + 24) % 24;
    let value = DIURNAL.floor;
    for (const hump of DIURNAL.humps) {
      const d = Math.min(Math.abs(local - hump), 24 - Math.abs(local - hump));
      value += Math.exp(-(d * d) / (2 * DIURNAL.sigmaHours ** 2));
    }
    shape[b] = value;
    sum += value;
  }
  for (let b = 0; b < BUCKETS; b++) shape[b] = (shape[b] ?? 0) / sum;
  return shape;
});
const cumulative = shapes.map((shape) => {
  const cdf = new Float64Array(BUCKETS);
  let sum = 0;
  for (let b = 0; b < BUCKETS; b++) {
    sum += shape[b] ?? 0;
    cdf[b] = sum;
  }
  return cdf;
});

function sampleBucket(random: () => number, zone: number): number {
  const cdf = cumulative[zone] as Float64Array;
  const r = random();
  let lo = 0;
  let hi = BUCKETS - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cdf[mid] ?? 1) < r) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function makeTenants(): Tenant[] {
  const tenants: Tenant[] = [];
  for (let i = 0; i < TENANTS; i++) {
    const random = mulberry32(fnv1a(`${SEED}:tenant:${i}`));
    const txPerDay = Math.max(TX_MIN_PER_DAY, Math.round(TX_TOP_PER_DAY / (i + 1) ** ZIPF_S));
    const z = Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
    const audience = Math.min(AUDIENCE_CAP, Math.round(txPerDay * AUDIENCE_PER_TX * Math.exp(z)));
    const sesRate = SES_RATE_TIERS.find(([min]) => txPerDay >= min)?.[1] ?? 14;
    const zone = pick(
      random,
      TIME_ZONES.map((entry, n): [number, number] => [n, entry[1]]),
    );
    const offset = (TIME_ZONES[zone] as [number, number])[0];
    const atLocalHour = (hour: number) =>
      Math.round(((((hour - offset) % 24) + 24) % 24) * (3600 / BUCKET_S)) % BUCKETS;
    const broadcasts: Tenant['broadcasts'] = [];
    if (i < FULL_BROADCAST_TOP) {
      broadcasts.push({ start: atLocalHour(random() < 0.5 ? 10 : 14), recipients: audience });
    } else if (audience >= 500) {
      const count = poisson(random, BROADCASTS_PER_DAY);
      for (let n = 0; n < count; n++) {
        const hour = BROADCAST_HOURS[Math.floor(random() * BROADCAST_HOURS.length)] ?? 10;
        broadcasts.push({
          start: atLocalHour(hour),
          recipients: Math.round(audience * (0.4 + 0.6 * random())),
        });
      }
    }
    const bursts: Tenant['bursts'] = [];
    const burstCount = poisson(random, BURSTS_PER_DAY);
    for (let n = 0; n < burstCount; n++) {
      const share = BURST_SHARE[0] + (BURST_SHARE[1] - BURST_SHARE[0]) * random();
      bursts.push({
        start: sampleBucket(random, zone),
        length: Math.round(
          BURST_BUCKETS[0] * Math.exp(Math.log(BURST_BUCKETS[1] / BURST_BUCKETS[0]) * random()),
        ),
        emails: txPerDay * share,
      });
    }
    const broadcastAverage = i < FULL_BROADCAST_TOP ? audience : BROADCASTS_PER_DAY * audience * 0.7;
    tenants.push({
      index: i,
      id: `t${String(i + 1).padStart(4, '0')}`,
      txPerDay,
      audience,
      sesRate,
      batchShare: BATCH_SHARE_MAX * random(),
      zone,
      broadcasts,
      bursts,
      expectedPerDay: txPerDay + (audience >= 500 ? broadcastAverage : 0),
    });
  }
  return tenants;
}

// ---- One tenant's day ----------------------------------------------------------------------------
// Per bucket: emails accepted, API calls, transactional and broadcast sends (paced by the tenant's
// SES rate), recipients frozen, SES events and tracking hits (exponential delays after the sends).
interface Day {
  accepted: Float64Array;
  calls: Float64Array;
  txSent: Float64Array;
  bcSent: Float64Array;
  frozen: Float64Array;
  sesEvents: Float64Array;
  trackingHits: Float64Array;
}
const day: Day = {
  accepted: new Float64Array(BUCKETS),
  calls: new Float64Array(BUCKETS),
  txSent: new Float64Array(BUCKETS),
  bcSent: new Float64Array(BUCKETS),
  frozen: new Float64Array(BUCKETS),
  sesEvents: new Float64Array(BUCKETS),
  trackingHits: new Float64Array(BUCKETS),
};
const demand = new Float64Array(BUCKETS);
const bcReady = new Float64Array(BUCKETS);
const sent = new Float64Array(BUCKETS);

/** Adds `weight` × (x delayed by an exponential of mean tau seconds) to out, as a day that repeats. */
function addDelayed(x: Float64Array, weight: number, tau: number, out: Float64Array): void {
  const a = Math.exp(-BUCKET_S / tau);
  // The steady state a repeating day starts from (the previous day's tail), then one pass.
  let y = 0;
  for (let b = 0; b < BUCKETS; b++) y = a * y + (1 - a) * (x[b] ?? 0);
  y = (y * a) / (1 - a ** BUCKETS);
  for (let b = 0; b < BUCKETS; b++) {
    y = a * y + (1 - a) * (x[b] ?? 0);
    out[b] = (out[b] ?? 0) + weight * y;
  }
}

function simulateTenant(tenant: Tenant): Day {
  const random = mulberry32(fnv1a(`${SEED}:day:${tenant.index}`));
  for (const series of Object.values(day) as Float64Array[]) series.fill(0);
  demand.fill(0);
  bcReady.fill(0);
  const shape = shapes[tenant.zone] as Float64Array;
  for (let b = 0; b < BUCKETS; b++) demand[b] = tenant.txPerDay * (shape[b] ?? 0);
  for (const burst of tenant.bursts) {
    for (let n = 0; n < burst.length; n++) {
      const b = (burst.start + n) % BUCKETS;
      demand[b] = (demand[b] ?? 0) + burst.emails / burst.length;
    }
  }
  for (const broadcast of tenant.broadcasts) {
    let left = broadcast.recipients;
    let b = broadcast.start;
    while (left > 0 && b < BUCKETS) {
      const step = Math.min(left, FREEZE_PER_S * BUCKET_S);
      day.frozen[b] = (day.frozen[b] ?? 0) + step;
      left -= step;
      b++;
    }
    if (b < BUCKETS) bcReady[b] = (bcReady[b] ?? 0) + broadcast.recipients;
  }
  const capacity = tenant.sesRate * BUCKET_S;
  let txBacklog = 0;
  let bcBacklog = 0;
  for (let b = 0; b < BUCKETS; b++) {
    const accepted = poisson(random, demand[b] ?? 0);
    day.accepted[b] = accepted;
    const batched = accepted * tenant.batchShare;
    day.calls[b] = accepted - batched + batched / 100;
    txBacklog += accepted;
    const tx = Math.min(txBacklog, capacity);
    txBacklog -= tx;
    bcBacklog += bcReady[b] ?? 0;
    const bc = Math.min(bcBacklog, capacity * (1 - BROADCAST_RESERVE), capacity - tx);
    bcBacklog -= bc;
    day.txSent[b] = tx;
    day.bcSent[b] = bc;
    sent[b] = tx + bc;
  }
  // SES events: Send and 75 % of Deliveries in the bucket, the rest over minutes to hours.
  for (let b = 0; b < BUCKETS; b++)
    day.sesEvents[b] = (sent[b] ?? 0) * (EVENTS.send + 0.75 * EVENTS.delivery);
  addDelayed(sent, 0.25 * EVENTS.delivery + EVENTS.bounce, 120, day.sesEvents);
  addDelayed(sent, EVENTS.complaint, 6 * 3600, day.sesEvents);
  addDelayed(sent, 0.4 * EVENTS.open, 120, day.trackingHits);
  addDelayed(sent, 0.6 * EVENTS.open + EVENTS.click, 2 * 3600, day.trackingHits);
  return day;
}

/** Statements (D1) per bucket for one cost model. */
function statements(d: Day, tenant: Tenant, costs: StatementCosts, b: number): number {
  const accepted = d.accepted[b] ?? 0;
  const acceptCost = (1 - tenant.batchShare) * costs.acceptSingle + tenant.batchShare * costs.acceptBatch;
  return (
    accepted * acceptCost +
    (d.txSent[b] ?? 0) * costs.send +
    (d.bcSent[b] ?? 0) * costs.dispatch +
    (d.frozen[b] ?? 0) * costs.freeze +
    (d.sesEvents[b] ?? 0) * costs.sesEvent +
    (d.trackingHits[b] ?? 0) * costs.trackingHit
  );
}

/** One tenant's statements per bucket under a cost model, into out. */
function statementSeries(d: Day, tenant: Tenant, costs: StatementCosts, out: Float64Array): number {
  let total = 0;
  for (let b = 0; b < BUCKETS; b++) {
    const value = statements(d, tenant, costs, b);
    out[b] = value;
    total += value;
  }
  return total;
}

// ---- Placement -------------------------------------------------------------------------------------
interface Design {
  id: string;
  label: string;
  /** Tenant index → D1 shard, or -1: the tenant's own Durable Object (split into cells if need be). */
  placement: Int32Array;
  shards: number;
  /** Tenants on objects: a D1 directory serves them. */
  objects: boolean;
}

/** Size-aware: largest expected volume first onto the shard with the least so far (LPT). */
function binPack(tenants: Tenant[], shards: number, eligible: (t: Tenant) => boolean): Int32Array {
  const placement = new Int32Array(tenants.length).fill(-1);
  const filled = new Float64Array(shards);
  const order = tenants.filter(eligible).sort((a, b) => b.expectedPerDay - a.expectedPerDay);
  for (const tenant of order) {
    let best = 0;
    for (let s = 1; s < shards; s++) if ((filled[s] as number) < (filled[best] as number)) best = s;
    placement[tenant.index] = best;
    filled[best] = (filled[best] as number) + tenant.expectedPerDay;
  }
  return placement;
}

function makeDesigns(tenants: Tenant[]): Design[] {
  const everyone = () => true;
  const notLarge = (t: Tenant) => t.expectedPerDay < LARGE_TENANT_EMAILS_PER_DAY;
  const designs: Design[] = [
    { id: 'a', label: '(a) one D1 (today)', placement: new Int32Array(TENANTS), shards: 1, objects: false },
  ];
  for (const n of SHARD_COUNTS) {
    designs.push({
      id: `b-${n}-packed`,
      label: `(b) ${n} D1 shards, bin packing`,
      placement: binPack(tenants, n, everyone),
      shards: n,
      objects: false,
    });
    designs.push({
      id: `b-${n}-hash`,
      label: `(b) ${n} D1 shards, hash`,
      placement: Int32Array.from(tenants, (t) => fnv1a(t.id) % n),
      shards: n,
      objects: false,
    });
  }
  designs.push({
    id: 'c',
    label: '(c) a Durable Object per tenant',
    placement: new Int32Array(TENANTS).fill(-1),
    shards: 0,
    objects: true,
  });
  for (const n of MIXED_SHARD_COUNTS) {
    designs.push({
      id: `d-${n}`,
      label: `(d) ${n} D1 shards + objects for the large`,
      placement: binPack(tenants, n, notLarge),
      shards: n,
      objects: true,
    });
  }
  return designs;
}

// ---- Pass 1: every tenant's day, summed onto each design's shards ------------------------------------
const started = performance.now();
const tenants = makeTenants();
const designs = makeDesigns(tenants);
const load = designs.map((design) => ({
  today: new Float64Array(Math.max(1, design.shards) * BUCKETS),
  target: new Float64Array(Math.max(1, design.shards) * BUCKETS),
}));
const directoryLoad = new Float64Array(BUCKETS);
const platform = {
  accepted: new Float64Array(BUCKETS),
  sent: new Float64Array(BUCKETS),
  broadcastSent: new Float64Array(BUCKETS),
  events: new Float64Array(BUCKETS),
};
interface TenantFigures {
  peak: Record<Model, { value: number; bucket: number }>;
  statementsPerDay: Record<Model, number>;
  emails: number;
  recipients: number;
  events: number;
  /** Bytes a day adds to its database. */
  bytesPerDay: number;
  cells: number;
}
const figuresOf: TenantFigures[] = [];
const series = { today: new Float64Array(BUCKETS), target: new Float64Array(BUCKETS) };

for (const tenant of tenants) {
  const d = simulateTenant(tenant);
  const f: TenantFigures = {
    peak: { today: { value: 0, bucket: 0 }, target: { value: 0, bucket: 0 } },
    statementsPerDay: { today: 0, target: 0 },
    emails: 0,
    recipients: 0,
    events: 0,
    bytesPerDay: 0,
    cells: 1,
  };
  for (const m of MODELS) {
    const s = series[m];
    f.statementsPerDay[m] = statementSeries(d, tenant, COSTS[m], s);
    for (let b = 0; b < BUCKETS; b++) {
      if ((s[b] as number) > f.peak[m].value) f.peak[m] = { value: s[b] as number, bucket: b };
    }
  }
  for (let b = 0; b < BUCKETS; b++) {
    const sentNow = (d.txSent[b] as number) + (d.bcSent[b] as number);
    const events = (d.sesEvents[b] as number) + (d.trackingHits[b] as number);
    f.emails += sentNow;
    f.recipients += d.bcSent[b] as number;
    f.events += events;
    platform.accepted[b] = (platform.accepted[b] as number) + (d.accepted[b] as number);
    platform.sent[b] = (platform.sent[b] as number) + sentNow;
    platform.broadcastSent[b] = (platform.broadcastSent[b] as number) + (d.bcSent[b] as number);
    platform.events[b] = (platform.events[b] as number) + events;
    directoryLoad[b] =
      (directoryLoad[b] as number) +
      (d.calls[b] as number) * DIRECTORY_STATEMENTS.apiCall +
      (d.sesEvents[b] as number) * DIRECTORY_STATEMENTS.sesEvent;
  }
  f.bytesPerDay = f.emails * BYTES_PER_EMAIL + f.events * BYTES_PER_EVENT;
  f.cells = Math.max(
    1,
    Math.ceil(f.peak.target.value / BUCKET_S / (PLANNING_UTILISATION * DO_REQUESTS_PER_S)),
    Math.ceil((f.bytesPerDay * HOT_RETENTION_DAYS) / (CELL_FILL * DO_MAX_BYTES)),
  );
  figuresOf.push(f);
  designs.forEach((design, n) => {
    const shard = design.placement[tenant.index] as number;
    if (shard < 0) return;
    const offset = shard * BUCKETS;
    for (const m of MODELS) {
      const into = (load[n] as Record<Model, Float64Array>)[m];
      const s = series[m];
      for (let b = 0; b < BUCKETS; b++) into[offset + b] = (into[offset + b] as number) + (s[b] as number);
    }
  });
}

// ---- The hottest database of each design ---------------------------------------------------------------
const perSecond = (perBucket: number) => perBucket / BUCKET_S;
const round = (value: number, digits = 0) => Number(value.toFixed(digits));
const clock = (bucket: number) => {
  const seconds = bucket * BUCKET_S;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
};

function peakOf(s: Float64Array, from = 0, length = s.length) {
  let value = 0;
  let bucket = 0;
  for (let b = 0; b < length; b++) {
    if ((s[from + b] as number) > value) {
      value = s[from + b] as number;
      bucket = b;
    }
  }
  return { value, bucket };
}

/** Highest mean over `window` consecutive buckets: what a queue in front of the database sees. */
function windowPeak(s: Float64Array, from: number, window: number): number {
  let sum = 0;
  let best = 0;
  for (let b = 0; b < BUCKETS; b++) {
    sum += s[from + b] as number;
    if (b >= window) sum -= s[from + b - window] as number;
    if (b >= window - 1) best = Math.max(best, sum / window);
  }
  return best;
}

interface Hottest {
  /** "shard 3", or the tenant id whose object (cell) it is. */
  database: string;
  kind: 'd1' | 'object';
  shard: number;
  tenant: number;
  bucket: number;
  perSecond: number;
  limit: number;
  fiveMinutePerSecond: number;
  minutesOverLimit: number;
  /** The hottest D1 shard's peak, whichever database is hottest overall. */
  d1PerSecond: number;
}

function hottest(design: Design, n: number, model: Model): Hottest {
  const s = (load[n] as Record<Model, Float64Array>)[model];
  let best: Hottest | null = null;
  let overBuckets = 0;
  let d1PerSecond = 0;
  for (let shard = 0; shard < design.shards; shard++) {
    const p = peakOf(s, shard * BUCKETS, BUCKETS);
    for (let b = 0; b < BUCKETS; b++)
      if (perSecond(s[shard * BUCKETS + b] as number) > D1_STATEMENTS_PER_S) overBuckets++;
    const rate = perSecond(p.value);
    d1PerSecond = Math.max(d1PerSecond, rate);
    if (!best || rate / D1_STATEMENTS_PER_S > best.perSecond / best.limit) {
      best = {
        database: `shard ${shard}`,
        kind: 'd1',
        shard,
        tenant: -1,
        bucket: p.bucket,
        perSecond: rate,
        limit: D1_STATEMENTS_PER_S,
        fiveMinutePerSecond: perSecond(windowPeak(s, shard * BUCKETS, 300 / BUCKET_S)),
        minutesOverLimit: 0,
        d1PerSecond: 0,
      };
    }
  }
  if (design.objects) {
    for (const tenant of tenants) {
      if ((design.placement[tenant.index] as number) >= 0) continue;
      const f = figuresOf[tenant.index] as TenantFigures;
      const rate = perSecond(f.peak[model].value) / f.cells;
      if (!best || rate / DO_REQUESTS_PER_S > best.perSecond / best.limit) {
        best = {
          database: f.cells > 1 ? `${tenant.id} (1 of ${f.cells} cells)` : tenant.id,
          kind: 'object',
          shard: -1,
          tenant: tenant.index,
          bucket: f.peak[model].bucket,
          perSecond: rate,
          limit: DO_REQUESTS_PER_S,
          fiveMinutePerSecond: Number.NaN,
          minutesOverLimit: 0,
          d1PerSecond: 0,
        };
      }
    }
  }
  const result = best as Hottest;
  result.minutesOverLimit = (overBuckets * BUCKET_S) / 60;
  result.d1PerSecond = d1PerSecond;
  return result;
}

const hot = designs.map((design, n) => ({
  today: hottest(design, n, 'today'),
  target: hottest(design, n, 'target'),
}));

// ---- Pass 2: which tenants make each hot shard hot (the simulation is deterministic) ---------------------
const shares = hot.map(() => ({ today: new Map<number, number>(), target: new Map<number, number>() }));
for (const tenant of tenants) {
  const wanted: [number, Model][] = [];
  designs.forEach((design, n) => {
    for (const m of MODELS) {
      const h = (hot[n] as Record<Model, Hottest>)[m];
      if (h.kind === 'd1' && design.placement[tenant.index] === h.shard) wanted.push([n, m]);
    }
  });
  if (wanted.length === 0) continue;
  const d = simulateTenant(tenant);
  for (const [n, m] of wanted) {
    const h = (hot[n] as Record<Model, Hottest>)[m];
    const value = statements(d, tenant, COSTS[m], h.bucket);
    if (value > 0) (shares[n] as Record<Model, Map<number, number>>)[m].set(tenant.index, value);
  }
}

function hotTenants(n: number, model: Model) {
  const h = (hot[n] as Record<Model, Hottest>)[model];
  if (h.kind === 'object')
    return { tenants_on_database: 1, top: [{ tenant: tenants[h.tenant]?.id, share: 1 }] };
  const contributions = [...(shares[n] as Record<Model, Map<number, number>>)[model].entries()];
  const total = contributions.reduce((sum, [, value]) => sum + value, 0);
  contributions.sort((x, y) => y[1] - x[1]);
  const design = designs[n] as Design;
  return {
    tenants_on_database: tenants.filter((t) => design.placement[t.index] === h.shard).length,
    top: contributions.slice(0, 3).map(([index, value]) => ({
      tenant: tenants[index]?.id,
      share: round(value / (total || 1), 3),
    })),
  };
}

// ---- Storage and cost ------------------------------------------------------------------------------------
function storage(design: Design) {
  const shardBytes = new Float64Array(Math.max(1, design.shards));
  let d1Bytes = 0;
  let objectBytes = 0;
  let largestCell = 0;
  for (const tenant of tenants) {
    const f = figuresOf[tenant.index] as TenantFigures;
    const shard = design.placement[tenant.index] as number;
    if (shard >= 0) {
      shardBytes[shard] = (shardBytes[shard] as number) + f.bytesPerDay;
      d1Bytes += f.bytesPerDay;
    } else {
      objectBytes += f.bytesPerDay;
      largestCell = Math.max(largestCell, f.bytesPerDay / f.cells);
    }
  }
  const largestShard = design.shards > 0 ? Math.max(...shardBytes) : 0;
  const largest = Math.max(largestShard, largestCell);
  return {
    largest_database_gb_per_day: round(largest / 1e9, 2),
    largest_database_days_to_10_gb: round(D1_MAX_BYTES / largest, 1),
    d1_gb_retained: round((d1Bytes * HOT_RETENTION_DAYS) / 1e9),
    objects_gb_retained: round((objectBytes * HOT_RETENTION_DAYS) / 1e9),
    // However well packed, the D1 part needs this many databases to hold HOT_RETENTION_DAYS.
    d1_databases_needed_for_storage: Math.ceil((d1Bytes * HOT_RETENTION_DAYS) / (CELL_FILL * D1_MAX_BYTES)),
    fits_retention: D1_MAX_BYTES / largest >= HOT_RETENTION_DAYS,
  };
}

function monthlyCost(design: Design) {
  // D1 and SQLite objects bill rows at the same rates, whichever database holds them; objects add
  // requests and duration, D1 storage costs more per GB.
  let written = 0;
  let read = 0;
  let d1Bytes = 0;
  let objectBytes = 0;
  let requests = 0;
  for (const tenant of tenants) {
    const f = figuresOf[tenant.index] as TenantFigures;
    const transactional = f.emails - f.recipients;
    written +=
      transactional * ROWS.writtenPerEmail +
      f.recipients * ROWS.writtenPerRecipient +
      f.events * ROWS.writtenPerEvent;
    read +=
      transactional * ROWS.readPerEmail + f.recipients * ROWS.readPerRecipient + f.events * ROWS.readPerEvent;
    if ((design.placement[tenant.index] as number) >= 0) d1Bytes += f.bytesPerDay * HOT_RETENTION_DAYS;
    else {
      objectBytes += f.bytesPerDay * HOT_RETENTION_DAYS;
      requests += f.statementsPerDay.target;
    }
  }
  const month = DAYS_PER_MONTH;
  const over = (used: number, included: number, price: number, unit: number) =>
    (Math.max(0, used - included) / unit) * price;
  const bill = {
    rows_written_usd: over(written * month, PRICE.rowsWrittenIncluded, PRICE.rowsWrittenPerM, 1e6),
    rows_read_usd: over(read * month, PRICE.rowsReadIncluded, PRICE.rowsReadPerM, 1e6),
    d1_storage_usd: over(d1Bytes / 1e9, PRICE.d1StorageIncludedGb, PRICE.d1StoragePerGbMonth, 1),
    do_storage_usd: over(objectBytes / 1e9, PRICE.doStorageIncludedGb, PRICE.doStoragePerGbMonth, 1),
    do_requests_usd: over(requests * month, PRICE.doRequestsIncluded, PRICE.doRequestsPerM, 1e6),
    do_duration_usd: over(
      ((requests * month * DO_MS_PER_REQUEST) / 1000) * PRICE.doMemoryGb,
      PRICE.doGbSecondsIncluded,
      PRICE.doGbSecondPerM,
      1e6,
    ),
  };
  const total = Object.values(bill).reduce((a, b) => a + b, 0);
  return {
    rows_written_per_month: round(written * month),
    ...Object.fromEntries(Object.entries(bill).map(([k, v]) => [k, round(v)])),
    total_usd: round(total),
  } as Record<keyof typeof bill | 'rows_written_per_month' | 'total_usd', number>;
}

// ---- Results ------------------------------------------------------------------------------------------------
const sumOf = (s: Float64Array) => s.reduce((a, b) => a + b, 0);
const sentPerDay = sumOf(platform.sent);
const recipientsPerDay = sumOf(platform.broadcastSent);
const sentPeak = peakOf(platform.sent);

function hottestSingleObject(onObjects: Tenant[]) {
  let best: Tenant | undefined;
  for (const t of onObjects) {
    const f = figuresOf[t.index] as TenantFigures;
    if (
      f.cells === 1 &&
      (!best || f.peak.target.value > (figuresOf[best.index] as TenantFigures).peak.target.value)
    )
      best = t;
  }
  if (!best) return null;
  const f = figuresOf[best.index] as TenantFigures;
  return {
    tenant: best.id,
    transactional_per_day: best.txPerDay,
    peak_requests_per_s: round(perSecond(f.peak.target.value)),
    gb_per_day: round(f.bytesPerDay / 1e9, 2),
  };
}

function modelResult(n: number, model: Model) {
  const h = (hot[n] as Record<Model, Hottest>)[model];
  return {
    hottest_database: h.database,
    kind: h.kind,
    peak_at_utc: clock(h.bucket),
    peak_per_s: round(h.perSecond),
    limit_per_s: h.limit,
    fraction_of_limit: round(h.perSecond / h.limit, 3),
    headroom: round(h.limit / h.perSecond, 2),
    peak_5min_per_s: Number.isNaN(h.fiveMinutePerSecond) ? null : round(h.fiveMinutePerSecond),
    d1_minutes_over_limit: round(h.minutesOverLimit, 1),
    hottest_d1_shard_peak_per_s: round(h.d1PerSecond),
    hot_tenants: hotTenants(n, model),
  };
}

const results = designs.map((design, n) => {
  const today = modelResult(n, 'today');
  const target = modelResult(n, 'target');
  const objectTenants = tenants.filter((t) => (design.placement[t.index] as number) < 0);
  const cells = objectTenants.map((t) => (figuresOf[t.index] as TenantFigures).cells);
  const stored = storage(design);
  return {
    id: design.id,
    label: design.label,
    d1_shards: design.shards,
    d1_databases: design.shards + (design.objects ? 1 : 0),
    tenants_on_objects: objectTenants.length,
    objects: cells.reduce((a, b) => a + b, 0),
    split_tenants: objectTenants
      .filter((t) => (figuresOf[t.index] as TenantFigures).cells > 1)
      .map((t) => ({ tenant: t.id, cells: (figuresOf[t.index] as TenantFigures).cells })),
    directory_peak_statements_per_s: design.objects ? round(perSecond(peakOf(directoryLoad).value), 1) : null,
    // The busiest tenant that fits one object (target cost): how far a single object goes.
    hottest_single_object: design.objects ? hottestSingleObject(objectTenants) : null,
    today,
    target,
    storage: stored,
    passes: target.fraction_of_limit <= PLANNING_UTILISATION && stored.fits_retention,
    cost_per_month: monthlyCost(design),
  };
});

const largestTenants = tenants.slice(0, 5).map((t) => {
  const f = figuresOf[t.index] as TenantFigures;
  return {
    tenant: t.id,
    transactional_per_day: t.txPerDay,
    audience: t.audience,
    ses_rate_per_s: t.sesRate,
    broadcasts: t.broadcasts.map((b) => ({ at_utc: clock(b.start), recipients: b.recipients })),
    alone_peak_statements_per_s: {
      today: round(perSecond(f.peak.today.value)),
      target: round(perSecond(f.peak.target.value)),
    },
    gb_per_day: round(f.bytesPerDay / 1e9, 2),
  };
});

const lifecycle = (m: Model) => round(COSTS[m].acceptSingle + COSTS[m].send + 2 * COSTS[m].sesEvent, 2);
const figures = {
  generated_at: new Date().toISOString(),
  command: 'node bench/capacity.ts',
  seed: SEED,
  runtime_s: round((performance.now() - started) / 1000, 1),
  inputs: {
    tenants: TENANTS,
    bucket_seconds: BUCKET_S,
    d1_statements_per_s: D1_STATEMENTS_PER_S,
    d1_max_bytes: D1_MAX_BYTES,
    d1_databases_per_account: D1_DATABASES_PER_ACCOUNT,
    d1_bindings_per_worker: D1_BINDINGS_PER_WORKER,
    do_requests_per_s: DO_REQUESTS_PER_S,
    do_max_bytes: DO_MAX_BYTES,
    planning_utilisation: PLANNING_UTILISATION,
    statement_costs: COSTS,
    lifecycle_statements: { today: lifecycle('today'), target: lifecycle('target') },
    directory_statements: DIRECTORY_STATEMENTS,
    do_ms_per_request: DO_MS_PER_REQUEST,
    hot_retention_days: HOT_RETENTION_DAYS,
    bytes_per_email: BYTES_PER_EMAIL,
    bytes_per_event: BYTES_PER_EVENT,
    large_tenant_emails_per_day: LARGE_TENANT_EMAILS_PER_DAY,
  },
  platform: {
    transactional_per_day: round(sentPerDay - recipientsPerDay),
    broadcast_recipients_per_day: round(recipientsPerDay),
    broadcasts: tenants.reduce((n, t) => n + t.broadcasts.length, 0),
    events_per_day: round(sumOf(platform.events)),
    mean_emails_sent_per_s: round(sentPerDay / 86_400),
    peak_emails_sent_per_s: round(perSecond(sentPeak.value)),
    peak_emails_sent_at_utc: clock(sentPeak.bucket),
    peak_emails_accepted_per_s: round(perSecond(peakOf(platform.accepted).value)),
    peak_events_per_s: round(perSecond(peakOf(platform.events).value)),
    largest_tenants: largestTenants,
  },
  designs: results,
};

const root = new URL('..', import.meta.url).pathname;
writeFileSync(join(root, 'bench/results/capacity.json'), `${JSON.stringify(figures, null, 2)}\n`);
const md = markdown();
writeFileSync(join(root, 'bench/results/capacity.md'), md);
console.log(md);

function markdown(): string {
  const pct = (value: number) => `${round(value * 100)} %`;
  const int = (value: number) => Math.round(value).toLocaleString('en-US');
  const p = figures.platform;
  const lines = [
    `# Capacity simulation (${figures.generated_at})`,
    '',
    `Command: \`node bench/capacity.ts\` (seed ${SEED}, ${figures.runtime_s} s, no stack). One simulated day of ${int(TENANTS)} tenants in ${BUCKET_S}-second buckets, replayed against each design's per-database limit. Inputs, with their sources, are the named constants at the top of \`bench/capacity.ts\`; the design that \`docs/scaling.md\` picks rests on these figures.`,
    '',
    '## The day',
    '',
    '| figure | value |',
    '|---|---|',
    `| transactional emails / day | ${int(p.transactional_per_day)} |`,
    `| broadcast recipients / day (${p.broadcasts} broadcasts) | ${int(p.broadcast_recipients_per_day)} |`,
    `| SES events + tracking hits / day | ${int(p.events_per_day)} |`,
    `| emails sent / s: mean, peak (10 s, at ${p.peak_emails_sent_at_utc} UTC) | ${int(p.mean_emails_sent_per_s)}, ${int(p.peak_emails_sent_per_s)} |`,
    `| peak emails accepted / s | ${int(p.peak_emails_accepted_per_s)} |`,
    `| peak events / s | ${int(p.peak_events_per_s)} |`,
    '',
    '| largest tenants | transactional / day | SES rate | broadcasts (UTC) | alone, peak stmt/s today / target | GB / day |',
    '|---|---|---|---|---|---|',
    ...largestTenants.map(
      (t) =>
        `| ${t.tenant} | ${int(t.transactional_per_day)} | ${t.ses_rate_per_s}/s | ${t.broadcasts.map((b) => `${int(b.recipients)} at ${b.at_utc}`).join(', ') || '–'} | ${int(t.alone_peak_statements_per_s.today)} / ${int(t.alone_peak_statements_per_s.target)} | ${t.gb_per_day} |`,
    ),
    '',
    '## The hottest database of each design',
    '',
    `Peak = the busiest 10-second bucket of the design's hottest database, per second: statements/s against ${int(D1_STATEMENTS_PER_S)} for a D1 database, requests/s against ${int(DO_REQUESTS_PER_S)} for a Durable Object. Headroom = limit ÷ peak. "today" costs ${figures.inputs.lifecycle_statements.today} statements per single-email lifecycle, "target" ${figures.inputs.lifecycle_statements.target}. A design passes when its hottest database stays under ${pct(PLANNING_UTILISATION)} of its limit at target cost and its largest database holds ${HOT_RETENTION_DAYS} days of mail.`,
    '',
    '| design | databases | today: peak/s (of limit) | target: peak/s (of limit) | headroom | target: hottest, at (UTC) | what makes it hot | 5-min peak/s | hottest D1 (target) | largest DB: GB/day, days to 10 GB | passes |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const { today, target } = r;
    const databases = [
      r.d1_databases ? `${r.d1_databases} D1` : '',
      r.objects ? `${int(r.objects)} objects` : '',
    ]
      .filter(Boolean)
      .join(' + ');
    const why = target.hot_tenants.top.map((t) => `${t.tenant} ${pct(t.share)}`).join(', ');
    lines.push(
      `| ${r.label} | ${databases} | ${int(today.peak_per_s)} (${pct(today.fraction_of_limit)}) | ${int(target.peak_per_s)} (${pct(target.fraction_of_limit)}) | ${target.headroom}× | ${target.hottest_database}, ${target.peak_at_utc} | ${why} (of ${int(target.hot_tenants.tenants_on_database)}) | ${target.peak_5min_per_s === null ? '–' : int(target.peak_5min_per_s)} | ${r.d1_shards ? `${int(target.hottest_d1_shard_peak_per_s)}/s` : '–'} | ${r.storage.largest_database_gb_per_day}, ${r.storage.largest_database_days_to_10_gb} | ${r.passes ? 'yes' : 'no'} |`,
    );
  }
  const split = results.find((r) => r.id === 'c')?.split_tenants ?? [];
  const single = results.find((r) => r.id === 'c')?.hottest_single_object;
  lines.push(
    '',
    `Tenants split into cells (designs c, d): ${split.map((s) => `${s.tenant} × ${s.cells}`).join(', ') || 'none'}. The busiest tenant left on one object: ${single ? `${single.tenant} (${int(single.transactional_per_day)} transactional/day), ${int(single.peak_requests_per_s)} requests/s, ${single.gb_per_day} GB/day` : 'none'}. Directory D1 behind the objects: peak ${results.find((r) => r.id === 'c')?.directory_peak_statements_per_s} statements/s. D1 storage: the shard designs need at least ${results.find((r) => r.id === 'a')?.storage.d1_databases_needed_for_storage} databases to hold ${HOT_RETENTION_DAYS} days of everyone's mail, (d) ${results.find((r) => r.id === 'd-16')?.storage.d1_databases_needed_for_storage} for the tenants it keeps on D1.`,
    '',
    `## Cost per month (list prices; rows as measured today; ${HOT_RETENTION_DAYS} days retained)`,
    '',
    '| design | rows written / month | rows written | rows read | D1 storage | DO storage | DO requests | DO duration | total |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const r of results) {
    const c = r.cost_per_month;
    lines.push(
      `| ${r.label} | ${(c.rows_written_per_month / 1e9).toFixed(1)} B | $${int(c.rows_written_usd)} | $${int(c.rows_read_usd)} | $${int(c.d1_storage_usd)} | $${int(c.do_storage_usd)} | $${int(c.do_requests_usd)} | $${int(c.do_duration_usd)} | $${int(c.total_usd)} |`,
    );
  }
  lines.push(
    '',
    '## Assumptions',
    '',
    `- **Limits** (Cloudflare docs, read 2026-12-03). D1: one query at a time per database, ~1,000 queries/s at 1 ms (D1 limits, "How much work can a D1 database do?"); 10 GB per database, not raisable; ${int(D1_DATABASES_PER_ACCOUNT)} databases per account, ~${int(D1_BINDINGS_PER_WORKER)} bindings per Worker. Durable Objects: a soft limit of 1,000 requests/s per object, 10 GB of SQLite each (Durable Objects limits). Every D1 statement is counted as 1 ms; writes take "several ms" by the same page and a freeze's 1,000-row INSERT … SELECT longer, so the D1 figures are a floor.`,
    `- **Costs per unit.** today: ${Object.entries(COSTS.today)
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', ',
      )} (measured: bench/results/accept.md, feedback.md, broadcast.md). target (issues 18/19): ${Object.entries(
      COSTS.target,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}. A Durable Object counts each statement as one request (an upper bound: a batch is one).`,
    `- **Tenants.** ${int(TENANTS)}; transactional volume Zipf(${ZIPF_S}) by rank, ${int(TX_TOP_PER_DAY)}/day down to ${TX_MIN_PER_DAY}/day; time zones ${TIME_ZONES.map(([o, w]) => `UTC${o >= 0 ? '+' : ''}${o} ${pct(w)}`).join(', ')}; a local curve with humps at ${DIURNAL.humps.join(' and ')} h over a ${DIURNAL.floor} floor; ${BURSTS_PER_DAY} bursts a day, each ${BURST_SHARE.map((v) => `${round(v * 100, 1)} %`).join('–')} of the tenant's day in 1–10 min; 0–${pct(BATCH_SHARE_MAX)} of a tenant's mail through the batch endpoint.`,
    `- **Broadcasts.** Audience = transactional/day × ${AUDIENCE_PER_TX} × lognormal(σ 1), at most ${int(AUDIENCE_CAP)}; Poisson(${BROADCASTS_PER_DAY}) a day at round local hours (${[...new Set(BROADCAST_HOURS)].join(', ')}) to 40–100 % of it; the ${FULL_BROADCAST_TOP} largest tenants send one to their whole audience at local 10:00 or 14:00. Freeze at ${int(FREEZE_PER_S)} recipients/s, then dispatch at the tenant's SES rate less the ${pct(BROADCAST_RESERVE)} reserve, transactional mail first.`,
    `- **SES.** Rate by volume: ${SES_RATE_TIERS.map(([min, rate]) => `≥ ${int(min)}/day → ${rate}/s`).join(', ')}; transactional mail above it waits in the send queue. Per email sent: Send 1 and Delivery ${EVENTS.delivery} (75 % within 10 s, the rest τ 2 min), Bounce ${EVENTS.bounce} (τ 2 min), Complaint ${EVENTS.complaint} (τ 6 h); tracking opens ${EVENTS.open} (40 % machine opens, τ 2 min; the rest τ 2 h), clicks ${EVENTS.click} (τ 2 h). Delays wrap around midnight, as in a steady week.`,
    `- **Designs.** Bin packing: largest expected emails/day first onto the least-filled shard; hash: FNV-1a of the tenant id mod N. (c)/(d): a tenant's hot data in its own SQLite Durable Object; one that would pass ${pct(PLANNING_UTILISATION)} of 1,000 requests/s, or ${pct(CELL_FILL)} of 10 GB within ${HOT_RETENTION_DAYS} days, is split into cells by email id (sized from its own peak). (d) puts tenants expecting ≥ ${int(LARGE_TENANT_EMAILS_PER_DAY)} emails/day on objects, bin-packs the rest. Directory D1: ${DIRECTORY_STATEMENTS.apiCall} statements per API call (KV misses), ${DIRECTORY_STATEMENTS.sesEvent} per SES event (domains directory).`,
    `- **Storage and cost.** ${int(BYTES_PER_EMAIL)} B per email row and ${int(BYTES_PER_EVENT)} B per event row with their index entries (estimates from migrations/), ${HOT_RETENTION_DAYS} days in SQL. Rows per unit as measured today: written ${ROWS.writtenPerEmail} per email, ${ROWS.writtenPerRecipient} per broadcast recipient, ${ROWS.writtenPerEvent} per event. Prices (D1 and Durable Objects pricing pages, read 2026-12-03): rows written $1.00/M over 50M a month, rows read $0.001/M over 25B, D1 storage $0.75/GB-month over 5 GB, SQLite-object storage $0.20/GB-month over 5 GB, object requests $0.15/M over 1M, duration $12.50/M GB-s over 400,000 at 128 MB, ${DO_MS_PER_REQUEST} ms a request. Workers, Queues, R2 and SES are not included.`,
    '',
  );
  return lines.join('\n');
}
