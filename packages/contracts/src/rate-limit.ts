// The RateLimiter Durable Object's RPC surface: one object per bucket key.
import type { RateLimitRule } from './api-keys';

export interface RateLimitDecision {
  allowed: boolean;
  /** The bucket's size, for the `ratelimit-limit` header. */
  limit: number;
  /** Whole tokens left after this take. */
  remaining: number;
  /** Seconds until the bucket is full again. */
  reset_seconds: number;
  /** When refused: seconds until `cost` tokens are available. 0 when allowed. */
  retry_after_seconds: number;
}

export interface PartialGrant {
  /** Tokens taken: between 0 and what was asked for. */
  granted: number;
  /** Seconds until the rest would be available. 0 when everything was granted. */
  retry_after_seconds: number;
}

export interface Booking {
  /** Tokens taken for now. */
  granted: number;
  /**
   * Tokens booked from the bucket's future, one per entry: the seconds until each is due, ascending.
   * The bucket goes below zero by as many, so every later caller waits behind them.
   */
  later: number[];
  /** For what was asked beyond `granted` and `later` (due past the horizon): when to ask again. */
  retry_after_seconds: number;
}

export interface RateLimiterRpc {
  /** Takes `cost` tokens if the bucket holds them; takes nothing otherwise. */
  take(rule: RateLimitRule, cost?: number): Promise<RateLimitDecision>;
  /**
   * Takes as many tokens as the bucket holds, up to `max` (bulk pacing of a queue batch). With
   * `reserve`, only tokens above that level: a lower-priority caller (a broadcast) leaves the reserve
   * to callers that ask without one (transactional mail), who so never wait behind it.
   */
  takeUpTo(rule: RateLimitRule, max: number, reserve?: number): Promise<PartialGrant>;
  /**
   * Like takeUpTo, and what cannot be had now is booked from the bucket's future, up to
   * `horizonSeconds` ahead: a waiting caller comes back once, when its token is due, instead of
   * asking again every second with everyone else who waits.
   */
  book(rule: RateLimitRule, max: number, horizonSeconds: number): Promise<Booking>;
}
