// What every admin entrypoint is: health(), and a list of operations, each a function named as the
// RPC method it implements (domains.ts's getDomain is DomainsService.getDomain) that takes the env
// first. Each becomes a prototype method (RPC calls only those, never instance properties) that runs
// the function through toRpcResult: an expected failure (AppError) comes back as `{ ok: false, error }`,
// anything else still throws. The entrypoint `implements` its contract, so a missing or mistyped
// operation fails the type check.
import { WorkerEntrypoint } from 'cloudflare:workers';
import { type RpcResult, toRpcResult, type WorkerHealth } from '@mailgrid/contracts';
import { checkHealth, type MeteredBindings, meterEntrypoint, probes } from '@mailgrid/runtime';
import { config, type Env } from '../env';

type Operation = (env: Env, ...args: never[]) => Promise<unknown>;

/** What the cost meter counts (@mailgrid/runtime metered-env): each RPC call and queue batch logs one line. */
export const METERED: MeteredBindings<Env> = {
  DB: 'd1',
  API_KEYS: 'kv',
  FILES: 'r2',
  WEBHOOKS_QUEUE: 'queue',
  IMPORTS_QUEUE: 'queue',
  SEND: 'service',
};

/** The RPC method an operation becomes: the env is the entrypoint's own, the answer an RpcResult. */
type Methods<O> = {
  [K in keyof O]: O[K] extends (env: Env, ...args: infer A) => Promise<infer T>
    ? (...args: A) => Promise<RpcResult<T>>
    : never;
};

export function defineEntrypoint<O extends Record<string, Operation>>(operations: O) {
  class AdminEntrypoint extends WorkerEntrypoint<Env> {
    async health(): Promise<WorkerHealth> {
      const { env } = this;
      return checkHealth('admin', config(env).ENVIRONMENT, {
        d1: probes.d1(env.DB),
        kv: probes.kv(env.API_KEYS),
        files: probes.r2(env.FILES),
      });
    }

    static {
      for (const [name, operation] of Object.entries(operations)) {
        // A computed method name, so the function (and its stack frames) carries the RPC method's name.
        const method = {
          async [name](this: AdminEntrypoint, ...args: never[]) {
            return toRpcResult(() => operation(this.env, ...args));
          },
        }[name];
        Object.defineProperty(AdminEntrypoint.prototype, name, {
          value: method,
          writable: true,
          configurable: true,
        });
      }
    }
  }
  meterEntrypoint(AdminEntrypoint, 'admin', METERED);
  return AdminEntrypoint as new (
    ctx: ExecutionContext,
    env: Env,
  ) => AdminEntrypoint & Methods<O>;
}
