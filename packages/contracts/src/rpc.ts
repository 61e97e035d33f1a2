// The RPC interfaces of the workers, and the binding types a caller's Env uses for them.
// A caller types its binding from these and never imports the callee's source. Methods that can
// fail for the caller's reasons return an RpcResult (see rpc-result.ts).
import type {
  ApiKeySummary,
  CreateApiKeyRequest,
  CreateApiKeyResponse,
  UpdateApiKeyRequest,
} from './api-keys';
import type { AuditLogAdminRpc } from './audit-log';
import type { BroadcastSendingRpc } from './broadcast-sending';
import type { BroadcastsAdminRpc } from './broadcasts';
import type { Caller } from './caller';
import type { ContactPropertiesAdminRpc } from './contact-properties';
import type { ContactsAdminRpc } from './contacts';
import type { DomainClaimsAdminRpc } from './domain-claims';
import type { DomainsAdminRpc } from './domains';
import type {
  AttachmentContent,
  AttachmentList,
  AttachmentObject,
  SharedEmail,
  ShareEmailRequest,
  ShareEmailResponse,
} from './email-attachments';
import type { EmailMetricsQuery, EmailMetricsResponse } from './email-metrics';
import type {
  BatchResponse,
  BatchValidation,
  EmailList,
  EmailObject,
  ListEmailsQuery,
  RawEmail,
  SendEmailRequest,
} from './emails';
import type { EmailEventList } from './events';
import type { FilesAdminRpc } from './files';
import type { WorkerHealth } from './health';
import type { ImportsAdminRpc } from './imports';
import type { PreferencesAdminRpc } from './preferences';
import type { RateLimiterRpc } from './rate-limit';
import type { ReputationList, ResumeResponse, StatsQuery, StatsResponse } from './reputation';
import type { RpcResult } from './rpc-result';
import type { SegmentsAdminRpc } from './segments';
import type { StreamsAdminRpc } from './streams';
import type {
  BatchAddedSuppressions,
  BatchAddSuppressionsRequest,
  BatchRemovedSuppressions,
  BatchRemoveSuppressionsRequest,
  CreateSuppressionRequest,
  DeletedSuppression,
  ListSuppressionsQuery,
  SuppressionList,
  SuppressionObject,
} from './suppressions';
import type {
  CreateTemplateRequest,
  DeletedTemplate,
  ListTemplatesQuery,
  TemplateList,
  TemplateObject,
  TemplateResponse,
  UpdateTemplateRequest,
} from './templates';
import type { OperatorContext, TenantsAdminRpc } from './tenants';
import type { TopicsAdminRpc } from './topics';
import type { UsageAdminRpc } from './usage';
import type { UsersAdminRpc } from './users';
import type {
  CreateWebhookRequest,
  CreateWebhookResponse,
  DeletedWebhook,
  ListWebhookEventAttemptsQuery,
  ListWebhookEventsQuery,
  ReplayedWebhookEvent,
  RotatedWebhookSecret,
  UpdateWebhookRequest,
  WebhookDetail,
  WebhookEventAttemptList,
  WebhookEventDetail,
  WebhookEventLogList,
  WebhookList,
} from './webhooks';

/** Every worker answers health() so the gateway can report the whole mesh. */
export interface HealthRpc {
  health(): Promise<WorkerHealth>;
}

/**
 * What the platform's one cron asks of a worker (the gateway runs it every minute): put back to work
 * whatever a lost queue message or a crash left stranded. Returns how many things it picked up.
 */
export interface RecoveryRpc {
  recover(): Promise<RecoveryReport>;
}

export interface RecoveryReport {
  /** What was found stranded and queued again, by kind (emails, webhook deliveries, import chunks). */
  [kind: string]: number;
}

export interface IdempotencyInput {
  key: string;
  /** SHA-256 of the request body, hex. */
  hash: string;
}

