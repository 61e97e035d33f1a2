// mailgrid-admin: the AdminService RPC entrypoint. Everything a customer configures lives here.

import { WorkerEntrypoint } from 'cloudflare:workers';
import {
  type AdminRpc,
  type ApiKeySummary,
  type Caller,
  type CreateApiKeyRequest,
  type CreateApiKeyResponse,
  type RpcResult,
  toRpcResult,
  type WorkerHealth,
} from '@mailgrid/contracts';
import { checkHealth, probes } from '@mailgrid/runtime';
import { createKey, listKeys, revokeKey } from './api-keys';
import type { Env } from './env';

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
}

export default {
  // Internal worker: reached over RPC only.
  async fetch() {
    return new Response('Not found', { status: 404 });
  },
} satisfies ExportedHandler<Env>;
