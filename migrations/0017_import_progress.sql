-- When an import last moved: written with the import, by every chunk's batch, and by the imports
-- sweeper when it re-queues the chunks whose messages were lost. started_at moves only once and
-- created_at never, so neither can tell a long import still under way from one whose messages are
-- gone; the sweeper re-queues imports in progress whose progressed_at is long past.
ALTER TABLE contact_imports ADD COLUMN progressed_at TEXT;

-- Imports from before this column: their last chunk's time, else their creation.
UPDATE contact_imports SET progressed_at = coalesce(
  (SELECT max(processed_at) FROM contact_import_chunks WHERE contact_import_chunks.import_id = contact_imports.id),
  created_at
);

-- The sweeper's lookup (every minute) reads only the imports still queued or processing, not the
-- whole history of finished ones.
CREATE INDEX contact_imports_by_status ON contact_imports (status, progressed_at);
