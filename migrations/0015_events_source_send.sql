-- email.failed events the send worker reports (send.failed: SES refused the message, its attempts
-- ran out, it could not be built) were stored as source 'ses', the only fit the CHECK allowed; they
-- are Mailgrid's own, so they get their own source. SQLite cannot change a CHECK in place: the table
-- is rebuilt (no other table references it) and the rows written so far are moved over.
CREATE TABLE events_next (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  email_id TEXT NOT NULL,
  type TEXT NOT NULL,
  recipient TEXT,
  occurred_at TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('ses', 'tracking', 'send')),
  dedupe_key TEXT NOT NULL UNIQUE,
  data TEXT NOT NULL DEFAULT '{}',
  machine INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
INSERT INTO events_next (id, tenant_id, email_id, type, recipient, occurred_at, source, dedupe_key, data, machine, created_at)
SELECT id, tenant_id, email_id, type, recipient, occurred_at,
  CASE WHEN dedupe_key LIKE 'send.failed:%' THEN 'send' ELSE source END,
  dedupe_key, data, machine, created_at
FROM events;
DROP TABLE events;
ALTER TABLE events_next RENAME TO events;
CREATE INDEX events_by_email ON events (tenant_id, email_id, occurred_at);
CREATE INDEX events_by_tenant ON events (tenant_id, occurred_at);
