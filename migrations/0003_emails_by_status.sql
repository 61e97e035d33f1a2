-- The send worker's sweeper looks for emails stranded in a non-final status; this keeps it off a full scan.
CREATE INDEX emails_by_status ON emails (status, created_at);
