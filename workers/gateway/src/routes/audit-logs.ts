// GET /api/audit-logs (Mailgrid's own): who changed what, filtered, with Resend's cursors.
import { ListAuditLogsQuery, unwrap } from '@mailgrid/contracts';
import { parseBody } from '../http/body';
import { json } from '../http/responses';
import type { RouteContext } from '../router';

export async function listAuditLogs({ request, env, caller }: RouteContext) {
  const query = parseBody(ListAuditLogsQuery, Object.fromEntries(new URL(request.url).searchParams));
  return json(unwrap(await env.ADMIN.listAuditLogs(caller, query)));
}
