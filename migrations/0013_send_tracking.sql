-- Send-side tracking (issue 7): what an email asked for that the send consumer needs at send time.

-- The topic the email is about (Resend's `topic_id`): recipients opted out of it are dropped at
-- accept, and its unsubscribe link opts the recipient out of this topic only. NULL = no topic.
ALTER TABLE emails ADD COLUMN topic_id TEXT;
-- The email's own List-Unsubscribe switch (Mailgrid's `list_unsubscribe` on send). NULL = not set:
-- the stream's `list_unsubscribe` decides (on for `broadcast` by default).
ALTER TABLE emails ADD COLUMN list_unsubscribe INTEGER CHECK (list_unsubscribe IN (0, 1));
