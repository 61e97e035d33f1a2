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
import type { DomainsAdminRpc } from './domains';
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
import type { UsersAdminRpc } from './users';
import type {
  CreateWebhookRequest,
  CreateWebhookResponse,
  DeletedWebhook,
  UpdateWebhookRequest,
  WebhookDeliveryList,
  WebhookDeliveryObject,
  WebhookList,
  WebhookObject,
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
  /** The archived EML (one reader's copy when the email was sent as a copy per reader). */
  getRawEmail(caller: Caller, id: string, recipient?: string): Promise<RpcResult<RawEmail>>;
  listEmails(caller: Caller, query: ListEmailsQuery): Promise<RpcResult<EmailList>>;
  reschedule(
    caller: Caller,
    id: string,
    scheduledAt: string,
  ): Promise<RpcResult<{ object: 'email'; id: string }>>;
  cancel(caller: Caller, id: string): Promise<RpcResult<{ object: 'email'; id: string }>>;
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
}

export interface TrackingRpc extends HealthRpc {}

// admin's RPC, split by area: each caller binds the one entrypoint it needs (workers/admin/src/index.ts).

/** AccountService: the operator's tenants, a tenant's users and invitations, the audit log, API keys. */
export interface AccountRpc extends HealthRpc, TenantsAdminRpc, UsersAdminRpc, AuditLogAdminRpc {
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
export interface DomainsRpc extends HealthRpc, DomainsAdminRpc {}

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
  // Suppressions: named by address; adding one that is already there returns it unchanged.
  listSuppressions(caller: Caller, query: ListSuppressionsQuery): Promise<RpcResult<SuppressionList>>;
  addSuppression(caller: Caller, input: CreateSuppressionRequest): Promise<RpcResult<SuppressionObject>>;
  removeSuppression(caller: Caller, email: string): Promise<RpcResult<DeletedSuppression>>;
  // Webhooks: the signing secret is in the create's answer only; another tenant's webhook is not_found.
  createWebhook(caller: Caller, input: CreateWebhookRequest): Promise<RpcResult<CreateWebhookResponse>>;
  listWebhooks(caller: Caller): Promise<RpcResult<WebhookList>>;
  getWebhook(caller: Caller, id: string): Promise<RpcResult<WebhookObject>>;
  updateWebhook(
    caller: Caller,
    id: string,
    input: UpdateWebhookRequest,
  ): Promise<RpcResult<{ object: 'webhook'; id: string }>>;
  deleteWebhook(caller: Caller, id: string): Promise<RpcResult<DeletedWebhook>>;
  /** Newest first, each with its attempts. */
  listWebhookDeliveries(caller: Caller, id: string): Promise<RpcResult<WebhookDeliveryList>>;
  /** Queues the delivery again as a new attempt, whatever its status. */
  replayWebhookDelivery(
    caller: Caller,
    id: string,
    deliveryId: string,
  ): Promise<RpcResult<WebhookDeliveryObject>>;
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
