// The cost meter. Per unit of work (an HTTP request, an RPC call, a queue batch, a cron run) it counts
// what Cloudflare bills for, by wrapping the env's bindings in Proxies at the entry point, so business
// code runs unchanged; at the end of the unit (after its waitUntil work) it logs ONE line:
//   {"event":"cost","worker":"send","unit":"queue","invocation":"queue","d1":{...},"r2":{...},...}
// It runs in production: a Proxy per binding touched, a few integer increments per call, no I/O.
import { type D1Usage, emptyD1Usage, meteredD1 } from '@mailgrid/db/metered';

export type BindingKind = 'd1' | 'r2' | 'kv' | 'queue' | 'durable_object' | 'service';

/** Which env keys are bindings to meter, by kind (vars and unlisted bindings pass through). */
export type MeteredBindings<E> = { readonly [K in keyof E]?: BindingKind };

/**
 * How the unit was started, which decides whether Cloudflare bills it as a request: an HTTP request
 * from the internet, a queue batch or a cron run is one; an RPC call or fetch over a service binding
 * is not (its CPU time is billed to the caller's request).
 */
export type Invocation = 'request' | 'rpc' | 'queue' | 'scheduled';

export interface Cost {
  d1: D1Usage;
  /** Class A: put, list, multipart create/part/complete. Class B: get, head. Deletes are free. */
  r2: { class_a: number; class_b: number; deletes: number };
  /** Reads are per key (a bulk get of 3 keys is 3). Writes, deletes and lists share one price. */
  kv: { reads: number; writes: number; deletes: number; lists: number };
  /** Messages: sent (send 1, sendBatch n), and for a consumer read, acked and retried. */
  queues: { sent: number; read: number; acked: number; retried: number };
  /** Each method call (or fetch) on a Durable Object stub: one billed request. */
  durable_objects: { requests: number };
  /** Each call (or fetch) on a service binding: not billed as a request, but it is another invocation. */
  services: { calls: number };
}

export function emptyCost(): Cost {
  return {
    d1: emptyD1Usage(),
    r2: { class_a: 0, class_b: 0, deletes: 0 },
    kv: { reads: 0, writes: 0, deletes: 0, lists: 0 },
    queues: { sent: 0, read: 0, acked: 0, retried: 0 },
    durable_objects: { requests: 0 },
    services: { calls: 0 },
  };
}

const RAW_ENV = Symbol('mailgrid.raw-env');

/** The env a metered env wraps (itself when not metered): what per-env caches should key on. */
export function unmetered<E extends object>(env: E): E {
  return ((env as Record<symbol, unknown>)[RAW_ENV] as E | undefined) ?? env;
}

/** A metered view of `env`: the listed bindings count into `cost`; everything else is the env's own. */
export function meterEnv<E extends object>(
  env: E,
  bindings: MeteredBindings<E>,
  cost: Cost = emptyCost(),
): { env: E; cost: Cost } {
  const wrapped = new Map<PropertyKey, unknown>();
  const metered = new Proxy(env, {
    get(target, key) {
      if (key === RAW_ENV) return target;
      const kind = (bindings as Record<PropertyKey, BindingKind | undefined>)[key];
      const value = Reflect.get(target, key);
      if (kind === undefined || value === undefined || value === null) return value;
      let binding = wrapped.get(key);
      if (binding === undefined) {
        binding = wrapBinding(kind, value as object, cost);
        wrapped.set(key, binding);
      }
      return binding;
    },
  });
  return { env: metered, cost };
}

function wrapBinding(kind: BindingKind, binding: object, cost: Cost): unknown {
  switch (kind) {
    case 'd1':
      return meteredD1(binding as D1Database, cost.d1).db;
    case 'r2':
      return countCalls(
        binding,
        (method) => {
          if (method === 'get' || method === 'head') cost.r2.class_b++;
          else if (method === 'put' || method === 'list' || method === 'createMultipartUpload')
            cost.r2.class_a++;
          else if (method === 'delete') cost.r2.deletes++;
        },
        (method) =>
          method === 'createMultipartUpload' || method === 'resumeMultipartUpload'
            ? (upload) => countMultipart(upload, cost)
            : undefined,
      );
    case 'kv':
      return countCalls(binding, (method, args) => {
        if (method === 'get' || method === 'getWithMetadata')
          cost.kv.reads += Array.isArray(args[0]) ? args[0].length : 1;
        else if (method === 'put') cost.kv.writes++;
        else if (method === 'delete') cost.kv.deletes++;
        else if (method === 'list') cost.kv.lists++;
      });
    case 'queue':
      return countCalls(binding, (method, args) => {
        if (method === 'send') cost.queues.sent++;
        else if (method === 'sendBatch') cost.queues.sent += Array.isArray(args[0]) ? args[0].length : 0;
      });
    case 'durable_object':
      return countCalls(
        binding,
        () => {},
        (method) =>
          method === 'get' || method === 'getByName' ? (stub) => countStub(stub, cost, 'do') : undefined,
      );
    case 'service':
      return countStub(binding, cost, 'service');
  }
}

