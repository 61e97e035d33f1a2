-- Sending reputation: per tenant, stream and UTC day, how many of each delivery event there were
-- (the stats API reads these, never the events table), and the guardrail's state per tenant and stream.

CREATE TABLE event_counters (
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  stream TEXT NOT NULL,
  -- UTC day of the event's occurred_at, YYYY-MM-DD.
  day TEXT NOT NULL,
  sent INTEGER NOT NULL DEFAULT 0,
  delivered INTEGER NOT NULL DEFAULT 0,
  -- Permanent (hard) bounces: the only ones counted in the bounce rate, as SES does.
  bounced INTEGER NOT NULL DEFAULT 0,
  -- Transient and undetermined bounces.
  soft_bounced INTEGER NOT NULL DEFAULT 0,
  complained INTEGER NOT NULL DEFAULT 0,
  -- Human opens/clicks; machine ones (events.machine = 1) apart.
  opened INTEGER NOT NULL DEFAULT 0,
  clicked INTEGER NOT NULL DEFAULT 0,
  machine_opened INTEGER NOT NULL DEFAULT 0,
  machine_clicked INTEGER NOT NULL DEFAULT 0,
  delayed INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, stream, day)
);

CREATE TABLE reputation_state (
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  stream TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'warning', 'paused')),
  -- The window's figures at the last evaluation.
  sent INTEGER NOT NULL DEFAULT 0,
  bounced INTEGER NOT NULL DEFAULT 0,
  complained INTEGER NOT NULL DEFAULT 0,
  bounce_rate REAL NOT NULL DEFAULT 0,
  complaint_rate REAL NOT NULL DEFAULT 0,
  reason TEXT,
  warned_at TEXT,
  paused_at TEXT,
  -- After a resume the window restarts: it counts from resumed_day on, less what that day held at the
  -- resume (the baseline), so the figures that caused the pause do not pause it again at once.
  resumed_at TEXT,
  resumed_day TEXT,
  baseline_sent INTEGER NOT NULL DEFAULT 0,
  baseline_bounced INTEGER NOT NULL DEFAULT 0,
  baseline_complained INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, stream)
);

-- Backfill: the events stored before this migration, counted once (the consumer counts new ones).
INSERT INTO event_counters (tenant_id, stream, day, sent, delivered, bounced, soft_bounced, complained,
  opened, clicked, machine_opened, machine_clicked, delayed, failed)
SELECT e.tenant_id, m.stream, substr(e.occurred_at, 1, 10),
  sum(e.type = 'email.sent'),
  sum(e.type = 'email.delivered'),
  sum(e.type = 'email.bounced' AND json_extract(e.data, '$.bounce_type') = 'Permanent'),
  sum(e.type = 'email.bounced' AND coalesce(json_extract(e.data, '$.bounce_type'), '') <> 'Permanent'),
  sum(e.type = 'email.complained'),
  sum(e.type = 'email.opened' AND e.machine = 0),
  sum(e.type = 'email.clicked' AND e.machine = 0),
  sum(e.type = 'email.opened' AND e.machine = 1),
  sum(e.type = 'email.clicked' AND e.machine = 1),
  sum(e.type = 'email.delivery_delayed'),
  sum(e.type = 'email.failed')
FROM events e JOIN emails m ON m.tenant_id = e.tenant_id AND m.id = e.email_id
GROUP BY e.tenant_id, m.stream, substr(e.occurred_at, 1, 10);
