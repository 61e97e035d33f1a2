// mailgrid-admin: the AdminService RPC entrypoint. Everything a customer configures lives here.

import { WorkerEntrypoint } from 'cloudflare:workers';
import type {
  AudienceListQuery,
  AuditLogList,
  ContactImportErrorList,
  ContactImportList,
  ContactImportObject,
  ContactList,
  ContactObject,
  ContactPreferences,
  ContactPropertyList,
  ContactPropertyObject,
  ContactPropertyResponse,
  ContactResponse,
  ContactSegmentChange,
  ContactSegmentList,
  ContactTopicList,
  CreateContactPropertyRequest,
  CreateContactRequest,
  CreateImportQuery,
  CreateImportResponse,
  CreateSegmentRequest,
  CreateSegmentResponse,
  CreateStreamRequest,
  CreateTenantRequest,
  CreateTenantResponse,
  CreateTopicRequest,
  DeletedContact,
  DeletedContactProperty,
  DeletedFile,
  DeletedSegment,
  DeletedStream,
  DeletedTopic,
  DeletedUser,
  FileList,
  FileObject,
  FileUpload,
  Identity,
  InvitationObject,
  InviteUserRequest,
  ListAuditLogsQuery,
  ListFilesQuery,
  ListImportErrorsQuery,
  ListImportsQuery,
  ListTenantsQuery,
  OperatorContext,
  PreferencesChange,
  QueueMessageBase,
  SegmentList,
  SegmentObject,
  StreamList,
  StreamObject,
  StreamWithReputation,
  TenantList,
  TenantObject,
  TopicList,
  TopicObject,
  TopicResponse,
  UpdateContactPropertyRequest,
  UpdateContactRequest,
  UpdateContactTopicsRequest,
  UpdateSegmentRequest,
  UpdateStreamRequest,
  UpdateTenantRequest,
  UpdateTopicRequest,
  UpdateUserRequest,
  UserList,
  UserObject,
} from '@mailgrid/contracts';
import {
  type AdminRpc,
  type ApiKeySummary,
  type Caller,
  type CreateApiKeyRequest,
  type CreateApiKeyResponse,
  type CreateDomainRequest,
  type CreateSuppressionRequest,
  type CreateTemplateRequest,
  type CreateWebhookRequest,
  type CreateWebhookResponse,
  type DeletedDomain,
  type DeletedSuppression,
  type DeletedTemplate,
  type DeletedWebhook,
  type DomainList,
  type DomainObject,
  type ListDomainsQuery,
  type ListSuppressionsQuery,
  type ListTemplatesQuery,
  type RpcResult,
  type SuppressionList,
  type SuppressionObject,
  type TemplateList,
  type TemplateObject,
  type TemplateResponse,
  toRpcResult,
  type UpdateApiKeyRequest,
  type UpdateDomainRequest,
  type UpdateTemplateRequest,
  type UpdateWebhookRequest,
  type WebhookDeliveryList,
  type WebhookDeliveryObject,
  type WebhookList,
  type WebhookObject,
  type WorkerHealth,
} from '@mailgrid/contracts';
import { checkHealth, probes } from '@mailgrid/runtime';
import { createKey, listKeys, renameKey, revokeKey } from './api-keys';
import {
  createContact,
  editContact,
  editContactTopics,
  joinSegment,
  leaveSegment,
  readContact,
  readContactSegments,
  readContacts,
  readContactTopics,
  removeContact,
} from './audience/contacts';
import { changePreferences, readPreferences } from './audience/preferences';
import {
  createProperty,
  editProperty,
  readProperties,
  readProperty,
  removeProperty,
} from './audience/properties';
import {
  createSegment,
  getSegment,
  pageSegmentContacts,
  pageSegments,
  removeSegment,
  updateSegment,
} from './audience/segments';
import { allTopics, createTopic, editTopic, getTopic, removeTopic } from './audience/topics';
import { readAuditLog } from './audit-log';
import { checkDomain, createDomain, editDomain, readDomain, readDomains, removeDomain } from './domains';
import type { Env } from './env';
import { readFile, readFiles, removeFile, uploadFile } from './files';
import { consumeImportsQueue, createImport, readImport, readImportErrors, readImports } from './imports';
import { createStream, editStream, readStream, readStreams, removeStream } from './streams';
import { readSuppressions, suppress, unsuppress } from './suppressions';
import {
  copyTemplate,
  createDraft,
  editDraft,
  publishDraft,
  readTemplate,
  readTemplates,
  removeTemplate,
} from './templates';
import { createTenant, readTenant, readTenants, setStatus, updateTenant } from './tenants';
import { acceptInvitation, changeRole, invite, readCurrentUser, readUsers, removeUser } from './users';
import {
  createHook,
  editHook,
  readDeliveries,
  readHook,
  readHooks,
  removeHook,
  replayDelivery,
} from './webhooks';

