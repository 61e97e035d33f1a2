// Per-tenant API rate limiting through the RateLimiter DO, with the headers Resend sends.
import { type ApiKeyRecord, AppError, type RateLimitDecision } from '@mailgrid/contracts';
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
