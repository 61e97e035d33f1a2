-- Tenants' quotas, their users (humans signing in through an identity provider) and invitations.

-- Emails a tenant may accept per UTC day; NULL = unlimited.
ALTER TABLE tenants ADD COLUMN daily_send_limit INTEGER CHECK (daily_send_limit IS NULL OR daily_send_limit > 0);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  -- Lower-cased; one user per address per tenant.
  email TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'developer', 'viewer')),
  -- The identity provider's subject (the JWT's `sub`), set when the user accepts their invitation.
  -- One identity is one user: signing in names the tenant without any other input.
  auth_subject TEXT UNIQUE,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  joined_at TEXT,
  UNIQUE (tenant_id, email)
);
CREATE INDEX users_by_tenant ON users (tenant_id, created_at, id);

CREATE TABLE invitations (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- SHA-256 of the one-time token, hex: the token itself is only in the invitation email.
  token_hash TEXT NOT NULL UNIQUE,
  expires_at TEXT NOT NULL,
  accepted_at TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX invitations_by_user ON invitations (user_id);

-- The audit log's filters: one object's history.
CREATE INDEX audit_log_by_target ON audit_log (tenant_id, target_type, target_id, created_at);