export class AdminService extends WorkerEntrypoint<Env> implements AdminRpc {
  async health(): Promise<WorkerHealth> {
    const { env } = this;
    return checkHealth('admin', env.ENVIRONMENT, {
      d1: probes.d1(env.DB),
      kv: probes.kv(env.API_KEYS),
      files: probes.r2(env.FILES),
    });
  }

  // Tenants: the platform operator's routes (/api/operator/tenants); `ref` is an id or slug.
  async createTenant(
    operator: OperatorContext,
    input: CreateTenantRequest,
  ): Promise<RpcResult<CreateTenantResponse>> {
    return toRpcResult(() => createTenant(this.env, operator, input));
  }

  async listTenants(_operator: OperatorContext, query: ListTenantsQuery): Promise<RpcResult<TenantList>> {
    return toRpcResult(() => readTenants(this.env, query));
  }

  async getTenant(_operator: OperatorContext, ref: string): Promise<RpcResult<TenantObject>> {
    return toRpcResult(() => readTenant(this.env, ref));
  }

  async updateTenant(
    operator: OperatorContext,
    ref: string,
    input: UpdateTenantRequest,
  ): Promise<RpcResult<TenantObject>> {
    return toRpcResult(() => updateTenant(this.env, operator, ref, input));
  }

  async suspendTenant(operator: OperatorContext, ref: string): Promise<RpcResult<TenantObject>> {
    return toRpcResult(() => setStatus(this.env, operator, ref, 'suspended'));
  }

  async resumeTenant(operator: OperatorContext, ref: string): Promise<RpcResult<TenantObject>> {
    return toRpcResult(() => setStatus(this.env, operator, ref, 'active'));
  }

  // Users of the caller's tenant, and invitations.
  async listUsers(caller: Caller): Promise<RpcResult<UserList>> {
    return toRpcResult(() => readUsers(this.env, caller));
  }

  async inviteUser(caller: Caller, input: InviteUserRequest): Promise<RpcResult<InvitationObject>> {
    return toRpcResult(() => invite(this.env, caller, input));
  }

  async updateUser(caller: Caller, id: string, input: UpdateUserRequest): Promise<RpcResult<UserObject>> {
    return toRpcResult(() => changeRole(this.env, caller, id, input));
  }

  async removeUser(caller: Caller, id: string): Promise<RpcResult<DeletedUser>> {
    return toRpcResult(() => removeUser(this.env, caller, id));
  }

  async getCurrentUser(caller: Caller): Promise<RpcResult<UserObject>> {
    return toRpcResult(() => readCurrentUser(this.env, caller));
  }

  async acceptInvitation(identity: Identity, token: string): Promise<RpcResult<UserObject>> {
    return toRpcResult(() => acceptInvitation(this.env, identity, token));
  }

  async listAuditLogs(caller: Caller, query: ListAuditLogsQuery): Promise<RpcResult<AuditLogList>> {
    return toRpcResult(() => readAuditLog(this.env, caller, query));
  }

  async createApiKey(caller: Caller, input: CreateApiKeyRequest): Promise<RpcResult<CreateApiKeyResponse>> {
    return toRpcResult(() => createKey(this.env, caller, input));
  }

  async listApiKeys(caller: Caller): Promise<RpcResult<ApiKeySummary[]>> {
    return toRpcResult(() => listKeys(this.env, caller));
  }

  async deleteApiKey(caller: Caller, id: string): Promise<RpcResult<{ id: string }>> {
    return toRpcResult(() => revokeKey(this.env, caller, id));
  }

  async updateApiKey(
    caller: Caller,
    id: string,
    input: UpdateApiKeyRequest,
  ): Promise<RpcResult<{ object: 'api_key'; id: string }>> {
    return toRpcResult(() => renameKey(this.env, caller, id, input));
  }

  async createDomain(caller: Caller, input: CreateDomainRequest): Promise<RpcResult<DomainObject>> {
    return toRpcResult(() => createDomain(this.env, caller, input));
  }

