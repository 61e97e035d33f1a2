// Resend's Logs API, answered by the gateway from its own request log (request-log.ts: it is the one
// that saw the requests), and its Usage API, forwarded to admin's AccountService.
import {
  AppError,
  ListLogsQuery,
  LogList,
  LogObject,
  type RpcResult,
  UsageObject,
} from '@mailgrid/contracts';
import { createDb, getRequestLog, listRequestLogs } from '@mailgrid/db';
import { uuid } from '../params';
import { route } from '../route';

const ok = <T>(value: T): RpcResult<T> => ({ ok: true, value });

function parsed(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

export const logsUsageRoutes = [
  route({
    operationId: 'logs/list',
    method: 'GET',
    path: '/api/logs',
    summary: 'List API requests',
    description: 'Every request made with this account’s keys in the last 30 days, newest first.',
    query: ListLogsQuery,
    response: LogList,
    unlogged: true,
    call: async ({ env, caller, query }) => {
      const page = await listRequestLogs(createDb(env.DB), caller.tenant_id, query);
      return ok({
        object: 'list' as const,
        has_more: page.has_more,
        data: page.rows.map((row) => ({ object: 'log' as const, ...row })),
      });
    },
  }),
  route({
    operationId: 'logs/get',
    method: 'GET',
    path: '/api/logs/:id',
    summary: 'Retrieve an API request with its bodies',
    description: 'Request and response bodies are stored redacted: keys, secrets and passwords never appear.',
    params: { id: uuid('a log') },
    response: LogObject,
    unlogged: true,
    call: async ({ env, caller, params }) => {
      const row = await getRequestLog(createDb(env.DB), caller.tenant_id, params.id);
      if (!row) throw new AppError('not_found', `Log ${params.id} not found.`);
      const { tenant_id: _, request_body, response_body, ...rest } = row;
      return ok({
        object: 'log' as const,
        ...rest,
        request_body: parsed(request_body),
        response_body: parsed(response_body),
      });
    },
  }),
  route({
    operationId: 'usage/get',
    method: 'GET',
    path: '/api/usage',
    summary: "This period's sends against the account's quotas",
    response: UsageObject,
    call: ({ env, caller }) => env.ACCOUNT.getUsage(caller),
  }),
];
