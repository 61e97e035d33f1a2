// The MCP endpoint (src/mcp/): Streamable HTTP at /mcp, keyed like the API (any key; its permission
// decides which tools it sees). Its tool calls are logged as the API requests they make, not here.
import * as v from 'valibot';
import { type CallContext, route } from '../route';

const JsonRpcMessage = v.pipe(
  v.looseObject({ jsonrpc: v.literal('2.0') }),
  v.description('A JSON-RPC 2.0 message of the Model Context Protocol (or a batch of them).'),
);

const MCP_TEXT =
  "Model Context Protocol over Streamable HTTP, stateless (no session): `initialize`, `tools/list` and `tools/call`. The tools are the API's routes, named as Resend's MCP server's (`send-email`, `list-domains`, …); a sending-access key sees only the sending tools.";

/**
 * Loaded on the first MCP request: the SDK (about 80 KiB gzipped, minified) builds its protocol
 * schemas when its module is evaluated, which no other request should pay for at isolate start.
 */
async function serveMcp(context: CallContext<'/mcp', 'sending_access', undefined, undefined>) {
  const { serveMcp: serve } = await import('../../mcp/endpoint');
  return serve(context);
}

const accepts = {
  'application/json': {
    schema: { type: 'object', description: 'A JSON-RPC 2.0 request or notification.' },
  },
};

export const mcpRoutes = [
  route({
    operationId: 'mcp/post',
    method: 'POST',
    path: '/mcp',
    summary: 'Send an MCP message',
    description: MCP_TEXT,
    permission: 'sending_access',
    accepts,
    unlogged: true,
    rateLimited: false,
    response: JsonRpcMessage,
    handle: serveMcp,
  }),
  route({
    operationId: 'mcp/listen',
    method: 'GET',
    path: '/mcp',
    summary: 'Open an MCP event stream (not offered: 405)',
    description: 'A stateless server has no stream to open: always 405, as the transport allows.',
    permission: 'sending_access',
    unlogged: true,
    rateLimited: false,
    response: JsonRpcMessage,
    handle: serveMcp,
  }),
  route({
    operationId: 'mcp/end-session',
    method: 'DELETE',
    path: '/mcp',
    summary: 'End an MCP session (none are kept: 405)',
    description: 'A stateless server keeps no session to end: always 405, as the transport allows.',
    permission: 'sending_access',
    unlogged: true,
    rateLimited: false,
    response: JsonRpcMessage,
    handle: serveMcp,
  }),
];