export interface SendRpc extends HealthRpc, RecoveryRpc, BroadcastSendingRpc {
  accept(
    caller: Caller,
    email: SendEmailRequest,
    idempotency: IdempotencyInput | null,
  ): Promise<RpcResult<{ id: string }>>;
  /** `emails` passed the schema; `invalid` did not (kept for permissive mode's `errors`). */
  acceptBatch(
    caller: Caller,
    emails: { index: number; email: SendEmailRequest }[],
    invalid: { index: number; message: string }[],
    mode: BatchValidation,
    idempotency: IdempotencyInput | null,
  ): Promise<RpcResult<BatchResponse>>;
  getEmail(caller: Caller, id: string): Promise<RpcResult<EmailObject>>;
  /** The EML as sent, rebuilt (or archived, before 0023); one reader's copy when sent as a copy per reader. */
  getRawEmail(caller: Caller, id: string, recipient?: string): Promise<RpcResult<RawEmail>>;
  listEmails(caller: Caller, query: ListEmailsQuery): Promise<RpcResult<EmailList>>;
  reschedule(
    caller: Caller,
    id: string,
    scheduledAt: string,
  ): Promise<RpcResult<{ object: 'email'; id: string }>>;
  cancel(caller: Caller, id: string): Promise<RpcResult<{ object: 'email'; id: string }>>;
  // Attachments and shares: `origin` is the public host the signed links point at (the gateway's).
  listAttachments(caller: Caller, emailId: string, origin: string): Promise<RpcResult<AttachmentList>>;
  getAttachment(
    caller: Caller,
    emailId: string,
    attachmentId: string,
    origin: string,
  ): Promise<RpcResult<AttachmentObject>>;
  shareEmail(
    caller: Caller,
    emailId: string,
    input: ShareEmailRequest,
    origin: string,
  ): Promise<RpcResult<ShareEmailResponse>>;
  /** No caller: the signed token is the credential (tampered or expired: invalid_signature). */
  openAttachment(token: string): Promise<RpcResult<AttachmentContent>>;
  openSharedEmail(token: string): Promise<RpcResult<SharedEmail>>;
}

export interface EventsRpc extends HealthRpc, RecoveryRpc {
  /** The email's delivery events, oldest first; another tenant's email is not_found. */
  listEmailEvents(caller: Caller, emailId: string): Promise<RpcResult<EmailEventList>>;
  // Reputation guardrail and stats (Mailgrid extras), from the per-day event counters.
  /** Each stream's window rates and guardrail state. */
  getReputation(caller: Caller): Promise<RpcResult<ReputationList>>;
  /** Un-pauses one stream, or every paused stream of the tenant; its window restarts. */
  resumeSending(caller: Caller, stream?: string): Promise<RpcResult<ResumeResponse>>;
  /** Per day and stream counts and rates; `from`..`to` checked here (order, at most 90 days). */
  getStats(caller: Caller, query: StatsQuery): Promise<RpcResult<StatsResponse>>;
  /** Resend's email metrics, from the emails and their events (range and combinations checked here). */
  getEmailMetrics(caller: Caller, query: EmailMetricsQuery): Promise<RpcResult<EmailMetricsResponse>>;
}

export interface TrackingRpc extends HealthRpc {}

// admin's RPC, split by area: each caller binds the one entrypoint it needs (workers/admin/src/index.ts).

/** AccountService: the operator's tenants, a tenant's users and invitations, the audit log, API keys. */
export interface AccountRpc
  extends HealthRpc,
    TenantsAdminRpc,
    UsersAdminRpc,
    AuditLogAdminRpc,
    UsageAdminRpc {
  createApiKey(caller: Caller, input: CreateApiKeyRequest): Promise<RpcResult<CreateApiKeyResponse>>;
  listApiKeys(caller: Caller): Promise<RpcResult<ApiKeySummary[]>>;
  /** Revokes the key and drops it from the gateway's cache: it is refused from the next request on. */
  deleteApiKey(caller: Caller, id: string): Promise<RpcResult<{ id: string }>>;
  /** Renames the key (the only mutable field, as Resend's). */
  updateApiKey(
    caller: Caller,
    id: string,
    input: UpdateApiKeyRequest,
  ): Promise<RpcResult<{ object: 'api_key'; id: string }>>;
  /**
   * The platform operator issues a key to a tenant (`ref`: its id or slug), e.g. its first one; the
   * token is shown once, the audit entry names the operator. A suspended tenant is a conflict.
   */
  createTenantApiKey(
    operator: OperatorContext,
    tenantRef: string,
    input: CreateApiKeyRequest,
  ): Promise<RpcResult<CreateApiKeyResponse>>;
}

/** DomainsService: sending domains and their SES identities. */
export interface DomainsRpc extends HealthRpc, DomainsAdminRpc, DomainClaimsAdminRpc {}

/**
 * MessagingService: what shapes a message — templates, broadcasts, streams, files — and where
 * feedback goes.
 */
