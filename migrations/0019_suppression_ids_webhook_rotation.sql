-- Resend names a suppression by its id or its address, and says which email caused it (source_id):
-- suppressions get both. Rows written before get a random v4-shaped id; every insert sets one since.
ALTER TABLE suppressions ADD COLUMN id TEXT;
ALTER TABLE suppressions ADD COLUMN source_id TEXT;
UPDATE suppressions
SET id = lower(
  hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
  || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))
)
WHERE id IS NULL;
CREATE UNIQUE INDEX suppressions_by_id ON suppressions (tenant_id, id);
-- SQLite cannot add a NOT NULL column without a default: a writer that leaves the id out (an older
-- seed script, a hand-written fix) gets one here rather than a suppression the API cannot name.
CREATE TRIGGER suppressions_id_default AFTER INSERT ON suppressions WHEN NEW.id IS NULL
BEGIN
  UPDATE suppressions
  SET id = lower(
    hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
    || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))
  )
  WHERE tenant_id = NEW.tenant_id AND email = NEW.email;
END;
-- The list's order (newest first, then id) and its origin filter.
CREATE INDEX suppressions_by_tenant ON suppressions (tenant_id, created_at, id);

-- Signing-secret rotation (POST /webhooks/:id/signing-secret/rotate): for 24 hours after it, every
-- delivery carries a signature by the new secret and one by the previous secret (Standard Webhooks
-- allows several in `webhook-signature`), so a receiver still holding the old one keeps verifying
-- while it switches. After previous_secret_expires_at only the new secret signs. Both columns hold
-- the secret sealed (AES-256-GCM under the workers' WEBHOOK_SECRET_KEY, `enc1:` prefix), as `secret`
-- does for every webhook created or rotated from now on; a value without the prefix is an older one.
ALTER TABLE webhooks ADD COLUMN previous_secret TEXT;
ALTER TABLE webhooks ADD COLUMN previous_secret_expires_at TEXT;
