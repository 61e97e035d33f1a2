// Tenants, domains and API keys as SQL statements: the dev seed runs them through
// `wrangler d1 execute`, worker tests through env.DB (seedTenant), mesh tests through the stack.
// Pure code (Web Crypto only) so it runs in Node and in workerd alike.
import { generateApiKey, type KeyEnvironment } from '@mailgrid/api-keys';
import type { ApiKeyPermission, RateLimitRule } from '@mailgrid/contracts/api-keys';
import type { Caller } from '@mailgrid/contracts/caller';

export interface SqlStatement {
  sql: string;
  params: (string | number | null)[];
}

export interface TenantSpec {
  slug: string;
  name?: string;
  /** A verified sending domain, e.g. `dev.mailgrid.test`. */
  domain: string;
  rateLimit?: RateLimitRule;
  /** Use a fixed tenant id (the dev tenant keeps one across restarts). */
  id?: string;
  /** More domains of the tenant: verified ones it may send from, and ones still pending. */
  extraDomains?: { name: string; verified: boolean }[];
  /** Addresses on the tenant's suppression list. */
  suppressed?: string[];
}

export interface KeySpec {
  name: string;
  permission: ApiKeyPermission;
  /** Restrict the key to the tenant's domain. */
  domainRestricted?: boolean;
}

export interface SeededKey {
  id: string;
  token: string;
  prefix: string;
  permission: ApiKeyPermission;
}

export interface SeededTenant {
  tenantId: string;
  domainId: string;
  domain: string;
}

export function tenantStatements(spec: TenantSpec): { tenant: SeededTenant; statements: SqlStatement[] } {
  const now = new Date().toISOString();
  const tenantId = spec.id ?? crypto.randomUUID();
  const domainId = stableDomainId(tenantId);
  const rate = spec.rateLimit ?? { per_second: 10, burst: 20 };
  return {
    tenant: { tenantId, domainId, domain: spec.domain },
    // INSERT OR IGNORE: seeding twice keeps the first rows (and their ids).
    statements: [
      {
        sql: 'INSERT OR IGNORE INTO tenants (id, slug, name, rate_limit_per_second, rate_limit_burst, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        params: [tenantId, spec.slug, spec.name ?? spec.slug, rate.per_second, rate.burst, now],
      },
      {
        sql: "INSERT OR IGNORE INTO domains (id, tenant_id, name, status, verified_at, created_at) VALUES (?, ?, ?, 'verified', ?, ?)",
        params: [domainId, tenantId, spec.domain, now, now],
      },
      ...(spec.extraDomains ?? []).map((domain) => ({
        sql: 'INSERT OR IGNORE INTO domains (id, tenant_id, name, status, verified_at, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        params: [
          crypto.randomUUID(),
          tenantId,
          domain.name,
          domain.verified ? 'verified' : 'pending',
          domain.verified ? now : null,
          now,
        ],
      })),
      ...(spec.suppressed ?? []).map((email) => ({
        sql: 'INSERT OR IGNORE INTO suppressions (tenant_id, email, reason, created_at) VALUES (?, ?, ?, ?)',
        params: [tenantId, email.toLowerCase(), 'test fixture', now],
      })),
    ],
  };
}

export async function keyStatement(
  tenant: SeededTenant,
  spec: KeySpec,
  environment: KeyEnvironment = 'dev',
): Promise<{ key: SeededKey; statement: SqlStatement }> {
  const material = await generateApiKey(environment);
  const id = crypto.randomUUID();
  return {
    key: { id, token: material.token, prefix: material.prefix, permission: spec.permission },
    statement: {
      sql: 'INSERT INTO api_keys (id, tenant_id, name, prefix, hash, permission, domain_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      params: [
        id,
        tenant.tenantId,
        spec.name,
        material.prefix,
        material.hash,
        spec.permission,
        spec.domainRestricted ? tenant.domainId : null,
        new Date().toISOString(),
      ],
    },
  };
}

/** The statement with its parameters written in, for `wrangler d1 execute --command`/`--file`. */
export function inlineSql({ sql, params }: SqlStatement): string {
  let index = 0;
  return sql.replace(/\?/g, () => {
    const value = params[index++];
    if (value === null || value === undefined) return 'NULL';
    if (typeof value === 'number') return String(value);
    return `'${value.replaceAll("'", "''")}'`;
  });
}

/** The part of a D1 binding the fixtures use (kept structural so this file needs no Workers types). */
export interface D1Like<Statement> {
  prepare(sql: string): { bind(...params: unknown[]): Statement };
  batch(statements: Statement[]): Promise<unknown>;
}

/** Runs fixtures against a D1 binding (worker tests). */
export async function runStatements<S>(db: D1Like<S>, statements: SqlStatement[]): Promise<void> {
  await db.batch(statements.map(({ sql, params }) => db.prepare(sql).bind(...params)));
}

/** A tenant with one key of each permission, written to D1: the usual worker-test starting point. */
export async function seedTenant<S>(db: D1Like<S>, spec: TenantSpec) {
  const { tenant, statements } = tenantStatements(spec);
  const full = await keyStatement(tenant, { name: 'full', permission: 'full_access' });
  const sending = await keyStatement(tenant, { name: 'sending', permission: 'sending_access' });
  await runStatements(db, [...statements, full.statement, sending.statement]);
  return { ...tenant, fullKey: full.key, sendingKey: sending.key };
}

/** The Caller the gateway would pass over RPC for a request made with `key`. */
export function callerFor(
  tenantId: string,
  key: SeededKey,
  requestId = `req-${crypto.randomUUID()}`,
): Caller {
  return {
    tenant_id: tenantId,
    key_id: key.id,
    key_prefix: key.prefix,
    permission: key.permission,
    domain_id: null,
    request_id: requestId,
  };
}

function stableDomainId(tenantId: string): string {
  // The seeded domain's id derives from the tenant's, so re-seeding finds the same row.
  return `${tenantId.slice(0, 24)}${'d0d0d0d0d0d0'}`;
}
