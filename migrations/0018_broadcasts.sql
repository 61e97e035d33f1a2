-- Broadcasts (Resend's Broadcasts API). admin owns the object and what may be edited; send owns the
-- fan-out: at start the audience is frozen into one `emails` row per recipient (broadcast_id,
-- contact_id, the contact's merge values), so each recipient inherits everything an email has —
-- the conditional claim, settling from SES's Send event, recovery, events, tracking and webhooks.
CREATE TABLE broadcasts (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  name TEXT NOT NULL,
  -- The audience. Not a foreign key: a segment deleted later must not touch what went out to it.
  segment_id TEXT NOT NULL,
  -- Only contacts subscribed to this topic (its default, or their own choice); NULL = everyone.
  topic_id TEXT,
  from_address TEXT NOT NULL,
  subject TEXT NOT NULL,
  -- JSON array, as emails.reply_to.
  reply_to TEXT NOT NULL DEFAULT '[]',
  preview_text TEXT,
  html TEXT,
  -- NULL: generated from html at send; '' (Resend's way to say "none"): no text part.
  text TEXT,
  stream TEXT NOT NULL DEFAULT 'broadcast',
  -- queued = sending (Resend's word); paused is Mailgrid's.
  status TEXT NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'scheduled', 'queued', 'paused', 'sent', 'canceled')),
  scheduled_at TEXT,
  -- Optional cap on this broadcast's own pace (emails per second), below the account's SES rate.
  rate_per_second REAL,
  -- The fan-out's own state (send worker). freeze_cursor: the last contact id frozen into rows;
  -- frozen_at: when the audience was complete (recipients is its size, suppressed ones excluded).
  freeze_cursor TEXT,
  frozen_at TEXT,
  recipients INTEGER,
  -- The one live dispatch chain: a chunk message carrying another token stops (recovery replaces a
  -- chain whose messages were lost by writing a new token).
  dispatch_token TEXT,
  progressed_at TEXT,
  -- When sending started (Resend's sent_at) and when the last recipient was settled.
  sent_at TEXT,
  completed_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX broadcasts_by_tenant ON broadcasts (tenant_id, created_at, id);
-- Recovery looks only at broadcasts under way (scheduled, queued).
CREATE INDEX broadcasts_by_status ON broadcasts (status, progressed_at);

ALTER TABLE emails ADD COLUMN broadcast_id TEXT;
ALTER TABLE emails ADD COLUMN contact_id TEXT;
-- JSON object of the contact's values at freeze time (first_name, last_name, email, properties):
-- merge tags are rendered from it when the copy is built.
ALTER TABLE emails ADD COLUMN merge_data TEXT;

-- One row per contact per broadcast, whatever redelivers the freeze.
CREATE UNIQUE INDEX emails_by_broadcast_contact ON emails (broadcast_id, contact_id)
  WHERE broadcast_id IS NOT NULL;
-- The dispatch picks the next never-tried rows; counts per status for progress.
CREATE INDEX emails_by_broadcast_status ON emails (broadcast_id, status, attempts, id)
  WHERE broadcast_id IS NOT NULL;
