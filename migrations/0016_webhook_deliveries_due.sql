-- The events worker's webhook sweeper (each minute) looks for deliveries stranded in pending, long
-- past their next_attempt_at (their queue message was lost). Partial: only pending deliveries, the
-- few in flight, are indexed, not the growing history of delivered and failed ones. The sweeper's
-- query (claimStrandedWebhookDeliveries) writes status = 'pending' as a literal, which lets SQLite
-- match it to this index's WHERE.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
