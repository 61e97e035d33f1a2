-- Emails accepted per tenant and UTC day, written in the same D1 batch as the emails themselves: the
-- daily send limit is then one primary-key read at accept, where counting the day's emails would
-- read as many index rows as the tenant sent today, on every request.
CREATE TABLE daily_usage (
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  -- YYYY-MM-DD, UTC.
  day TEXT NOT NULL,
  accepted INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, day)
);

-- Today's (and earlier days') emails from before this table, so a limit set today counts them.
INSERT INTO daily_usage (tenant_id, day, accepted)
SELECT tenant_id, substr(created_at, 1, 10), count(*) FROM emails GROUP BY tenant_id, substr(created_at, 1, 10);
