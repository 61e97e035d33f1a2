// POST|GET|DELETE /mcp: Mailgrid as an MCP server over Streamable HTTP (the official SDK's
// `@modelcontextprotocol/server`, its web-standard `createMcpHandler`). Stateless: every HTTP request
// gets a fresh server and nothing outlives it, which is what a Worker wants (no session to pin to an
// isolate); GET and DELETE, the session operations, are answered 405 by the SDK. The route's runner
// has already authenticated the key (taking no rate-limit token: each tool call takes its own, as the
// API request it is); the key's permission decides which tools are listed, and each call runs its
// route with that same key (call.ts).
import { AppError, type Caller } from '@mailgrid/contracts';
import { createMcpHandler, ProtocolError, ProtocolErrorCode, Server } from '@modelcontextprotocol/server';
import { API_VERSION, openApiDocument } from '../api/openapi';
import type { CallContext } from '../api/route';
import { routes } from '../api/table';
import { requirePermission, requireRole } from '../auth';
import { callTool } from './call';
import { buildTools, type McpTool } from './tools';

const INSTRUCTIONS =
  "Mailgrid sends email through Amazon SES and speaks Resend's API; these tools are named as Resend's MCP server's. Send one-off emails with send-email; email a whole segment with create-broadcast and send-broadcast. Every tool answers JSON; an error is a tool error with Mailgrid's error envelope (statusCode, name, message, request_id).";

let cached: McpTool[] | undefined;

/** Every tool, built on first use and kept for the isolate's life (the table does not change). */
export function mcpTools(): McpTool[] {
  cached ??= buildTools(routes, openApiDocument());
  return cached;
}

/** Routes that answer only a signed-in user: an API key is not listed them (it would get a 404). */
const USER_ONLY = new Set(['users/me']);

/** Whether the caller may call the tool: a sending key only sending tools, a viewer only reads. */
export function mayCall(caller: Caller, tool: McpTool): boolean {
  if (!caller.user_id && USER_ONLY.has(tool.plan.route.operationId)) return false;
  try {
    requirePermission(caller, tool.permission === 'sending_access' ? 'sending_access' : 'full_access');
    requireRole(caller, tool.plan.route.method, tool.plan.route.roles);
    return true;
  } catch (err) {
    if (err instanceof AppError) return false;
    throw err;
  }
}

export async function serveMcp(
  context: CallContext<'/mcp', 'sending_access', undefined, undefined>,
): Promise<Response> {
  const { caller, request, env, exec, requestId, maxBodyBytes } = context;
  const tools = mcpTools();
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const visible = tools.filter((tool) => mayCall(caller, tool));
  const handler = createMcpHandler(
    () => {
      const server = new Server(
        { name: 'mailgrid', version: API_VERSION },
        { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
      );
      server.setRequestHandler('tools/list', () => ({
        tools: visible.map(({ name, title, description, inputSchema, annotations }) => ({
          name,
          title,
          description,
          inputSchema,
          annotations,
        })),
      }));
      server.setRequestHandler('tools/call', async (call) => {
        const tool = byName.get(call.params.name);
        if (!tool) {
          throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${call.params.name}.`);
        }
        // A tool the key may not use is still run, so the refusal is the API's own 403 envelope.
        return callTool(tool, (call.params.arguments ?? {}) as Record<string, unknown>, {
          request,
          env,
          exec,
          requestId,
        });
      });
      return server;
    },
    { maxRequestBodySize: maxBodyBytes },
  );
  return handler.fetch(request);
}
