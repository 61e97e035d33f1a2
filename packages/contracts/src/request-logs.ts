// Resend's Logs API (GET /logs, GET /logs/:id): every authenticated API request, kept 30 days,
// bodies redacted. Written and read by the gateway itself (no RPC): it is the one that saw them.
import * as v from 'valibot';
import { pageQuery, UuidId } from './paging';
import { ListOf } from './shapes';

/** How long a request stays in the log. */
export const REQUEST_LOG_RETENTION_DAYS = 30;

export const ListLogsQuery = pageQuery(UuidId('a log'));
export type ListLogsQuery = v.InferOutput<typeof ListLogsQuery>;

const LogFields = {
  id: v.string(),
  created_at: v.string(),
  endpoint: v.string(),
  method: v.string(),
  response_status: v.number(),
  user_agent: v.nullable(v.string()),
};

export const LogSummary = v.pipe(
  v.object({ object: v.literal('log'), ...LogFields }),
  v.title('LogSummary'),
  v.description('One API request as listed.'),
);
export type LogSummary = v.InferOutput<typeof LogSummary>;

export const LogObject = v.pipe(
  v.object({
    object: v.literal('log'),
    ...LogFields,
    /** Mailgrid extra: the API key that made the request (its id, never its token), or null. */
    api_key_id: v.nullable(v.string()),
    /** Mailgrid extra: the signed-in user who made it, or null. */
    user_id: v.nullable(v.string()),
    /** The JSON sent, secrets redacted, large values cut short; null when there was none. */
    request_body: v.unknown(),
    response_body: v.unknown(),
  }),
  v.title('Log'),
  v.description('One API request with its redacted request and response bodies.'),
);
export type LogObject = v.InferOutput<typeof LogObject>;

export const LogList = v.pipe(
  ListOf(LogSummary),
  v.title('LogList'),
  v.description('A page of API requests.'),
);
export type LogList = v.InferOutput<typeof LogList>;
