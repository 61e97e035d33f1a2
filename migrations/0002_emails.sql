-- Transactional email: the emails themselves, the idempotency keys of the requests that made them,
-- the suppression list sends are filtered through, and templates.

CREATE TABLE emails (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  domain_id TEXT NOT NULL REFERENCES domains (id),
  stream TEXT NOT NULL DEFAULT 'transactional',
  -- As the caller wrote them ("Name <addr>"); lists are JSON arrays.
  from_address TEXT NOT NULL,
  to_addresses TEXT NOT NULL,
  cc_addresses TEXT NOT NULL DEFAULT '[]',
  bcc_addresses TEXT NOT NULL DEFAULT '[]',
  reply_to TEXT NOT NULL DEFAULT '[]',
  -- Recipients left out because they are suppressed (JSON array of bare addresses).
  suppressed TEXT NOT NULL DEFAULT '[]',
  subject TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]',
  -- html, text, headers and attachments live in R2 under this key, so rows and queue messages stay small.
  body_key TEXT NOT NULL,
  track_opens INTEGER,
  track_clicks INTEGER,
  status TEXT NOT NULL
    CHECK (status IN ('scheduled', 'queued', 'sending', 'sent', 'failed', 'canceled', 'suppressed')),
  last_event TEXT NOT NULL,
  scheduled_at TEXT,
  -- The send consumer's claim: only the holder of claim_token may finish the send, until claimed_until.
  claim_token TEXT,
  claimed_until TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  ses_message_id TEXT,
  error TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT
);
CREATE INDEX emails_by_tenant ON emails (tenant_id, created_at, id);
CREATE UNIQUE INDEX emails_by_ses_message_id ON emails (ses_message_id) WHERE ses_message_id IS NOT NULL;

CREATE TABLE idempotency_keys (
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  key TEXT NOT NULL,
  -- SHA-256 of the request body: the same key with another body is refused.
  request_hash TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('in_flight', 'done')),
  -- The first response, replayed to a retry of the same request.
  response TEXT,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, key)
);

CREATE TABLE suppressions (
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  -- Lower-cased bare address.
  email TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, email)
);

CREATE TABLE templates (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  name TEXT NOT NULL,
  alias TEXT,
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
  from_address TEXT,
  reply_to TEXT,
  subject TEXT NOT NULL,
  html TEXT NOT NULL,
  text TEXT,
  -- JSON array of { key, type, fallback_value }.
  variables TEXT NOT NULL DEFAULT '[]',
  -- What sends use: the last published subject/html/text/variables (JSON), null until published.
  published TEXT,
  published_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX templates_by_tenant ON templates (tenant_id, created_at, id);
CREATE UNIQUE INDEX templates_by_alias ON templates (tenant_id, alias) WHERE alias IS NOT NULL;
