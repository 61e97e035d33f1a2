// Per-tenant API rate limiting through the RateLimiter DO, with the headers Resend sends; and the
// per-address limit on failed API-key authentication (below).
import { type ApiKeyRecord, AppError, type RateLimitDecision, type RateLimitRule } from '@mailgrid/contracts';
import type { Env } from './env';

/** Any authenticated caller's tenant bucket: an API key's record, or a signed-in user's. */
export async function takeApiToken(
  env: Env,
  record: Pick<ApiKeyRecord, 'tenant_id' | 'rate_limit'>,
): Promise<Record<string, string>> {
  const bucket = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`api:${record.tenant_id}`));
  const decision = await bucket.take(record.rate_limit, 1);
  const headers = rateLimitHeaders(decision);
  if (!decision.allowed) {
    throw new AppError(
      'rate_limit_exceeded',
      `Too many requests: this account may make ${record.rate_limit.per_second} requests per second (bursts of ${record.rate_limit.burst}). Retry after ${headers['retry-after']} s.`,
      headers,
    );
  }
  return headers;
}

function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'ratelimit-limit': String(decision.limit),
    'ratelimit-remaining': String(decision.remaining),
    'ratelimit-reset': String(decision.reset_seconds),
  };
  if (!decision.allowed) headers['retry-after'] = String(Math.max(1, decision.retry_after_seconds));
  return headers;
}

// ---------------------------------------------------------------------------------------------------
// Failed API-key authentication, per client IP. Guessing keys is hopeless (238 random bits); what a
// flood of made-up keys can do is cost storage: every unknown prefix was a D1 read, and one D1
// database answers about a thousand simple queries a second for the whole platform. So failures are
// bounded per client address by a RateLimiter bucket (`auth-fail:<address>`), and an address over
// its limit is refused before D1 is asked:
//
// - A token is taken only when authentication fails (a key the cache or D1 does not know, or whose
//   secret part is wrong), so a client whose keys work never calls the bucket. Malformed keys are
//   refused without any storage and take no token either.
// - Each isolate remembers, in memory, an address the bucket refused until its retry-after, and
//   refuses it again without asking anyone. It also remembers an address that failed recently
//   ("suspect", until its bucket would be full again), and one that has a D1 lookup under way: from
//   such an address a lookup that has to go to D1 takes its token first, so concurrent guesses cannot
//   all slip into D1 in the moment before the bucket says no. D1 reads per address are then at most
//   the burst plus one per refill (plus one uncharged lookup per isolate).
// - A valid key still works from an address over its limit when the KV cache holds its record
//   (any key in use: records stay 5 minutes): the cache answers without D1. A key the cache does not
//   hold yet looks exactly like a guess until D1 is read, so from such an address it waits for the
//   bucket's next token (the 429's retry-after) like every other lookup.

/**
 * At most 10 failed authentications at once per client address, then one every 5 seconds: an
 * address flooding made-up keys costs D1 10 reads, then one per 5 s (bench/results/auth-flood.md).
 */
export const AUTH_FAILURE_RULE: RateLimitRule = { per_second: 0.2, burst: 10 };

/** What this isolate knows about an address that has failed. Times in ms since the epoch. */
interface FailureState {
  /** The bucket refused it: refuse every lookup and failure until then. */
  blockedUntil: number;
  /** It failed recently: take a token before a D1 lookup, until then. */
  suspectUntil: number;
}

/** Addresses per isolate; past this, forgotten ones are dropped first, then the oldest. */
const MAX_TRACKED_ADDRESSES = 10_000;
const failures = new Map<string, FailureState>();

/**
 * The caller's address as its failure bucket is named: `cf-connecting-ip` (set by Cloudflare), an
 * IPv6 address reduced to its /64 (one subscriber's usual allocation), `unknown` without the header.
 */
export function clientAddress(request: Request): string {
  const ip = request.headers.get('cf-connecting-ip')?.trim().toLowerCase().slice(0, 64);
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(ip);
  if (mapped?.[1]) return mapped[1];
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.split('%')[0]?.split('::', 2) ?? [];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = ip.includes('::') ? Math.max(0, 8 - headGroups.length - tailGroups.length) : 0;
  const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Addresses with a D1 key lookup under way that took no token (at most one each per isolate). */
const unchargedLookups = new Set<string>();

/** A D1 key lookup allowed by the failure limit; `end()` it once its failure, if any, is recorded. */
export interface KeyLookup {
  /** The failure token was taken up front, so a failure that follows takes no second one. */
  tokenTaken: boolean;
  end(): void;
}

/**
 * Before a key lookup that has to go to D1: refuses an address over its failure limit (429, D1
 * untouched). An address with no recent failure and no other lookup under way goes to D1 without a
 * token (a working client pays nothing); otherwise the token is taken first.
 */
export async function beginKeyLookup(env: Env, address: string, now = Date.now()): Promise<KeyLookup> {
  const state = failures.get(address);
  if (state && state.blockedUntil > now) throw tooManyFailures(state.blockedUntil - now);
  const suspect = state !== undefined && state.suspectUntil > now;
  if (!suspect && !unchargedLookups.has(address)) {
    unchargedLookups.add(address);
    return { tokenTaken: false, end: () => unchargedLookups.delete(address) };
  }
  await takeFailureToken(env, address, now);
  return { tokenTaken: true, end: () => {} };
}

/**
 * After a failed authentication: takes the address's failure token (unless the lookup took it
 * already). Returns normally while the address is within its limit (the caller answers 401); over
 * it, throws 429 with retry-after.
 */
export async function recordAuthFailure(
  env: Env,
  address: string,
  tokenTaken: boolean,
  now = Date.now(),
): Promise<void> {
  if (tokenTaken) return;
  const state = failures.get(address);
  if (state && state.blockedUntil > now) throw tooManyFailures(state.blockedUntil - now);
  await takeFailureToken(env, address, now);
}

async function takeFailureToken(env: Env, address: string, now: number): Promise<void> {
  const bucket = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`auth-fail:${address}`));
  const decision = await bucket.take(AUTH_FAILURE_RULE, 1);
  // Suspect until the bucket would be full again: only then may failures go uncharged to D1.
  const suspectUntil = now + (AUTH_FAILURE_RULE.burst / AUTH_FAILURE_RULE.per_second) * 1000;
  const retryAfterMs = Math.max(1, decision.retry_after_seconds) * 1000;
  remember(address, {
    blockedUntil: decision.allowed ? 0 : now + retryAfterMs,
    suspectUntil,
  });
  if (!decision.allowed) throw tooManyFailures(retryAfterMs);
}

function remember(address: string, state: FailureState): void {
  failures.delete(address);
  if (failures.size >= MAX_TRACKED_ADDRESSES) {
    const now = Date.now();
    for (const [known, entry] of failures) {
      if (entry.blockedUntil <= now && entry.suspectUntil <= now) failures.delete(known);
    }
    // Still full: drop the longest-untouched (a Map iterates in insertion order).
    for (const known of failures.keys()) {
      if (failures.size < MAX_TRACKED_ADDRESSES) break;
      failures.delete(known);
    }
  }
  failures.set(address, state);
}

function tooManyFailures(waitMs: number): AppError {
  const retryAfter = String(Math.max(1, Math.ceil(waitMs / 1000)));
  return new AppError(
    'rate_limit_exceeded',
    `Too many failed authentications from your address: at most ${AUTH_FAILURE_RULE.burst}, then one every ${1 / AUTH_FAILURE_RULE.per_second} s. Check the API key you send. Retry after ${retryAfter} s.`,
    { 'retry-after': retryAfter },
  );
}
