-- CSV imports of contacts: one row per uploaded file, the chunks its queue messages have processed
-- (so a redelivered chunk is skipped, never counted twice), and one error per row that failed.

CREATE TABLE contact_imports (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'processing', 'completed', 'failed')),
  -- The uploaded file in the admin worker's FILES bucket (imports/ prefix), and its size.
  file_key TEXT NOT NULL,
  file_bytes INTEGER NOT NULL,
  -- Imported contacts are added to this segment; NULL when none was asked for.
  segment_id TEXT,
  -- JSON arrays: the header row as given, and the columns that name no contact field or property.
  columns TEXT NOT NULL,
  unknown_columns TEXT NOT NULL DEFAULT '[]',
  total_rows INTEGER NOT NULL,
  chunk_count INTEGER NOT NULL,
  chunks_done INTEGER NOT NULL DEFAULT 0,
  processed INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0,
  unchanged INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  -- The chunk whose batch completed the import: its batch alone writes the completion audit entry.
  completed_by_chunk INTEGER,
  -- Why the import failed (status 'failed'), else NULL.
  error TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  completed_at TEXT
);
CREATE INDEX contact_imports_by_tenant ON contact_imports (tenant_id, created_at, id);

CREATE TABLE contact_import_chunks (
  import_id TEXT NOT NULL REFERENCES contact_imports (id) ON DELETE CASCADE,
  chunk INTEGER NOT NULL,
  rows INTEGER NOT NULL,
  processed_at TEXT NOT NULL,
  PRIMARY KEY (import_id, chunk)
);

-- One entry per failed row: `reason` is the first problem's code, `message` names every problem.
CREATE TABLE contact_import_errors (
  import_id TEXT NOT NULL REFERENCES contact_imports (id) ON DELETE CASCADE,
  tenant_id TEXT NOT NULL,
  -- The record's position in the file, the header being row 1 (blank lines are not counted).
  row INTEGER NOT NULL,
  email TEXT,
  reason TEXT NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (import_id, row)
);
