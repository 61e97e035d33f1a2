-- Delivery feedback: one normalized event per row (per recipient), from SES (via SNS) and, later, tracking.

CREATE TABLE events (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  email_id TEXT NOT NULL,
  -- Resend's names: email.sent, email.delivered, email.delivery_delayed, email.bounced,
  -- email.complained, email.opened, email.clicked, email.failed.
  type TEXT NOT NULL,
  -- Bare address; null for events about the whole message (sent, failed).
  recipient TEXT,
  occurred_at TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('ses', 'tracking')),
  -- The event's own identity (a hash of what SES says about it, not of its SNS envelope): a redelivered
  -- notification hits this and is dropped, so at-least-once delivery stores each event once.
  dedupe_key TEXT NOT NULL UNIQUE,
  -- JSON: bounce type/subtype, diagnostic, complaint feedback type, user agent, link…
  data TEXT NOT NULL DEFAULT '{}',
  -- 1 for opens/clicks made by a machine (security scanners, image proxies), once tracking tells them apart.
  machine INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE INDEX events_by_email ON events (tenant_id, email_id, occurred_at);
CREATE INDEX events_by_tenant ON events (tenant_id, occurred_at);