  async listDomains(caller: Caller, query: ListDomainsQuery): Promise<RpcResult<DomainList>> {
    return toRpcResult(() => readDomains(this.env, caller, query));
  }

  async getDomain(caller: Caller, id: string): Promise<RpcResult<DomainObject>> {
    return toRpcResult(() => readDomain(this.env, caller, id));
  }

  async updateDomain(
    caller: Caller,
    id: string,
    input: UpdateDomainRequest,
  ): Promise<RpcResult<DomainObject>> {
    return toRpcResult(() => editDomain(this.env, caller, id, input));
  }

  async verifyDomain(caller: Caller, id: string): Promise<RpcResult<DomainObject>> {
    return toRpcResult(() => checkDomain(this.env, caller, id));
  }

  async deleteDomain(caller: Caller, id: string): Promise<RpcResult<DeletedDomain>> {
    return toRpcResult(() => removeDomain(this.env, caller, id));
  }

  async createTemplate(caller: Caller, input: CreateTemplateRequest): Promise<RpcResult<TemplateResponse>> {
    return toRpcResult(() => createDraft(this.env, caller, input));
  }

  async getTemplate(caller: Caller, ref: string): Promise<RpcResult<TemplateObject>> {
    return toRpcResult(() => readTemplate(this.env, caller, ref));
  }

  async listTemplates(caller: Caller, query: ListTemplatesQuery): Promise<RpcResult<TemplateList>> {
    return toRpcResult(() => readTemplates(this.env, caller, query));
  }

  async updateTemplate(
    caller: Caller,
    ref: string,
    input: UpdateTemplateRequest,
  ): Promise<RpcResult<TemplateResponse>> {
    return toRpcResult(() => editDraft(this.env, caller, ref, input));
  }

  async publishTemplate(caller: Caller, ref: string): Promise<RpcResult<TemplateResponse>> {
    return toRpcResult(() => publishDraft(this.env, caller, ref));
  }

  async duplicateTemplate(caller: Caller, ref: string): Promise<RpcResult<TemplateResponse>> {
    return toRpcResult(() => copyTemplate(this.env, caller, ref));
  }

  async deleteTemplate(caller: Caller, ref: string): Promise<RpcResult<DeletedTemplate>> {
    return toRpcResult(() => removeTemplate(this.env, caller, ref));
  }

  async listSuppressions(caller: Caller, query: ListSuppressionsQuery): Promise<RpcResult<SuppressionList>> {
    return toRpcResult(() => readSuppressions(this.env, caller, query));
  }

  async addSuppression(
    caller: Caller,
    input: CreateSuppressionRequest,
  ): Promise<RpcResult<SuppressionObject>> {
    return toRpcResult(() => suppress(this.env, caller, input));
  }

  async removeSuppression(caller: Caller, email: string): Promise<RpcResult<DeletedSuppression>> {
    return toRpcResult(() => unsuppress(this.env, caller, email));
  }

  async createWebhook(
    caller: Caller,
    input: CreateWebhookRequest,
  ): Promise<RpcResult<CreateWebhookResponse>> {
    return toRpcResult(() => createHook(this.env, caller, input));
  }

  async listWebhooks(caller: Caller): Promise<RpcResult<WebhookList>> {
    return toRpcResult(() => readHooks(this.env, caller));
  }

  async getWebhook(caller: Caller, id: string): Promise<RpcResult<WebhookObject>> {
    return toRpcResult(() => readHook(this.env, caller, id));
  }

  async updateWebhook(
    caller: Caller,
    id: string,
    input: UpdateWebhookRequest,
  ): Promise<RpcResult<{ object: 'webhook'; id: string }>> {
    return toRpcResult(() => editHook(this.env, caller, id, input));
  }

  async deleteWebhook(caller: Caller, id: string): Promise<RpcResult<DeletedWebhook>> {
    return toRpcResult(() => removeHook(this.env, caller, id));
  }

  async listWebhookDeliveries(caller: Caller, id: string): Promise<RpcResult<WebhookDeliveryList>> {
    return toRpcResult(() => readDeliveries(this.env, caller, id));
  }

  async replayWebhookDelivery(
    caller: Caller,
    id: string,
    deliveryId: string,
  ): Promise<RpcResult<WebhookDeliveryObject>> {
    return toRpcResult(() => replayDelivery(this.env, caller, id, deliveryId));
  }

  async createStream(caller: Caller, input: CreateStreamRequest): Promise<RpcResult<StreamObject>> {
    return toRpcResult(() => createStream(this.env, caller, input));
  }

