// The kysely view of migrations/: one interface per table, columns as D1 returns them.
import type { ApiKeyPermission, EmailStatus, TenantStatus, UserRole } from '@mailgrid/contracts';
import type { Generated, Insertable, Selectable } from 'kysely';

export interface TenantsTable {
  id: string;
  slug: string;
  name: string;
  status: Generated<TenantStatus>;
  rate_limit_per_second: Generated<number>;
  rate_limit_burst: Generated<number>;
  /** Emails accepted per UTC day; null = unlimited. */
  daily_send_limit: number | null;
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
  // 0007_domains: NULL tracking switches mean "not set" (an email's or stream's own switch wins).
  open_tracking: number | null;
  click_tracking: number | null;
  tracking_hostname: string | null;
  /** The MAIL FROM label; NULL (rows from before 0007) reads as `send`. */
  custom_return_path: string | null;
  /** JSON array of the SES Easy DKIM tokens, or NULL. */
  dkim_tokens: string | null;
  /** JSON object: record key → record status, from the last verify. */
  record_status: Generated<string>;
  last_checked_at: string | null;
  updated_at: string | null;
  /** Set on a deleted domain that emails still reference; such a row is invisible to the API. */
  deleted_at: string | null;
  // 0022: SES's TLS policy, Resend's sending capability, and the claim a placeholder row waits on.
  tls: Generated<'opportunistic' | 'enforced'>;
  sending: Generated<'enabled' | 'disabled'>;
  pending_claim_id: string | null;
}

export type DomainClaimStatus =
  | 'pending'
  | 'verified'
  | 'completed'
  | 'blocked'
  | 'expired'
  | 'superseded'
  | 'canceled'
  | 'failed';

/** 0022: a tenant's claim on a domain another tenant registered (its placeholder is `domain_id`). */
export interface DomainClaimsTable {
  id: string;
  tenant_id: string;
  domain_id: string;
  name: string;
  region: string;
  token: string;
  status: Generated<DomainClaimStatus>;
  blocked_reason: string | null;
  failure_reason: string | null;
  previous_tenant_id: string | null;
  previous_domain_id: string | null;
  created_at: string;
  expires_at: string;
  updated_at: string;
}

/** 0022: one authenticated API request; `id` is a UUIDv7 (time-ordered). */
export interface RequestLogsTable {
  tenant_id: string;
  id: string;
  created_at: string;
  method: string;
  endpoint: string;
  response_status: number;
  user_agent: string | null;
  api_key_id: string | null;
  user_id: string | null;
  request_body: string | null;
  response_body: string | null;
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
  // 0013_send_tracking: the email's topic (unsubscribe scope) and its own List-Unsubscribe switch
  // (NULL = the stream decides).
  topic_id: string | null;
  list_unsubscribe: number | null;
  // 0018_broadcasts: a broadcast's recipient row (NULL on transactional email).
  broadcast_id: Generated<string | null>;
  contact_id: Generated<string | null>;
  /** JSON: the contact's merge values frozen with the audience. */
  merge_data: Generated<string | null>;
  // 0023_send_writes: a small body's JSON (NULL: in R2 at body_key), the message's Date fixed by the
  // first attempt, and SES's message ids of the copies it took (JSON array, in copy order).
  body: Generated<string | null>;
  message_date: Generated<string | null>;
  ses_receipts: Generated<string | null>;
}

export type BroadcastStatus = 'draft' | 'scheduled' | 'queued' | 'paused' | 'sent' | 'canceled';

export interface BroadcastsTable {
  id: string;
  tenant_id: string;
  name: string;
  segment_id: string;
  topic_id: string | null;
  from_address: string;
  subject: string;
  reply_to: Generated<string>;
  preview_text: string | null;
  html: string | null;
  text: string | null;
  stream: Generated<string>;
  status: Generated<BroadcastStatus>;
  scheduled_at: string | null;
  rate_per_second: number | null;
  freeze_cursor: Generated<string | null>;
  frozen_at: Generated<string | null>;
  recipients: Generated<number | null>;
  dispatch_token: Generated<string | null>;
  progressed_at: Generated<string | null>;
  sent_at: Generated<string | null>;
  completed_at: Generated<string | null>;
  created_at: string;
  updated_at: string;
}

export type EventSource = 'ses' | 'tracking' | 'send';

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
  /** A UUID (migration 0019 gave older rows one): Resend names a suppression by id or address. */
  id: string;
  tenant_id: string;
  email: string;
  reason: string;
  /** The email whose bounce or complaint added it; null when added by hand. */
  source_id: string | null;
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
  /** 0021: Resend's current_version_id, the version being edited (null only for a row mid-migration). */
  current_version_id: string | null;
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
  /**
   * The signing secret, sealed (`enc1:…`, runtime's secret-box under WEBHOOK_SECRET_KEY; older rows as
   * they were): returned by the create, the get and a rotation; never logged.
   */
  secret: string;
  /** The secret before the last rotation (stored as `secret` is): it signs too until it expires. */
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
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

