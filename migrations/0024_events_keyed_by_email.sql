-- Each stored event cost five rows written (D1 bills index entries as rows): the table row, the
-- autoindexes of `id` and of `dedupe_key`, events_by_email and events_by_tenant. The events consumer
-- writes an email's events once per queue batch and every read goes by (tenant, email): the email's
-- event list, email metrics, broadcast recipients, send's settling of an unknown outcome. So the
-- table is keyed by what reads and dedupe use, (tenant_id, email_id, dedupe_key), WITHOUT ROWID: one
-- b-tree, one row written per event. A dedupe_key is already per email (it hashes SES's event
-- identity with its message id, or names the tracking hit or the failed email), so deduping within the
-- email is the same as deduping globally. events_by_tenant served no query, and nothing looks an
-- event up by `id` alone any more (webhook deliveries and counters check an insert by the full key).
CREATE TABLE events_next (
  id TEXT NOT NULL,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  email_id TEXT NOT NULL,
  type TEXT NOT NULL,
  recipient TEXT,
  occurred_at TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('ses', 'tracking', 'send')),
  dedupe_key TEXT NOT NULL,
  data TEXT NOT NULL DEFAULT '{}',
  machine INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, email_id, dedupe_key)
) WITHOUT ROWID;
INSERT INTO events_next (id, tenant_id, email_id, type, recipient, occurred_at, source, dedupe_key, data, machine, created_at)
SELECT id, tenant_id, email_id, type, recipient, occurred_at, source, dedupe_key, data, machine, created_at
FROM events;
DROP TABLE events;
ALTER TABLE events_next RENAME TO events;
