// mailgrid-admin: the AdminService RPC entrypoint. Everything a customer configures lives here.

import { WorkerEntrypoint } from 'cloudflare:workers';
import {
  type AdminRpc,
  type ApiKeySummary,
  type Caller,
  type CreateApiKeyRequest,
  type CreateApiKeyResponse,
  type CreateSuppressionRequest,
  type CreateTemplateRequest,
  type CreateWebhookRequest,
  type CreateWebhookResponse,
  type DeletedSuppression,
  type DeletedTemplate,
  type DeletedWebhook,
  type ListSuppressionsQuery,
  type ListTemplatesQuery,
  type RpcResult,
  type SuppressionList,
  type SuppressionObject,
  type TemplateList,
  type TemplateObject,
  type TemplateResponse,
  toRpcResult,
  type UpdateTemplateRequest,
  type UpdateWebhookRequest,
  type WebhookDeliveryList,
  type WebhookDeliveryObject,
  type WebhookList,
  type WebhookObject,
  type WorkerHealth,
} from '@mailgrid/contracts';
import { checkHealth, probes } from '@mailgrid/runtime';
import { createKey, listKeys, revokeKey } from './api-keys';
import type { Env } from './env';
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

  async createApiKey(caller: Caller, input: CreateApiKeyRequest): Promise<RpcResult<CreateApiKeyResponse>> {
    return toRpcResult(() => createKey(this.env, caller, input));
  }

  async listApiKeys(caller: Caller): Promise<RpcResult<ApiKeySummary[]>> {
    return toRpcResult(() => listKeys(this.env, caller));
  }

  async deleteApiKey(caller: Caller, id: string): Promise<RpcResult<{ id: string }>> {
    return toRpcResult(() => revokeKey(this.env, caller, id));
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
}

export default {
  // Internal worker: reached over RPC only.
  async fetch() {
    return new Response('Not found', { status: 404 });
  },
} satisfies ExportedHandler<Env>;
