// How far along an email is, as Resend's `last_event` tells it, and which events may move it on.
// An email's last_event only ever moves up this ladder: a Delivery that SNS hands over after the
// Bounce (SNS does not keep order) must not make a bounced email look delivered.

/** Higher wins. The terminal outcomes share the top rung, so the first one to arrive stays. */
const RANK: Record<string, number> = {
  scheduled: 0,
  queued: 0,
  sending: 0,
  sent: 1,
  delivery_delayed: 2,
  delivered: 3,
  opened: 4,
  clicked: 5,
  bounced: 9,
  complained: 9,
  failed: 9,
  canceled: 9,
  suppressed: 9,
};

/** The last_event value an event type stands for: `email.delivered` → `delivered`. */
export function lastEventOf(type: string): string {
  return type.replace(/^email\./, '');
}

export function rankOf(lastEvent: string): number {
  return RANK[lastEvent] ?? 0;
}

/** The last_event values an email may move from to reach `to`: every one ranked strictly below it. */
export function movableFrom(to: string): string[] {
  const rank = rankOf(to);
  return Object.keys(RANK).filter((from) => (RANK[from] ?? 0) < rank);
}

/** Of these last_event values, the one that ranks highest (the first of equals). */
export function furthest(values: string[]): string | undefined {
  let best: string | undefined;
  for (const value of values) if (best === undefined || rankOf(value) > rankOf(best)) best = value;
  return best;
}
