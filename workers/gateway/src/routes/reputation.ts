// Mailgrid extras: GET /api/reputation (each stream's window rates and guardrail state) and
// POST /api/reputation/resume (un-pause a stream, or all), forwarded to `events`.
import { ResumeSendingRequest, unwrap } from '@mailgrid/contracts';
import { parseBody, readJson } from '../http/body';
import { json } from '../http/responses';
import type { RouteContext } from '../router';

export async function getReputation({ env, caller }: RouteContext): Promise<Response> {
  return json(unwrap(await env.EVENTS.getReputation(caller)));
}

export async function resumeSending({ request, env, caller, maxBodyBytes }: RouteContext): Promise<Response> {
  // The body is optional: no body (or `{}`) resumes every paused stream.
  const hasBody = request.headers.get('content-length') !== '0' && request.headers.has('content-type');
  const input = hasBody ? parseBody(ResumeSendingRequest, await readJson(request, maxBodyBytes)) : {};
  return json(unwrap(await env.EVENTS.resumeSending(caller, input.stream)));
}
