// AccountService: the operator's tenants, a tenant's users and invitations, its audit log and API keys.
import type { AccountRpc } from '@mailgrid/contracts';
import { createApiKey, deleteApiKey, listApiKeys, updateApiKey } from '../api-keys';
import { listAuditLogs } from '../audit-log';
import {
  createTenant,
  createTenantApiKey,
  getTenant,
  listTenants,
  resumeTenant,
  suspendTenant,
  updateTenant,
} from '../tenants';
import { getUsage } from '../usage';
import { acceptInvitation, getCurrentUser, inviteUser, listUsers, removeUser, updateUser } from '../users';
import { defineEntrypoint } from './define';

export class AccountService
  extends defineEntrypoint({
    createTenant,
    listTenants,
    getTenant,
    updateTenant,
    suspendTenant,
    resumeTenant,
    createTenantApiKey,
    listUsers,
    inviteUser,
    updateUser,
    removeUser,
    getCurrentUser,
    acceptInvitation,
    listAuditLogs,
    createApiKey,
    listApiKeys,
    deleteApiKey,
    updateApiKey,
    getUsage,
  })
  implements AccountRpc {}
