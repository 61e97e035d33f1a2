// Cloudflare's list prices (Workers Paid, beyond the included usage) and how bench/cost.ts turns one
// email's measured resources into dollars per million emails. Read from Cloudflare's developer docs
// (the pricing pages named in `source`) on the date below; change them here when they change.

export const PRICES_READ_ON = '2026-12-03';

export const PRICES = {
  worker_request: {
    what: 'Workers request (Standard)',
    usd: 0.3 / 1e6,
    price: '$0.30 per million',
    source: 'Workers pricing; service-binding calls "do not incur additional request fees"',
  },
  worker_cpu_ms: {
    what: 'Workers CPU time',
    usd: 0.02 / 1e6,
    price: '$0.02 per million CPU ms',
    source: 'Workers pricing',
  },
  d1_row_read: { what: 'D1 rows read', usd: 0.001 / 1e6, price: '$0.001 per million', source: 'D1 pricing' },
  d1_row_written: {
    what: 'D1 rows written (index entries included)',
    usd: 1 / 1e6,
    price: '$1.00 per million',
    source: 'D1 pricing',
  },
  d1_storage_gb_month: { what: 'D1 storage', usd: 0.75, price: '$0.75 per GB-month', source: 'D1 pricing' },
  r2_class_a: {
    what: 'R2 Class A (put, list, multipart)',
    usd: 4.5 / 1e6,
    price: '$4.50 per million',
    source: 'R2 pricing (DeleteObject is free)',
  },
  r2_class_b: {
    what: 'R2 Class B (get, head)',
    usd: 0.36 / 1e6,
    price: '$0.36 per million',
    source: 'R2 pricing',
  },
  r2_storage_gb_month: {
    what: 'R2 storage (Standard)',
    usd: 0.015,
    price: '$0.015 per GB-month',
    source: 'R2 pricing',
  },
  kv_read: { what: 'KV reads', usd: 0.5 / 1e6, price: '$0.50 per million', source: 'KV pricing' },
  kv_write: {
    what: 'KV writes, deletes and lists',
    usd: 5 / 1e6,
    price: '$5.00 per million',
    source: 'KV pricing',
  },
  queue_operation: {
    what: 'Queues operation (write, read or delete of ≤ 64 KB)',
    usd: 0.4 / 1e6,
    price: '$0.40 per million',
    source: 'Queues pricing',
  },
  do_request: {
    what: 'Durable Objects request (each RPC call on a stub)',
    usd: 0.15 / 1e6,
    price: '$0.15 per million',
    source: 'Durable Objects pricing',
  },
} as const;

export interface PricedLine {
  item: string;
  per_email: number;
  unit: string;
  price: string;
  usd_per_million_emails: number;
}

export interface Priced {
  lines: PricedLine[];
  total: number;
}

interface PerEmail {
  requests: number;
  d1_rows_read: number;
  d1_rows_written: number;
  r2_class_a: number;
  r2_class_b: number;
  kv_reads: number;
  kv_writes: number;
  queue_messages_sent: number;
  queue_messages_read: number;
  queue_messages_acked: number;
  do_requests: number;
}

const MILLION = 1e6;
const GB = 1e9;
const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** One email's resources → each line's dollars per million emails, and their total. */
export function price(
  perEmail: PerEmail,
  cpuMsPerEmail: number,
  stateBytesPerEmail: { d1: number; r2: number },
): Priced {
  const line = (
    item: string,
    amount: number,
    unit: string,
    p: { usd: number; price: string },
    per = 1,
  ): PricedLine => ({
    item,
    per_email: round(amount, 4),
    unit,
    price: p.price,
    usd_per_million_emails: round((amount / per) * p.usd * MILLION, 4),
  });
  const queueOps =
    perEmail.queue_messages_sent + perEmail.queue_messages_read + perEmail.queue_messages_acked;
  const kept = 'bytes kept a month';
  const lines = [
    line('Workers requests', perEmail.requests, 'requests', PRICES.worker_request),
    line('Workers CPU (upper bound: local workerd)', cpuMsPerEmail, 'CPU ms', PRICES.worker_cpu_ms),
    line('D1 rows written', perEmail.d1_rows_written, 'rows', PRICES.d1_row_written),
    line('D1 rows read', perEmail.d1_rows_read, 'rows', PRICES.d1_row_read),
    line('D1 storage', stateBytesPerEmail.d1, kept, PRICES.d1_storage_gb_month, GB),
    line('R2 Class A', perEmail.r2_class_a, 'operations', PRICES.r2_class_a),
    line('R2 Class B', perEmail.r2_class_b, 'operations', PRICES.r2_class_b),
    line('R2 storage', stateBytesPerEmail.r2, kept, PRICES.r2_storage_gb_month, GB),
    line('KV reads', perEmail.kv_reads, 'reads', PRICES.kv_read),
    line('KV writes', perEmail.kv_writes, 'writes', PRICES.kv_write),
    line('Queues operations', queueOps, 'operations (write + read + delete)', PRICES.queue_operation),
    line('Durable Objects requests', perEmail.do_requests, 'requests', PRICES.do_request),
  ];
  return {
    lines,
    total: round(
      lines.reduce((sum, l) => sum + l.usd_per_million_emails, 0),
      3,
    ),
  };
}
