-- The audience, as Resend's global contacts: contacts, the custom properties they may carry,
-- segments (static lists), and topics a contact opts in to or out of.

CREATE TABLE contacts (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  -- Lower-cased; one contact per address per tenant.
  email TEXT NOT NULL,
  first_name TEXT,
  last_name TEXT,
  -- Unsubscribed from everything the tenant sends on a broadcast stream.
  unsubscribed INTEGER NOT NULL DEFAULT 0 CHECK (unsubscribed IN (0, 1)),
  -- JSON object: property key → value, keys declared in contact_properties.
  properties TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (tenant_id, email)
);
CREATE INDEX contacts_by_tenant ON contacts (tenant_id, created_at, id);

CREATE TABLE contact_properties (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  key TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('string', 'number')),
  -- JSON value used when a contact has none (same type), or NULL.
  fallback_value TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (tenant_id, key)
);

CREATE TABLE segments (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  name TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX segments_by_tenant ON segments (tenant_id, created_at, id);

CREATE TABLE segment_contacts (
  tenant_id TEXT NOT NULL,
  segment_id TEXT NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
  contact_id TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  PRIMARY KEY (segment_id, contact_id)
);
CREATE INDEX segment_contacts_by_contact ON segment_contacts (contact_id);

CREATE TABLE topics (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  name TEXT NOT NULL,
  description TEXT,
  -- What a contact without an explicit choice gets: opt_in = subscribed until they opt out.
  default_subscription TEXT NOT NULL CHECK (default_subscription IN ('opt_in', 'opt_out')),
  -- public topics are shown on the preference page to everyone; private ones (the default, as
  -- Resend's) only to contacts opted in to them.
  visibility TEXT NOT NULL DEFAULT 'private' CHECK (visibility IN ('public', 'private')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX topics_by_tenant ON topics (tenant_id, created_at, id);

-- A contact's explicit choice per topic; no row = the topic's default.
CREATE TABLE contact_topics (
  tenant_id TEXT NOT NULL,
  contact_id TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  topic_id TEXT NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
  subscription TEXT NOT NULL CHECK (subscription IN ('opt_in', 'opt_out')),
  updated_at TEXT NOT NULL,
  PRIMARY KEY (contact_id, topic_id)
);
CREATE INDEX contact_topics_by_topic ON contact_topics (topic_id);
