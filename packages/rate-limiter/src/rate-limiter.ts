// The RateLimiter Durable Object: one token bucket per object (per tenant for API requests, per SES
// account or stream for outbound pacing). The rule comes with each call, so a tenant's configured
// limit takes effect without touching the object. SQLite-backed: the bucket survives eviction.
// Each worker that needs buckets exports this class from its entry module and binds its own
// namespace, so no worker's deploy waits on another's.

import { DurableObject } from 'cloudflare:workers';
import type {
  Booking,
  PartialGrant,
  RateLimitDecision,
  RateLimiterRpc,
  RateLimitRule,
} from '@mailgrid/contracts';

interface Bucket {
  tokens: number;
  updated_ms: number;
}

export class RateLimiter extends DurableObject implements RateLimiterRpc {
  async take(rule: RateLimitRule, cost = 1): Promise<RateLimitDecision> {
    let tokens = this.refill(rule);
    const allowed = cost <= tokens;
    if (allowed) tokens -= cost;
    this.save(tokens);
    return {
      allowed,
      limit: rule.burst,
      remaining: Math.floor(tokens),
      reset_seconds: Math.ceil((rule.burst - tokens) / rule.per_second),
      // A cost above the bucket's size can never be met; the caller is told to wait a full refill
      // (at least a second: a full bucket is "refilled" already, and a refusal must never say "retry now").
      retry_after_seconds: allowed
        ? 0
        : Math.max(1, Math.ceil((Math.min(cost, rule.burst) - tokens) / rule.per_second)),
    };
  }

  /**
   * Bulk pacing: grants as many whole tokens as the bucket holds above `reserve`, up to `max`. The
   * reserve is what a lower-priority caller leaves for the others (see RateLimiterRpc.takeUpTo).
   */
  async takeUpTo(rule: RateLimitRule, max: number, reserve = 0): Promise<PartialGrant> {
    const tokens = this.refill(rule);
    const granted = Math.max(0, Math.min(max, Math.floor(tokens - reserve)));
    this.save(tokens - granted);
    const missing = max - granted;
    return {
      granted,
      retry_after_seconds:
        missing > 0 ? Math.max(1, Math.ceil((missing + reserve - (tokens - granted)) / rule.per_second)) : 0,
    };
  }

  /**
   * Bulk pacing with bookings (RateLimiterRpc.book): whole tokens now, then tokens taken from the
   * future while the wait for each stays within the horizon. The balance may go below zero: it is
   * the booked tokens not yet due, and it refills at the rule's rate like any balance, so takeUpTo
   * (a broadcast) and later bookings wait behind them.
   */
  async book(rule: RateLimitRule, max: number, horizonSeconds: number): Promise<Booking> {
    let tokens = this.refill(rule);
    let granted = 0;
    const later: number[] = [];
    while (granted + later.length < max) {
      const after = tokens - 1;
      // The token is due when the balance has refilled from `after` to zero.
      const wait = after >= 0 ? 0 : Math.ceil(-after / rule.per_second);
      if (wait > horizonSeconds) break;
      tokens = after;
      if (wait === 0) granted++;
      else later.push(wait);
    }
    this.save(tokens);
    return {
      granted,
      later,
      retry_after_seconds: granted + later.length < max ? Math.max(1, horizonSeconds) : 0,
    };
  }

  private refill(rule: RateLimitRule): number {
    const now = Date.now();
    const saved = this.ctx.storage.kv.get<Bucket>('bucket');
    const elapsedSeconds = saved ? Math.max(0, now - saved.updated_ms) / 1000 : 0;
    return saved ? Math.min(rule.burst, saved.tokens + elapsedSeconds * rule.per_second) : rule.burst;
  }

  private save(tokens: number): void {
    this.ctx.storage.kv.put('bucket', { tokens, updated_ms: Date.now() } satisfies Bucket);
  }
}
