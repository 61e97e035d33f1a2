-- Each webhook attempt cost two rows written (D1 bills index entries as rows): the table row and the
-- autoindex of its primary key (delivery_id, attempt). Every read and write goes by that key: the
-- attempt log of a delivery (the API's attempts list, `WHERE delivery_id IN (...) ORDER BY attempt`)
-- and the deliverer's insert (`ON CONFLICT DO NOTHING` on it). So the table is keyed by it WITHOUT
-- ROWID: one b-tree, one row written per attempt. Its rows are small (no payload), which is where
-- WITHOUT ROWID pays. Audit of the other indexes of webhook_deliveries and webhook_attempts, all
-- kept: the delivery's `id` (every lookup by tenant and id), UNIQUE (webhook_id, event_id) (the
-- consumers' and admin's dedupe, and the cascade when a webhook is deleted), webhook_deliveries_by_webhook
-- (a webhook's delivery list, newest first, and the "delivered since" check before disabling a webhook
-- that has failed for days) and webhook_deliveries_due (the stranded-delivery sweeper).
CREATE TABLE webhook_attempts_next (
  delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL,
  -- Null when no response came (timeout, refused endpoint, network error).
  status_code INTEGER,
  error TEXT,
  duration_ms INTEGER NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
) WITHOUT ROWID;
INSERT INTO webhook_attempts_next (delivery_id, attempt, status_code, error, duration_ms, at)
SELECT delivery_id, attempt, status_code, error, duration_ms, at FROM webhook_attempts;
DROP TABLE webhook_attempts;
ALTER TABLE webhook_attempts_next RENAME TO webhook_attempts;