export interface StreamsTable {
  tenant_id: string;
  id: string;
  name: string;
  type: 'transactional' | 'broadcast';
  configuration_set: string | null;
  ip_pool: string | null;
  /** NULL = not set. */
  track_opens: number | null;
  track_clicks: number | null;
  list_unsubscribe: number;
  created_at: string;
  updated_at: string;
}

export interface FilesTable {
  tenant_id: string;
  id: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  r2_key: string;
  created_at: string;
}

export type TopicSubscription = 'opt_in' | 'opt_out';

export interface ContactsTable {
  id: string;
  tenant_id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  unsubscribed: Generated<number>;
  /** JSON object: property key → value. */
  properties: Generated<string>;
  created_at: string;
  updated_at: string;
}

export interface ContactPropertiesTable {
  id: string;
  tenant_id: string;
  key: string;
  type: 'string' | 'number';
  /** JSON value, or null. */
  fallback_value: string | null;
  created_at: string;
}

export interface SegmentsTable {
  id: string;
  tenant_id: string;
  name: string;
  created_at: string;
}

export interface SegmentContactsTable {
  tenant_id: string;
  segment_id: string;
  contact_id: string;
  created_at: string;
}

export interface TopicsTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string | null;
  default_subscription: TopicSubscription;
  visibility: Generated<'public' | 'private'>;
  created_at: string;
  updated_at: string;
}

export interface ContactTopicsTable {
  tenant_id: string;
  contact_id: string;
  topic_id: string;
  subscription: TopicSubscription;
  updated_at: string;
}

export interface UsersTable {
  id: string;
  tenant_id: string;
  email: string;
  role: UserRole;
  /** The identity provider's `sub`, set once the invitation is accepted. */
  auth_subject: string | null;
  created_at: string;
  updated_at: string;
  joined_at: string | null;
}

export interface InvitationsTable {
  id: string;
  tenant_id: string;
  user_id: string;
  token_hash: string;
  expires_at: string;
  accepted_at: string | null;
  created_at: string;
}

export type ContactImportStatus = 'queued' | 'processing' | 'completed' | 'failed';

export interface ContactImportsTable {
  id: string;
  tenant_id: string;
  status: Generated<ContactImportStatus>;
  file_key: string;
  file_bytes: number;
  segment_id: string | null;
  /** JSON array of the header row's column names. */
  columns: string;
  /** JSON array of the columns that name no contact field or declared property. */
  unknown_columns: Generated<string>;
  total_rows: number;
  chunk_count: number;
  chunks_done: Generated<number>;
  processed: Generated<number>;
  created: Generated<number>;
  updated: Generated<number>;
  unchanged: Generated<number>;
  failed: Generated<number>;
  completed_by_chunk: number | null;
  /** 0021: JSON of the multipart form's options (column_map, on_conflict, segments, topics); null: none. */
  options: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  /**
   * When the import last moved: created, a chunk applied, or its missing chunks re-queued by the
   * sweeper (migration 0017). Null only for a row the previous version wrote before its deploy.
   */
  progressed_at: string | null;
}

export interface ContactImportChunksTable {
  import_id: string;
  chunk: number;
  rows: number;
  processed_at: string;
}

export interface ContactImportErrorsTable {
  import_id: string;
  tenant_id: string;
  row: number;
  email: string | null;
  reason: string;
  message: string;
}

/** Emails accepted per tenant and UTC day (the daily send limit's counter). */
export interface DailyUsageTable {
  tenant_id: string;
  /** YYYY-MM-DD, UTC. */
  day: string;
  accepted: Generated<number>;
}

export interface Database {
  tenants: TenantsTable;
  domains: DomainsTable;
  domain_claims: DomainClaimsTable;
  request_logs: RequestLogsTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
  users: UsersTable;
  invitations: InvitationsTable;
  broadcasts: BroadcastsTable;
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
  streams: StreamsTable;
  files: FilesTable;
  daily_usage: DailyUsageTable;
  contacts: ContactsTable;
  contact_properties: ContactPropertiesTable;
  segments: SegmentsTable;
  segment_contacts: SegmentContactsTable;
  topics: TopicsTable;
  contact_topics: ContactTopicsTable;
  contact_imports: ContactImportsTable;
  contact_import_chunks: ContactImportChunksTable;
  contact_import_errors: ContactImportErrorsTable;
}

export type Tenant = Selectable<TenantsTable>;
export type Domain = Selectable<DomainsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type NewApiKeyRow = Insertable<ApiKeysTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
export type UserRow = Selectable<UsersTable>;
export type InvitationRow = Selectable<InvitationsTable>;
export type BroadcastRow = Selectable<BroadcastsTable>;
export type NewBroadcastRow = Insertable<BroadcastsTable>;
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
export type StreamRow = Selectable<StreamsTable>;
export type FileRow = Selectable<FilesTable>;
export type ContactRow = Selectable<ContactsTable>;
export type ContactPropertyRow = Selectable<ContactPropertiesTable>;
export type SegmentRow = Selectable<SegmentsTable>;
export type TopicRow = Selectable<TopicsTable>;
export type ContactImportRow = Selectable<ContactImportsTable>;
export type ContactImportErrorRow = Selectable<ContactImportErrorsTable>;
