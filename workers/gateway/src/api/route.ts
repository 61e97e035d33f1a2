// A route is data: one entry says everything about an operation — method and path, the permission
// it needs, the rule of each path parameter, the schemas of its query, body and response, its
// success status and the RPC call it makes. Generic code (run.ts) does auth, parsing, validation,
// errors and paging; the same entries generate the OpenAPI document (openapi.ts).
import type {
  ApiKeyPermission,
  Caller,
  IdempotencyInput,
  Identity,
  OperatorContext,
  RpcResult,
  UserRole,
} from '@mailgrid/contracts';
import type * as v from 'valibot';
import type { Env } from '../env';
import type { ParamRule } from './params';

export const METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'] as const;
export type Method = (typeof METHODS)[number];

/**
 * `sending_access`: any valid key; `full_access`: management routes; `operator`: the platform
 * operator's secret; `identity`: a verified JWT that need not be a member yet; `public`: no
 * credential at all (the handler authenticates the request itself, e.g. an SNS signature).
 */
export type Permission = ApiKeyPermission | 'operator' | 'identity' | 'public';

type Schema = v.GenericSchema;

/** The names of a path's `:params`. */
export type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/** Who is asking, by the route's permission. */
export type Principal<TPermission extends Permission> = TPermission extends ApiKeyPermission
  ? { caller: Caller }
  : TPermission extends 'operator'
    ? { operator: OperatorContext }
    : TPermission extends 'identity'
      ? { identity: Identity }
      : Record<never, never>;

export type Input<T> = T extends Schema ? v.InferOutput<T> : undefined;

export interface Base {
  request: Request;
  env: Env;
  exec: ExecutionContext;
  requestId: string;
  maxBodyBytes: number;
}

/** What a route's call gets: its parsed parameters, query and body, and who is asking. */
export type CallContext<
  TPath extends string,
  TPermission extends Permission,
  TQuery extends Schema | undefined,
  TBody extends Schema | undefined,
> = Base &
  Principal<TPermission> & {
    params: Record<ParamNames<TPath>, string>;
    query: Input<TQuery>;
    body: Input<TBody>;
    /** The Idempotency-Key bound to the body's hash, on routes that take one. */
    idempotency: IdempotencyInput | null;
  };

/** Every `:param` of the path needs its rule; a path without any needs none. */
type ParamRules<TPath extends string> = [ParamNames<TPath>] extends [never]
  ? { params?: Record<string, ParamRule> }
  : { params: { [K in ParamNames<TPath>]: ParamRule } };

export type RouteSpec<
  TPath extends string,
  TPermission extends Permission,
  TQuery extends Schema | undefined,
  TBody extends Schema | undefined,
> = ParamRules<TPath> & SpecFields<TPath, TPermission, TQuery, TBody>;

interface SpecFields<
  TPath extends string,
  TPermission extends Permission,
  TQuery extends Schema | undefined,
  TBody extends Schema | undefined,
> {
  /** `resource/verb`, as Resend's OpenAPI file names operations (`emails/send`, `domains/verify`). */
  operationId: string;
  method: Method;
  path: TPath;
  /** One line for the reference page; `description` for anything more. */
  summary: string;
  description?: string;
  /** Kept for code written against an older Resend API; marked deprecated in the OpenAPI document. */
  deprecated?: boolean;
  /** Default `full_access`. */
  permission?: TPermission;
  /**
   * The roles a signed-in user needs; default: any role for GET, any but viewer otherwise (and
   * owner/admin for changes to users and API keys). API keys have no role.
   */
  roles?: readonly UserRole[];
  query?: TQuery;
  /** A JSON body; routes that take another media type say so in `accepts` and read it themselves. */
  body?: TBody;
  /** When the JSON body may be left out entirely (the SDK sends none), what it stands for. */
  bodyOptional?: boolean;
  /** Non-JSON request bodies the handler reads itself, for the OpenAPI document. */
  accepts?: Record<string, { schema: object; description?: string }>;
  /** Extra request headers this route reads (documented; `Idempotency-Key` is handled generically). */
  headers?: { name: string; description: string; schema: object }[];
  /** Takes an `Idempotency-Key` header, bound to the body's SHA-256. */
  idempotent?: boolean;
  response: Schema;
  /**
   * The call answers a short list whole (`{ object: 'list', data }`); the runner pages it with the
   * route's page query, so it pages like every other list. The noun names a cursor that is not there.
   */
  pagesWhole?: string;
  /** Left out of the request log (request-log.ts): the log's own reads, which would log the log. */
  unlogged?: boolean;
  /**
   * false: the request itself takes no rate-limit token. Only /mcp, whose tool calls are API requests
   * that take their own; its initialize and tools/list are free, as with Resend's MCP server, which
   * runs beside the agent and reaches the API only for a tool call.
   */
  rateLimited?: false;
  /** Success status, default 200. */
  status?: number;
  /** The RPC call; its result's value is the JSON body. */
  call?: (context: CallContext<TPath, TPermission, TQuery, TBody>) => Promise<RpcResult<unknown>>;
  /** For the few routes that answer with something other than an RPC's JSON (health, SNS intake). */
  handle?: (context: CallContext<TPath, TPermission, TQuery, TBody>) => Promise<Response>;
}

export type Route = SpecFields<string, Permission, Schema | undefined, Schema | undefined> & {
  params?: Record<string, ParamRule>;
};

/** Declares one route, typing its call from its path, permission and schemas. */
export function route<
  const TPath extends string,
  TPermission extends Permission = 'full_access',
  TQuery extends Schema | undefined = undefined,
  TBody extends Schema | undefined = undefined,
>(spec: RouteSpec<TPath, TPermission, TQuery, TBody>): Route {
  return spec as unknown as Route;
}

/** Reshapes a successful RPC value (a failure passes through): for answers Resend shapes differently. */
export async function mapValue<T, U>(
  result: Promise<RpcResult<T>>,
  map: (value: T) => U,
): Promise<RpcResult<U>> {
  const settled = await result;
  return settled.ok ? { ok: true, value: map(settled.value) } : settled;
}
