// GET /api/emails/:id/events: an email's delivery events, forwarded to `events`.
import { AppError, unwrap } from '@mailgrid/contracts';
import * as v from 'valibot';
import { json } from '../http/responses';
import type { RouteContext } from '../router';

export async function listEmailEvents({ env, caller, params }: RouteContext): Promise<Response> {
  const id = params.id;
  if (!id || !v.is(v.pipe(v.string(), v.uuid()), id)) {
    throw new AppError('invalid_parameter', 'The email id must be a UUID.');
  }
  return json(unwrap(await env.EVENTS.listEmailEvents(caller, id)));
}
