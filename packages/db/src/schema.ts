// The kysely view of migrations/: one interface per table, columns as D1 returns them.
import type { ApiKeyPermission, TenantStatus } from '@mailgrid/contracts';
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

export interface Database {
  tenants: TenantsTable;
  domains: DomainsTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
}

export type Tenant = Selectable<TenantsTable>;
export type Domain = Selectable<DomainsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type NewApiKeyRow = Insertable<ApiKeysTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