  async listStreams(caller: Caller): Promise<RpcResult<StreamList>> {
    return toRpcResult(() => readStreams(this.env, caller));
  }

  async getStream(caller: Caller, id: string): Promise<RpcResult<StreamWithReputation>> {
    return toRpcResult(() => readStream(this.env, caller, id));
  }

  async updateStream(
    caller: Caller,
    id: string,
    input: UpdateStreamRequest,
  ): Promise<RpcResult<StreamObject>> {
    return toRpcResult(() => editStream(this.env, caller, id, input));
  }

  async deleteStream(caller: Caller, id: string): Promise<RpcResult<DeletedStream>> {
    return toRpcResult(() => removeStream(this.env, caller, id));
  }

  async uploadFile(caller: Caller, upload: FileUpload): Promise<RpcResult<FileObject>> {
    return toRpcResult(() => uploadFile(this.env, caller, upload));
  }

  async listFiles(caller: Caller, query: ListFilesQuery): Promise<RpcResult<FileList>> {
    return toRpcResult(() => readFiles(this.env, caller, query));
  }

  async getFile(caller: Caller, id: string): Promise<RpcResult<FileObject>> {
    return toRpcResult(() => readFile(this.env, caller, id));
  }

  async deleteFile(caller: Caller, id: string): Promise<RpcResult<DeletedFile>> {
    return toRpcResult(() => removeFile(this.env, caller, id));
  }
  // Contacts: `ref` is a contact's id or email; another tenant's contact, segment or topic is not_found.
  async createContact(caller: Caller, input: CreateContactRequest): Promise<RpcResult<ContactResponse>> {
    return toRpcResult(() => createContact(this.env, caller, input));
  }

  async getContact(caller: Caller, ref: string): Promise<RpcResult<ContactObject>> {
    return toRpcResult(() => readContact(this.env, caller, ref));
  }

  async listContacts(caller: Caller, query: AudienceListQuery): Promise<RpcResult<ContactList>> {
    return toRpcResult(() => readContacts(this.env, caller, query));
  }

  async updateContact(
    caller: Caller,
    ref: string,
    input: UpdateContactRequest,
  ): Promise<RpcResult<ContactResponse>> {
    return toRpcResult(() => editContact(this.env, caller, ref, input));
  }

  async deleteContact(caller: Caller, ref: string): Promise<RpcResult<DeletedContact>> {
    return toRpcResult(() => removeContact(this.env, caller, ref));
  }

  async listContactSegments(
    caller: Caller,
    ref: string,
    query: AudienceListQuery,
  ): Promise<RpcResult<ContactSegmentList>> {
    return toRpcResult(() => readContactSegments(this.env, caller, ref, query));
  }

  async addContactToSegment(
    caller: Caller,
    ref: string,
    segmentId: string,
  ): Promise<RpcResult<ContactSegmentChange>> {
    return toRpcResult(() => joinSegment(this.env, caller, ref, segmentId));
  }

  async removeContactFromSegment(
    caller: Caller,
    ref: string,
    segmentId: string,
  ): Promise<RpcResult<ContactSegmentChange>> {
    return toRpcResult(() => leaveSegment(this.env, caller, ref, segmentId));
  }

  async listContactTopics(
    caller: Caller,
    ref: string,
    query: AudienceListQuery,
  ): Promise<RpcResult<ContactTopicList>> {
    return toRpcResult(() => readContactTopics(this.env, caller, ref, query));
  }

  async updateContactTopics(
    caller: Caller,
    ref: string,
    input: UpdateContactTopicsRequest,
  ): Promise<RpcResult<{ id: string }>> {
    return toRpcResult(() => editContactTopics(this.env, caller, ref, input));
  }

  async createContactProperty(
    caller: Caller,
    input: CreateContactPropertyRequest,
  ): Promise<RpcResult<ContactPropertyResponse>> {
    return toRpcResult(() => createProperty(this.env, caller, input));
  }

  async listContactProperties(
    caller: Caller,
    query: AudienceListQuery,
  ): Promise<RpcResult<ContactPropertyList>> {
    return toRpcResult(() => readProperties(this.env, caller, query));
  }

  async getContactProperty(caller: Caller, id: string): Promise<RpcResult<ContactPropertyObject>> {
    return toRpcResult(() => readProperty(this.env, caller, id));
  }

