-- Message streams (as Postmark's) and uploaded attachment files.

-- A tenant's streams. `transactional` and `broadcast` exist for every tenant without a row: the
-- repository answers their defaults until a PATCH stores one, so existing tenants need no seeding.
CREATE TABLE streams (
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  -- A slug, e.g. `transactional`, `broadcast`, `password-resets`: what `POST /emails` names in `stream`.
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('transactional', 'broadcast')),
  -- The SES configuration set its emails are sent with (NULL: the SES_CONFIGURATION_SETS var's, if any).
  configuration_set TEXT,
  -- The dedicated IP pool the configuration set sends through (SES v2 takes the pool from the set).
  ip_pool TEXT,
  -- NULL = not set: the domain's setting applies (email ?? stream ?? domain ?? off).
  track_opens INTEGER CHECK (track_opens IN (0, 1)),
  track_clicks INTEGER CHECK (track_clicks IN (0, 1)),
  -- Add List-Unsubscribe headers; the broadcast stream defaults to 1.
  list_unsubscribe INTEGER NOT NULL DEFAULT 0 CHECK (list_unsubscribe IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);

-- Attachments uploaded once and named by id in any send. The bytes live in R2 (FILES) at `r2_key`;
-- a send copies them into the email's stored body at accept, so deleting a file never breaks an
-- email already accepted.
CREATE TABLE files (
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  id TEXT NOT NULL,
  filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  -- Bytes.
  size INTEGER NOT NULL,
  -- Hex SHA-256 of the bytes.
  sha256 TEXT NOT NULL,
  r2_key TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX files_by_tenant ON files (tenant_id, created_at, id);
