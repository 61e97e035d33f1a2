-- Customer webhooks (Resend's Webhooks API) and their deliveries, signed per Standard Webhooks.

CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  endpoint TEXT NOT NULL,
  -- JSON list of the event types it is subscribed to, e.g. ["email.delivered","email.bounced"].
  events TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled')),
  -- Why Mailgrid disabled it (e.g. the receiver answered 410); null when the tenant chose the status.
  disabled_reason TEXT,
  -- The signing secret (`whsec_` + base64), stored as is: every delivery is signed with it, so it
  -- cannot be hashed like an API key. It is returned once, by the create; never listed, read back
  -- or logged afterwards.
  secret TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX webhooks_by_tenant ON webhooks (tenant_id, created_at);

CREATE TABLE webhook_deliveries (
  -- Also the `webhook-id` header: the same on every attempt, so a receiver can dedupe on it.
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  -- The JSON body, fixed when the event is stored, so every attempt and a replay send the same bytes.
  payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  last_status_code INTEGER,
  last_error TEXT,
  created_at TEXT NOT NULL,
  delivered_at TEXT,
  -- One delivery per event per webhook, however often the event arrives.
  UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (tenant_id, webhook_id, created_at);

CREATE TABLE webhook_attempts (
  delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL,
  -- Null when no response came (timeout, refused endpoint, network error).
  status_code INTEGER,
  error TEXT,
  duration_ms INTEGER NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
);
