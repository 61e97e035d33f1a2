-- Domains managed through the API (Resend's Domains API): the SES identity's DKIM tokens, the
-- custom MAIL FROM label, tracking switches the send worker reads, and what the last verify found.
-- Existing rows (seeded verified domains) keep working: every new column is nullable or defaulted,
-- and a row without DKIM tokens simply lists no DKIM records until it is verified again.

-- Per-domain tracking defaults (NULL = not set; an email's or stream's own switch wins).
ALTER TABLE domains ADD COLUMN open_tracking INTEGER;
ALTER TABLE domains ADD COLUMN click_tracking INTEGER;
-- A custom tracking host for links and the pixel (NULL = the default tracking host).
ALTER TABLE domains ADD COLUMN tracking_hostname TEXT;
-- The label of the custom MAIL FROM (return-path) subdomain: `<custom_return_path>.<name>`.
-- NULL on rows created before this migration, which read as the default `send`.
ALTER TABLE domains ADD COLUMN custom_return_path TEXT;
-- JSON array of the SES Easy DKIM tokens (three), or NULL before the identity exists.
ALTER TABLE domains ADD COLUMN dkim_tokens TEXT;
-- JSON object: record key (e.g. `dkim:0`, `spf_mx`) → Resend's record status, from the last verify.
ALTER TABLE domains ADD COLUMN record_status TEXT NOT NULL DEFAULT '{}';
ALTER TABLE domains ADD COLUMN last_checked_at TEXT;
ALTER TABLE domains ADD COLUMN updated_at TEXT;
-- A deleted domain that emails still reference (emails.domain_id is a foreign key): hidden from the
-- API and unable to send, kept so the history stays whole. A domain nothing references is removed.
ALTER TABLE domains ADD COLUMN deleted_at TEXT;
