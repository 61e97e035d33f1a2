/** A stream's guardrail state (GET /api/reputation): its rates over the window and what it did. */
export interface Reputation {
  stream: string;
  status: 'ok' | 'warning' | 'paused';
  sent: number;
  bounce_rate: number;
  complaint_rate: number;
  window_days: number;
  /** Fewer sends than this in the window: the rates are not judged yet. */
  minimum_sends: number;
  reason: string | null;
}
