// API keys as Resend's API Keys API shapes them, plus the record the gateway caches per key prefix.
import * as v from 'valibot';
import { NoControlChars } from './text';

export const API_KEY_PERMISSIONS = ['full_access', 'sending_access'] as const;
export type ApiKeyPermission = (typeof API_KEY_PERMISSIONS)[number];

const Name = v.pipe(
  v.string(),
  NoControlChars,
  v.trim(),
  v.minLength(1, 'name must not be empty'),
  v.maxLength(50),
);

export const CreateApiKeyRequest = v.strictObject({
  name: Name,
  permission: v.optional(v.picklist(API_KEY_PERMISSIONS), 'full_access'),
  domain_id: v.optional(v.pipe(v.string(), v.uuid('domain_id must be a domain id'))),
});
export type CreateApiKeyRequest = v.InferOutput<typeof CreateApiKeyRequest>;

/** Resend's `PATCH /api-keys/:id`: only the name changes; permission and domain stay as issued. */
export const UpdateApiKeyRequest = v.strictObject({
  name: Name,
});
export type UpdateApiKeyRequest = v.InferOutput<typeof UpdateApiKeyRequest>;

export const CreateApiKeyResponse = v.pipe(
  v.object({
    id: v.string(),
    /** The full key. It is shown here once and never again. */
    token: v.string(),
  }),
  v.title('CreateApiKeyResponse'),
  v.description('A new API key: the full token is in this answer only.'),
);
export type CreateApiKeyResponse = v.InferOutput<typeof CreateApiKeyResponse>;

export const ApiKeySummary = v.pipe(
  v.object({
    id: v.string(),
    name: v.string(),
    permission: v.picklist(API_KEY_PERMISSIONS),
    domain_id: v.nullable(v.string()),
    /** The lookup prefix, e.g. `mg_live_Ab12Cd34`: enough to recognise a key, useless to use it. */
    prefix: v.string(),
    created_at: v.string(),
    last_used_at: v.nullable(v.string()),
  }),
  v.title('ApiKeySummary'),
  v.description('An API key as listed: its prefix, never the key itself.'),
);
export type ApiKeySummary = v.InferOutput<typeof ApiKeySummary>;

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

export const TENANT_STATUSES = ['active', 'suspended'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

/** A token bucket: `burst` tokens at most, refilled at `per_second`. */
export const RateLimitRule = v.pipe(
  v.object({ per_second: v.number(), burst: v.number() }),
  v.description('A token bucket: `burst` tokens at most, refilled at `per_second`.'),
);
export type RateLimitRule = v.InferOutput<typeof RateLimitRule>;

export const DEFAULT_API_RATE_LIMIT: RateLimitRule = { per_second: 10, burst: 20 };

/** The KV key under which the gateway caches a key's record; admin deletes it on revocation. */
export function apiKeyCacheKey(prefix: string): string {
  return `api-key:${prefix}`;
}