  async updateContactProperty(
    caller: Caller,
    id: string,
    input: UpdateContactPropertyRequest,
  ): Promise<RpcResult<ContactPropertyResponse>> {
    return toRpcResult(() => editProperty(this.env, caller, id, input));
  }

  async deleteContactProperty(caller: Caller, id: string): Promise<RpcResult<DeletedContactProperty>> {
    return toRpcResult(() => removeProperty(this.env, caller, id));
  }

  async createSegment(
    caller: Caller,
    input: CreateSegmentRequest,
  ): Promise<RpcResult<CreateSegmentResponse>> {
    return toRpcResult(() => createSegment(this.env, caller, input));
  }

  async listSegments(caller: Caller, query: AudienceListQuery): Promise<RpcResult<SegmentList>> {
    return toRpcResult(() => pageSegments(this.env, caller, query));
  }

  async getSegment(caller: Caller, id: string): Promise<RpcResult<SegmentObject>> {
    return toRpcResult(() => getSegment(this.env, caller, id));
  }

  async updateSegment(
    caller: Caller,
    id: string,
    input: UpdateSegmentRequest,
  ): Promise<RpcResult<{ object: 'segment'; id: string }>> {
    return toRpcResult(() => updateSegment(this.env, caller, id, input));
  }

  async deleteSegment(caller: Caller, id: string): Promise<RpcResult<DeletedSegment>> {
    return toRpcResult(() => removeSegment(this.env, caller, id));
  }

  async listSegmentContacts(
    caller: Caller,
    id: string,
    query: AudienceListQuery,
  ): Promise<RpcResult<ContactList>> {
    return toRpcResult(() => pageSegmentContacts(this.env, caller, id, query));
  }

  async createTopic(caller: Caller, input: CreateTopicRequest): Promise<RpcResult<TopicResponse>> {
    return toRpcResult(() => createTopic(this.env, caller, input));
  }

  async listTopics(caller: Caller): Promise<RpcResult<TopicList>> {
    return toRpcResult(() => allTopics(this.env, caller));
  }

  async getTopic(caller: Caller, id: string): Promise<RpcResult<TopicObject>> {
    return toRpcResult(() => getTopic(this.env, caller, id));
  }

  async updateTopic(
    caller: Caller,
    id: string,
    input: UpdateTopicRequest,
  ): Promise<RpcResult<TopicResponse>> {
    return toRpcResult(() => editTopic(this.env, caller, id, input));
  }

  async deleteTopic(caller: Caller, id: string): Promise<RpcResult<DeletedTopic>> {
    return toRpcResult(() => removeTopic(this.env, caller, id));
  }

  // Preferences: for the tracking worker's pages, which have no API key; the tenant comes from a signed token.
  async getPreferences(tenantId: string, email: string): Promise<RpcResult<ContactPreferences>> {
    return toRpcResult(() => readPreferences(this.env, tenantId, email));
  }

  async updatePreferences(
    tenantId: string,
    email: string,
    change: PreferencesChange,
    emailId: string | null,
  ): Promise<RpcResult<ContactPreferences>> {
    return toRpcResult(() => changePreferences(this.env, tenantId, email, change, emailId));
  }

  // CSV imports of contacts (imports/): the file is checked and queued here, processed by queue().
  async createContactImport(
    caller: Caller,
    csv: Uint8Array,
    query: CreateImportQuery,
  ): Promise<RpcResult<CreateImportResponse>> {
    return toRpcResult(() => createImport(this.env, caller, csv, query));
  }

  async getContactImport(caller: Caller, id: string): Promise<RpcResult<ContactImportObject>> {
    return toRpcResult(() => readImport(this.env, caller, id));
  }

  async listContactImports(caller: Caller, query: ListImportsQuery): Promise<RpcResult<ContactImportList>> {
    return toRpcResult(() => readImports(this.env, caller, query));
  }

  async listContactImportErrors(
    caller: Caller,
    id: string,
    query: ListImportErrorsQuery,
  ): Promise<RpcResult<ContactImportErrorList>> {
    return toRpcResult(() => readImportErrors(this.env, caller, id, query));
  }
}

export default {
  // Internal worker: reached over RPC and its own imports queue only.
  async fetch() {
    return new Response('Not found', { status: 404 });
  },
  // The imports queue and its dead-letter queue (imports/consume.ts).
  async queue(batch, env) {
    await consumeImportsQueue(batch, env);
  },
} satisfies ExportedHandler<Env, QueueMessageBase>;
