// Mailgrid extra: GET /api/stats?from=YYYY-MM-DD&to=YYYY-MM-DD&stream=…, forwarded to `events`
// (which checks the range: from ≤ to, at most 90 days).
import { StatsQuery, unwrap } from '@mailgrid/contracts';
import { parseBody } from '../http/body';
import { json } from '../http/responses';
import type { RouteContext } from '../router';

export async function getStats({ request, env, caller }: RouteContext): Promise<Response> {
  const query = parseBody(StatsQuery, Object.fromEntries(new URL(request.url).searchParams));
  return json(unwrap(await env.EVENTS.getStats(caller, query)));
}
