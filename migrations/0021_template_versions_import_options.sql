-- Templates carry Resend's `current_version_id`: the version being edited. A publish records it in
-- the published copy (with the from / reply_to sends now default to); the first edit after a
-- publish starts a new version. Templates from before get an id of their own.
ALTER TABLE templates ADD COLUMN current_version_id TEXT;
UPDATE templates SET current_version_id = lower(
  hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
  || substr('89ab', 1 + abs(random()) % 4, 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))
);

-- An import's options from Resend's multipart form (JSON: column_map, on_conflict, segments, topics);
-- NULL for a raw CSV upload, which keeps the behaviour it always had.
ALTER TABLE contact_imports ADD COLUMN options TEXT;
