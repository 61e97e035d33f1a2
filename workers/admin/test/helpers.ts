// What the admin tests share: admin's entrypoints over real RPC, and two fresh tenants per test.
import { env, exports } from 'cloudflare:workers';
import type {
  AccountRpc,
  AudienceRpc,
  Caller,
  DomainsRpc,
  MessagingRpc,
  PreferencesRpc,
  RpcResult,
} from '@mailgrid/contracts';
import { callerFor, seedTenant } from '@mailgrid/testing/fixtures';
import type { Env } from '../src/env';

export const realEnv = env as unknown as Env;

/** The worker's own entrypoints, each over its loopback binding (real RPC, as a caller's binding). */
const entrypoints = exports as unknown as {
  AccountService: AccountRpc;
  DomainsService: DomainsRpc;
  MessagingService: MessagingRpc;
  AudienceService: AudienceRpc;
  PreferencesService: PreferencesRpc;
};
export const account = entrypoints.AccountService;
export const domains = entrypoints.DomainsService;
export const messaging = entrypoints.MessagingService;
export const audience = entrypoints.AudienceService;
export const preferences = entrypoints.PreferencesService;

/** Two tenants with distinct names, as the Caller a full-access key of each would be. */
export async function twoTenants(): Promise<{ acme: Caller; globex: Caller }> {
  const label = crypto.randomUUID().slice(0, 8);
  const a = await seedTenant(realEnv.DB, { slug: `acme-${label}`, domain: `acme-${label}.example.test` });
  const g = await seedTenant(realEnv.DB, { slug: `globex-${label}`, domain: `globex-${label}.example.test` });
  return { acme: callerFor(a.tenantId, a.fullKey), globex: callerFor(g.tenantId, g.fullKey) };
}

/** The value of an RPC result that must have succeeded. */
export function value<T>(result: RpcResult<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** The error of an RPC result that must have failed. */
export function failure<T>(result: RpcResult<T>): { code: string; message: string } {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}
