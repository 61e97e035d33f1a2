// What the admin tests share: the AdminService over real RPC, and two fresh tenants per test.
import { env, exports } from 'cloudflare:workers';
import type { AdminRpc, Caller, RpcResult } from '@mailgrid/contracts';
import { callerFor, seedTenant } from '@mailgrid/testing/fixtures';
import type { Env } from '../src/env';

export const realEnv = env as unknown as Env;
export const admin = (exports as unknown as { AdminService: AdminRpc }).AdminService;

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