/**
 * A Proxy whose methods call `count(method, args)` before running; `wrapResult(method)` may give a
 * function that wraps what the method returns or resolves to (a multipart upload, a Durable Object stub).
 */
function countCalls(
  target: object,
  count: (method: string, args: unknown[]) => void,
  wrapResult: (method: string) => ((result: object) => unknown) | undefined = () => undefined,
): object {
  return new Proxy(target, {
    get(object, key) {
      const value = Reflect.get(object, key);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      return (...args: unknown[]) => {
        count(key, args);
        const result = Reflect.apply(value, object, args);
        const wrap = wrapResult(key);
        if (!wrap) return result;
        return result instanceof Promise
          ? result.then((resolved: object) => wrap(resolved))
          : wrap(result as object);
      };
    },
  });
}

function countMultipart(upload: object, cost: Cost): unknown {
  return countCalls(upload, (method) => {
    if (method === 'uploadPart' || method === 'complete') cost.r2.class_a++;
  });
}

// Properties of a stub that are not calls: reading them is free, and `then` must stay undefined so an
// awaited stub is not mistaken for a promise.
const STUB_FIELDS = new Set(['id', 'name', 'then', 'dup', 'constructor', 'toJSON']);

/** An RPC stub (Durable Object or service binding): every method call or fetch is one request. */
function countStub(stub: object, cost: Cost, kind: 'do' | 'service'): object {
  return new Proxy(stub, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (typeof key !== 'string' || STUB_FIELDS.has(key) || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (kind === 'do') cost.durable_objects.requests++;
        else cost.services.calls++;
        // Reflect.apply, not value.apply: on an RPC stub `apply` would be a remote method's name.
        return Reflect.apply(value as (...a: unknown[]) => unknown, target, args);
      };
    },
  });
}

/** What names a unit in its cost line, besides the counts. */
export interface UnitLabels {
  worker: string;
  unit: string;
  invocation: Invocation;
  [field: string]: string | number | undefined;
}

/**
 * Runs one unit of work against a metered env (and a ctx whose waitUntil work is counted too), then
 * logs its cost line once that work has settled. The log goes out through the real ctx.waitUntil, so
 * the unit's answer never waits for it.
 */
export async function runMetered<E extends object, T, C extends ExecutionContext | undefined>(
  labels: UnitLabels,
  env: E,
  bindings: MeteredBindings<E>,
  ctx: C,
  work: (env: E, ctx: C) => Promise<T>,
  settle?: (cost: Cost, failed: boolean) => void,
): Promise<T> {
  const { env: meteredEnv, cost } = meterEnv(env, bindings);
  const pending: Promise<unknown>[] = [];
  const meteredCtx = (ctx && trackWaitUntil(ctx, pending)) as C;
  let failed = false;
  try {
    return await work(meteredEnv, meteredCtx);
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    const done = settleAll(pending).then(() => {
      settle?.(cost, failed);
      if (costLogOn(env)) logCost(labels, cost);
    });
    if (ctx) ctx.waitUntil(done);
    else await done;
  }
}

