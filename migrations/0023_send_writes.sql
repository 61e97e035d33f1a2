-- Fewer writes per email sent (issue 18): small bodies in the row instead of R2, the SES receipts and
-- the message's date in the row instead of an R2 receipt and an EML archive, and an index that only
-- holds the emails still in flight.

-- The body's JSON (html, text, headers, attachments) when it is small (workers/send/src/body-store.ts
-- says how small and why); NULL: it is in R2 under body_key.
ALTER TABLE emails ADD COLUMN body TEXT;
-- The message's Date header and its tracking tokens' issue time, fixed by the first claim (or the
-- first recorded outcome), so every attempt and the raw download build the same bytes.
ALTER TABLE emails ADD COLUMN message_date TEXT;
-- JSON array of SES's message ids for the copies SES took so far, in copy order (one per reader; one
-- message for all is every reader's): written with the claim's other updates, so a retry never hands
-- SES a copy it has taken.
ALTER TABLE emails ADD COLUMN ses_receipts TEXT;

-- The sweeper looks only for queued, sending and scheduled emails; every sent, failed, canceled or
-- suppressed email kept an entry here, rewritten on each status change. Written as ORs (not IN) so
-- SQLite sees the sweeper's `status = ?` branches imply it and uses it.
DROP INDEX emails_by_status;
CREATE INDEX emails_in_flight ON emails (status, created_at)
  WHERE status = 'queued' OR status = 'sending' OR status = 'scheduled';
