// A tool call is an API request: its arguments become the route's path, query and body, and the
// request runs through the same runner as HTTP (run.ts) with the MCP request's own credential, so
// authentication, permission, role, rate limit, validation, idempotency, errors and the request log
// are the API's. A failure comes back as a tool error carrying the error envelope.
import { AppError } from '@mailgrid/contracts';
import { runRoute } from '../api/run';
import type { Env } from '../env';
import { errorResponse } from '../http/responses';
import { IDEMPOTENCY_ARGUMENT, type McpTool } from './tools';

export interface ToolResult {
  [key: string]: unknown;
  content: { type: 'text'; text: string }[];
  isError?: boolean;
}

/** What a call inherits from the MCP request that carried it. */
export interface CallBase {
  request: Request;
  env: Env;
  exec: ExecutionContext;
  requestId: string;
}

/** Headers of the MCP request an API request needs: the credential, and who is asking from where. */
const PASSED_HEADERS = ['authorization', 'cf-connecting-ip', 'x-forwarded-for', 'user-agent'];

export async function callTool(
  tool: McpTool,
  args: Record<string, unknown>,
  base: CallBase,
): Promise<ToolResult> {
  let response: Response;
  try {
    const { request, params } = requestFor(tool, args, base.request);
    response = await runRoute(tool.plan.route, request, params, base.env, base.exec, {
      requestId: base.requestId,
      headers: {},
    });
  } catch (err) {
    response = errorResponse(err, base.requestId);
  }
  const text = response.status === 204 ? '' : await response.text();
  return {
    content: [{ type: 'text', text: text || JSON.stringify({ ok: true, status: response.status }) }],
    ...(response.ok ? {} : { isError: true }),
  };
}

/** The API request a tool call stands for; a missing path argument or an unknown one is a 422. */
export function requestFor(
  tool: McpTool,
  args: Record<string, unknown>,
  incoming: Request,
): { request: Request; params: Record<string, string> } {
  const { route, pathParams, queryParams, bodyFields, bodyArgument, rawMediaType } = tool.plan;
  const params: Record<string, string> = {};
  for (const name of pathParams) {
    const value = args[name];
    if (value === undefined || value === null || value === '') {
      throw new AppError('missing_required_field', `${name} is required.`);
    }
    params[name] = String(value);
  }
  const path = route.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_match, name: string) =>
    encodeURIComponent(params[name] ?? ''),
  );
  const url = new URL(path, incoming.url);
  for (const name of queryParams) {
    const value = args[name];
    if (value === undefined || value === null) continue;
    url.searchParams.set(name, Array.isArray(value) ? value.join(',') : String(value));
  }

  const headers = new Headers();
  for (const name of PASSED_HEADERS) {
    const value = incoming.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  const key = args[IDEMPOTENCY_ARGUMENT];
  if (tool.plan.idempotent && key !== undefined) headers.set('idempotency-key', String(key));

  // Everything that is not a path, query or header argument is the body's (a strict body schema then
  // names an argument the route does not take).
  const consumed = new Set<string>([...pathParams, ...queryParams, IDEMPOTENCY_ARGUMENT]);
  const rest = Object.entries(args).filter(([name]) => !consumed.has(name) || bodyFields?.has(name));
  let body: string | undefined;
  if (bodyFields) {
    const fields = Object.fromEntries(rest.filter(([, value]) => value !== undefined));
    if (Object.keys(fields).length || !route.bodyOptional) {
      body = JSON.stringify(fields);
      headers.set('content-type', 'application/json');
    }
  } else if (bodyArgument) {
    const unknown = rest.filter(([name]) => name !== bodyArgument).map(([name]) => name);
    if (unknown.length) throw unknownArguments(tool, unknown);
    const value = args[bodyArgument];
    if (value !== undefined) {
      body = rawMediaType ? String(value) : JSON.stringify(value);
      headers.set('content-type', rawMediaType ?? 'application/json');
    }
  } else if (rest.length) {
    throw unknownArguments(
      tool,
      rest.map(([name]) => name),
    );
  }
  return { request: new Request(url, { method: route.method, headers, body }), params };
}

function unknownArguments(tool: McpTool, names: string[]): AppError {
  const known = Object.keys((tool.inputSchema.properties ?? {}) as object);
  return new AppError(
    'validation_error',
    `${tool.name} does not take ${names.join(', ')}; it takes ${known.length ? known.join(', ') : 'no arguments'}.`,
  );
}
