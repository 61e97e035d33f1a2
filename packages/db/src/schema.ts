// The kysely view of migrations/: one interface per table, columns as D1 returns them.
import type { ApiKeyPermission, EmailStatus, TenantStatus } from '@mailgrid/contracts';
import type { Generated, Insertable, Selectable } from 'kysely';

export interface TenantsTable {
  id: string;
  slug: string;
  name: string;
  status: Generated<TenantStatus>;
  rate_limit_per_second: Generated<number>;
  rate_limit_burst: Generated<number>;
  created_at: string;
}

export type DomainStatus = 'not_started' | 'pending' | 'verified' | 'failed' | 'temporary_failure';

export interface DomainsTable {
  id: string;
  tenant_id: string;
  name: string;
  status: Generated<DomainStatus>;
  region: Generated<string>;
  verified_at: string | null;
  created_at: string;
}

export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  name: string;
  prefix: string;
  hash: string;
  permission: ApiKeyPermission;
  domain_id: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export type ActorType = 'api_key' | 'user' | 'operator' | 'system';

export interface AuditLogTable {
  id: string;
  tenant_id: string;
  actor_type: ActorType;
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string;
  request_id: string | null;
  summary: Generated<string>;
  created_at: string;
}

export interface EmailsTable {
  id: string;
  tenant_id: string;
  domain_id: string;
  stream: string;
  from_address: string;
  to_addresses: string;
  cc_addresses: string;
  bcc_addresses: string;
  reply_to: string;
  suppressed: string;
  subject: string;
  tags: string;
  body_key: string;
  track_opens: number | null;
  track_clicks: number | null;
  status: EmailStatus;
  last_event: string;
  scheduled_at: string | null;
  claim_token: string | null;
  claimed_until: string | null;
  attempts: Generated<number>;
  ses_message_id: string | null;
  error: string | null;
  created_at: string;
  sent_at: string | null;
}

export type EventSource = 'ses' | 'tracking';

export interface EventsTable {
  id: string;
  tenant_id: string;
  email_id: string;
  type: string;
  recipient: string | null;
  occurred_at: string;
  source: EventSource;
  dedupe_key: string;
  data: Generated<string>;
  machine: Generated<number>;
  created_at: string;
}

export interface IdempotencyKeysTable {
  tenant_id: string;
  key: string;
  request_hash: string;
  status: 'in_flight' | 'done';
  response: string | null;
  created_at: string;
  expires_at: string;
}

export interface SuppressionsTable {
  tenant_id: string;
  email: string;
  reason: string;
  created_at: string;
}

export interface TemplatesTable {
  id: string;
  tenant_id: string;
  name: string;
  alias: string | null;
  status: Generated<'draft' | 'published'>;
  from_address: string | null;
  reply_to: string | null;
  subject: string;
  html: string;
  text: string | null;
  variables: Generated<string>;
  published: string | null;
  published_at: string | null;
  created_at: string;
  updated_at: string;
}

export type WebhookStatus = 'enabled' | 'disabled';
export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhooksTable {
  id: string;
  tenant_id: string;
  endpoint: string;
  /** JSON list of event types. */
  events: string;
  status: Generated<WebhookStatus>;
  disabled_reason: string | null;
  /** The signing secret, as is (it signs): never returned after the create, never logged. */
  secret: string;
  created_at: string;
  updated_at: string;
}

export interface WebhookDeliveriesTable {
  id: string;
  tenant_id: string;
  webhook_id: string;
  event_id: string;
  type: string;
  payload: string;
  status: Generated<WebhookDeliveryStatus>;
  attempts: Generated<number>;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface WebhookAttemptsTable {
  delivery_id: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  at: string;
}

export interface EventCountersTable {
  tenant_id: string;
  stream: string;
  day: string;
  sent: Generated<number>;
  delivered: Generated<number>;
  bounced: Generated<number>;
  soft_bounced: Generated<number>;
  complained: Generated<number>;
  opened: Generated<number>;
  clicked: Generated<number>;
  machine_opened: Generated<number>;
  machine_clicked: Generated<number>;
  delayed: Generated<number>;
  failed: Generated<number>;
}

export type ReputationStatus = 'ok' | 'warning' | 'paused';

export interface ReputationStateTable {
  tenant_id: string;
  stream: string;
  status: Generated<ReputationStatus>;
  sent: Generated<number>;
  bounced: Generated<number>;
  complained: Generated<number>;
  bounce_rate: Generated<number>;
  complaint_rate: Generated<number>;
  reason: string | null;
  warned_at: string | null;
  paused_at: string | null;
  resumed_at: string | null;
  resumed_day: string | null;
  baseline_sent: Generated<number>;
  baseline_bounced: Generated<number>;
  baseline_complained: Generated<number>;
  updated_at: string;
}

export interface Database {
  tenants: TenantsTable;
  domains: DomainsTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
  emails: EmailsTable;
  events: EventsTable;
  idempotency_keys: IdempotencyKeysTable;
  suppressions: SuppressionsTable;
  templates: TemplatesTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  event_counters: EventCountersTable;
  reputation_state: ReputationStateTable;
}

export type Tenant = Selectable<TenantsTable>;
export type Domain = Selectable<DomainsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type NewApiKeyRow = Insertable<ApiKeysTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
export type EmailRow = Selectable<EmailsTable>;
export type NewEmailRow = Insertable<EmailsTable>;
export type EventRow = Selectable<EventsTable>;
export type NewEventRow = Insertable<EventsTable>;
export type IdempotencyKeyRow = Selectable<IdempotencyKeysTable>;
export type TemplateRow = Selectable<TemplatesTable>;
export type WebhookRow = Selectable<WebhooksTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptsTable>;
export type EventCountersRow = Selectable<EventCountersTable>;
export type ReputationStateRow = Selectable<ReputationStateTable>;
