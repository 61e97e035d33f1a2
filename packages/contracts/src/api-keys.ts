// API keys as Resend's API Keys API shapes them, plus the record the gateway caches per key prefix.
import * as v from 'valibot';

export const API_KEY_PERMISSIONS = ['full_access', 'sending_access'] as const;
export type ApiKeyPermission = (typeof API_KEY_PERMISSIONS)[number];

export const CreateApiKeyRequest = v.strictObject({
  name: v.pipe(v.string(), v.trim(), v.minLength(1, 'name must not be empty'), v.maxLength(50)),
  permission: v.optional(v.picklist(API_KEY_PERMISSIONS), 'full_access'),
  domain_id: v.optional(v.pipe(v.string(), v.uuid('domain_id must be a domain id'))),
});
export type CreateApiKeyRequest = v.InferOutput<typeof CreateApiKeyRequest>;

/** Resend's `PATCH /api-keys/:id`: only the name changes; permission and domain stay as issued. */
export const UpdateApiKeyRequest = v.strictObject({
  name: v.pipe(v.string(), v.trim(), v.minLength(1, 'name must not be empty'), v.maxLength(50)),
});
export type UpdateApiKeyRequest = v.InferOutput<typeof UpdateApiKeyRequest>;

export interface CreateApiKeyResponse {
  id: string;
  /** The full key. It is shown here once and never again. */
  token: string;
}

export interface ApiKeySummary {
  id: string;
  name: string;
  permission: ApiKeyPermission;
  domain_id: string | null;
  /** The lookup prefix, e.g. `mg_live_Ab12Cd34`: enough to recognise a key, useless to use it. */
  prefix: string;
  created_at: string;
  last_used_at: string | null;
}

/** What the gateway needs to authorise a request; cached in KV under the key's prefix. */
export interface ApiKeyRecord {
  id: string;
  tenant_id: string;
  /** SHA-256 of the whole key, hex. */
  hash: string;
  permission: ApiKeyPermission;
  domain_id: string | null;
  tenant_status: TenantStatus;
  rate_limit: RateLimitRule;
}

export type TenantStatus = 'active' | 'suspended';

/** A token bucket: `burst` tokens at most, refilled at `per_second`. */
export interface RateLimitRule {
  per_second: number;
  burst: number;
}

export const DEFAULT_API_RATE_LIMIT: RateLimitRule = { per_second: 10, burst: 20 };

/** The KV key under which the gateway caches a key's record; admin deletes it on revocation. */
export function apiKeyCacheKey(prefix: string): string {
  return `api-key:${prefix}`;
}
