-- The foundation: tenants, their API keys, their sending domains, and the audit log.
-- Timestamps are ISO 8601 UTC strings (as the API returns them); ids are UUIDs (as Resend's are).

CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  -- Per-tenant API rate limit: a token bucket of `burst` tokens refilled at `per_second`.
  rate_limit_per_second INTEGER NOT NULL DEFAULT 10 CHECK (rate_limit_per_second > 0),
  rate_limit_burst INTEGER NOT NULL DEFAULT 20 CHECK (rate_limit_burst > 0),
  created_at TEXT NOT NULL
);

CREATE TABLE domains (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  name TEXT NOT NULL,
  -- Resend's domain statuses; only 'verified' may send.
  status TEXT NOT NULL DEFAULT 'not_started'
    CHECK (status IN ('not_started', 'pending', 'verified', 'failed', 'temporary_failure')),
  region TEXT NOT NULL DEFAULT 'us-east-1',
  verified_at TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (tenant_id, name)
);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  name TEXT NOT NULL,
  -- The lookup prefix (`mg_<env>_` + 8 characters), shown in lists; the key itself is never stored.
  prefix TEXT NOT NULL UNIQUE,
  -- SHA-256 of the whole key, hex.
  hash TEXT NOT NULL,
  permission TEXT NOT NULL CHECK (permission IN ('full_access', 'sending_access')),
  domain_id TEXT REFERENCES domains (id),
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT
);
CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, created_at);

CREATE TABLE audit_log (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  actor_type TEXT NOT NULL CHECK (actor_type IN ('api_key', 'user', 'operator', 'system')),
  -- The key prefix, user id or operator name: never a secret.
  actor_id TEXT NOT NULL,
  action TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  request_id TEXT,
  -- JSON summary of the change, with secrets left out.
  summary TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL
);
CREATE INDEX audit_log_by_tenant ON audit_log (tenant_id, created_at);
