// A bounded closed-loop load generator for loopback: `requests` calls, `concurrency` at a time.
export interface LoadResult {
  requests: number;
  concurrency: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
}

export async function load(
  requests: number,
  concurrency: number,
  call: (n: number) => Promise<Response>,
  expected: number,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const n = next++;
        const t0 = performance.now();
        const response = await call(n);
        await response.arrayBuffer();
        if (response.status !== expected) throw new Error(`request ${n} answered ${response.status}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    Number((latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0).toFixed(1));
  return {
    requests: latencies.length,
    concurrency,
    rps: Math.round(latencies.length / seconds),
    p50_ms: pct(0.5),
    p99_ms: pct(0.99),
  };
}