function trackWaitUntil(ctx: ExecutionContext, pending: Promise<unknown>[]): ExecutionContext {
  return new Proxy(ctx, {
    get(target, key) {
      if (key === 'waitUntil') {
        return (promise: Promise<unknown>) => {
          pending.push(promise);
          target.waitUntil(promise);
        };
      }
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Waits for every promise, including those added while waiting (waitUntil work that adds more). */
async function settleAll(pending: Promise<unknown>[]): Promise<void> {
  for (let settled = 0; settled < pending.length; ) {
    const batch = pending.slice(settled);
    settled = pending.length;
    await Promise.allSettled(batch);
  }
}

/**
 * The cost lines are on unless the worker's COST_LOG var is `off`: the end-to-end tests turn them off,
 * since they double the log lines `wrangler dev` relays and nothing there reads them.
 */
function costLogOn(env: object): boolean {
  return (env as { COST_LOG?: unknown }).COST_LOG !== 'off';
}

export function logCost(labels: UnitLabels, cost: Cost): void {
  console.log(JSON.stringify({ event: 'cost', ...labels, ...cost }));
}

/**
 * A queue consumer's unit: the batch's messages are counted as read, and each as acked or retried —
 * explicitly (message.ack()/retry(), batch.ackAll()/retryAll(), the first call on a message wins), or
 * as the runtime settles the rest: acked when the handler returns, retried when it throws.
 */
export function runMeteredQueue<E extends object, B extends MessageBatch<unknown>>(
  worker: string,
  batch: B,
  env: E,
  bindings: MeteredBindings<E>,
  ctx: ExecutionContext,
  work: (batch: B, env: E, ctx: ExecutionContext) => Promise<void>,
): Promise<void> {
  const outcomes = new Map<object, 'ack' | 'retry'>();
  let batchOutcome: 'ack' | 'retry' | undefined;
  const decide = (message: object, outcome: 'ack' | 'retry') => {
    if (!outcomes.has(message)) outcomes.set(message, outcome);
  };
  const messages = batch.messages.map(
    (message) =>
      new Proxy(message, {
        get(target, key) {
          if (key === 'ack' || key === 'retry') {
            return (...args: unknown[]) => {
              decide(target, key);
              return (target[key] as (...a: unknown[]) => void)(...args);
            };
          }
          const value = Reflect.get(target, key);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }),
  );
  const meteredBatch = new Proxy(batch, {
    get(target, key) {
      if (key === 'messages') return messages;
      if (key === 'ackAll' || key === 'retryAll') {
        return (...args: unknown[]) => {
          batchOutcome ??= key === 'ackAll' ? 'ack' : 'retry';
          return (target[key] as (...a: unknown[]) => void)(...args);
        };
      }
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return runMetered(
    { worker, unit: 'queue', invocation: 'queue', queue: batch.queue },
    env,
    bindings,
    ctx,
    (meteredEnv, meteredCtx) => work(meteredBatch, meteredEnv, meteredCtx),
    (cost, failed) => {
      cost.queues.read += batch.messages.length;
      for (const message of batch.messages) {
        const outcome = outcomes.get(message) ?? batchOutcome ?? (failed ? 'retry' : 'ack');
        if (outcome === 'ack') cost.queues.acked++;
        else cost.queues.retried++;
      }
    },
  );
}

/** Where an HTTP request went, without ids or tokens: `/api/emails/:id`, `/o/:token`. */
export function routeOf(request: Request): string {
  const { pathname } = new URL(request.url);
  const template = pathname
    .split('/')
    .map((segment) => (segment.length >= 16 || /\d/.test(segment) ? ':id' : segment))
    .join('/');
  return `${request.method} ${template}`;
}

/**
 * Meters every method of a WorkerEntrypoint class (RPC methods and fetch): each call is one unit,
 * named by its method, run with `this.env` and `this.ctx` metered. The class is changed in place.
 */
export function meterEntrypoint<E extends object>(
  // A class, typed loosely: WorkerEntrypoint's env and ctx are protected, so no public shape matches.
  entrypoint: { prototype: object },
  worker: string,
  bindings: MeteredBindings<E>,
): void {
  const names = new Set<string>();
  for (
    let proto = entrypoint.prototype as object | null;
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    // The runtime's own base class (WorkerEntrypoint) has no methods of ours.
    if (!Object.hasOwn(proto, 'constructor') || proto.constructor.name === 'WorkerEntrypoint') break;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (name !== 'constructor' && typeof descriptor?.value === 'function') names.add(name);
    }
  }
  const target = entrypoint.prototype as Record<string, unknown>;
  for (const name of names) {
    const original = target[name] as (...args: unknown[]) => Promise<unknown>;
    const method = {
      async [name](this: { env: E; ctx: ExecutionContext }, ...args: unknown[]) {
        const labels: UnitLabels = { worker, unit: name, invocation: 'rpc' };
        if (name === 'fetch' && args[0] instanceof Request) labels.route = routeOf(args[0]);
        return runMetered(labels, this.env, bindings, this.ctx, (env, ctx) =>
          // `this` with the metered env and ctx in front; the rest (other methods) as it was.
          original.apply(Object.create(this, { env: { value: env }, ctx: { value: ctx } }), args),
        );
      },
    }[name];
    Object.defineProperty(target, name, { value: method, writable: true, configurable: true });
  }
}