export interface MessagingRpc extends HealthRpc, StreamsAdminRpc, FilesAdminRpc, BroadcastsAdminRpc {
  // Templates: `ref` is a template's id or alias; another tenant's template is not_found.
  createTemplate(caller: Caller, input: CreateTemplateRequest): Promise<RpcResult<TemplateResponse>>;
  getTemplate(caller: Caller, ref: string): Promise<RpcResult<TemplateObject>>;
  listTemplates(caller: Caller, query: ListTemplatesQuery): Promise<RpcResult<TemplateList>>;
  /** Changes the draft only: sends use the published version until the next publish. */
  updateTemplate(
    caller: Caller,
    ref: string,
    input: UpdateTemplateRequest,
  ): Promise<RpcResult<TemplateResponse>>;
  /** Copies the draft's subject, html, text and variables into the version sends use. */
  publishTemplate(caller: Caller, ref: string): Promise<RpcResult<TemplateResponse>>;
  /** A new draft "<name> (copy)" without an alias. */
  duplicateTemplate(caller: Caller, ref: string): Promise<RpcResult<TemplateResponse>>;
  deleteTemplate(caller: Caller, ref: string): Promise<RpcResult<DeletedTemplate>>;
  // Suppressions: named by id or address; adding one that is already there returns it unchanged.
  listSuppressions(caller: Caller, query: ListSuppressionsQuery): Promise<RpcResult<SuppressionList>>;
  getSuppression(caller: Caller, idOrEmail: string): Promise<RpcResult<SuppressionObject>>;
  addSuppression(caller: Caller, input: CreateSuppressionRequest): Promise<RpcResult<SuppressionObject>>;
  removeSuppression(caller: Caller, idOrEmail: string): Promise<RpcResult<DeletedSuppression>>;
  batchAddSuppressions(
    caller: Caller,
    input: BatchAddSuppressionsRequest,
  ): Promise<RpcResult<BatchAddedSuppressions>>;
  batchRemoveSuppressions(
    caller: Caller,
    input: BatchRemoveSuppressionsRequest,
  ): Promise<RpcResult<BatchRemovedSuppressions>>;
  // Webhooks: the create, the retrieve and a rotation show the signing secret; another tenant's
  // webhook is not_found.
  createWebhook(caller: Caller, input: CreateWebhookRequest): Promise<RpcResult<CreateWebhookResponse>>;
  listWebhooks(caller: Caller): Promise<RpcResult<WebhookList>>;
  getWebhook(caller: Caller, id: string): Promise<RpcResult<WebhookDetail>>;
  updateWebhook(
    caller: Caller,
    id: string,
    input: UpdateWebhookRequest,
  ): Promise<RpcResult<{ object: 'webhook'; id: string }>>;
  deleteWebhook(caller: Caller, id: string): Promise<RpcResult<DeletedWebhook>>;
  /** A new secret; the previous one keeps signing beside it for PREVIOUS_SECRET_OVERLAP_HOURS. */
  rotateWebhookSecret(caller: Caller, id: string): Promise<RpcResult<RotatedWebhookSecret>>;
  // The delivery log (Resend's webhook events): an event is one delivery to this webhook.
  listWebhookEvents(
    caller: Caller,
    id: string,
    query: ListWebhookEventsQuery,
  ): Promise<RpcResult<WebhookEventLogList>>;
  getWebhookEvent(caller: Caller, id: string, eventId: string): Promise<RpcResult<WebhookEventDetail>>;
  listWebhookEventAttempts(
    caller: Caller,
    id: string,
    eventId: string,
    query: ListWebhookEventAttemptsQuery,
  ): Promise<RpcResult<WebhookEventAttemptList>>;
  /** Queues the event again as a new attempt, whatever its status. */
  replayWebhookEvent(caller: Caller, id: string, eventId: string): Promise<RpcResult<ReplayedWebhookEvent>>;
}

/** AudienceService: contacts, their properties, segments, topics and CSV imports. */
export interface AudienceRpc
  extends HealthRpc,
    RecoveryRpc,
    ContactsAdminRpc,
    ContactPropertiesAdminRpc,
    SegmentsAdminRpc,
    TopicsAdminRpc,
    ImportsAdminRpc {}

/**
 * PreferencesService: the only admin surface the public tracking worker reaches — one contact's
 * topic preferences, read and changed (the unsubscribe and preference pages).
 */
export interface PreferencesRpc extends HealthRpc, PreferencesAdminRpc {}

/** A service binding to a named WorkerEntrypoint that implements T. */
export type RpcBinding<T> = Service<T & Rpc.WorkerEntrypointBranded>;

/**
 * A RateLimiter Durable Object namespace (@mailgrid/rate-limiter): each worker that needs buckets
 * hosts the class and binds its own, never another script's.
 */
export type RateLimiterNamespace = DurableObjectNamespace<RateLimiterRpc & Rpc.DurableObjectBranded>;
