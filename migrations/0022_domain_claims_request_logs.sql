-- Resend's domain extras (tls, capabilities), domain claims, and the API request log.

-- SES's TLS policy for the domain's mail: 'opportunistic' (SES's OPTIONAL, the default) or
-- 'enforced' (REQUIRE: the message is not delivered to a server that will not take it over TLS).
ALTER TABLE domains ADD COLUMN tls TEXT NOT NULL DEFAULT 'opportunistic'
  CHECK (tls IN ('opportunistic', 'enforced'));
-- Resend's capabilities. Sending may be switched off (the domain then refuses to send); Mailgrid
-- does not receive mail, so receiving stays 'disabled'.
ALTER TABLE domains ADD COLUMN sending TEXT NOT NULL DEFAULT 'enabled'
  CHECK (sending IN ('enabled', 'disabled'));
-- A claim's placeholder domain (see domain_claims) until the claim completes: it cannot be verified,
-- changed or used to send, and does not count as the name being taken.
ALTER TABLE domains ADD COLUMN pending_claim_id TEXT;

-- A tenant proving by a DNS TXT record that it controls a domain another tenant registered, then
-- taking it over. `domain_id` is the claimant's placeholder domain (Resend's shape).
CREATE TABLE domain_claims (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  domain_id TEXT NOT NULL,
  name TEXT NOT NULL,
  region TEXT NOT NULL,
  -- The random half of the TXT value `mailgrid-domain-verification=<token>`.
  token TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'verified', 'completed', 'blocked', 'expired', 'superseded', 'canceled', 'failed')),
  blocked_reason TEXT,
  failure_reason TEXT,
  -- The tenant and domain taken over, once completed (for the audit trail).
  previous_tenant_id TEXT,
  previous_domain_id TEXT,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
-- GET /domains/:id/claim reads the newest claim of a placeholder domain.
CREATE INDEX domain_claims_by_domain ON domain_claims (tenant_id, domain_id, created_at);

-- Every authenticated API request: one row, written after the response (ctx.waitUntil). The id is a
-- UUIDv7, so it sorts by time: the primary key (tenant, id) serves the newest-first list, the read by
-- id and the expiry delete (id below the cutoff's UUIDv7) from one b-tree. WITHOUT ROWID and no
-- other index, so an insert is one row written (D1 bills each index entry as a row written).
-- Bodies are redacted and capped (gateway: request-log.ts) so a row stays small.
CREATE TABLE request_logs (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  method TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  response_status INTEGER NOT NULL,
  user_agent TEXT,
  -- The API key's id (never its token), or the signed-in user's id.
  api_key_id TEXT,
  user_id TEXT,
  -- JSON text, redacted; NULL when the request had none.
  request_body TEXT,
  response_body TEXT,
  PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;
