// Resend's Contacts API (global contacts): /api/contacts and /api/contacts/:id, where `:id` is a
// contact's id or email, plus a contact's segments (/segments, /segments/:segment_id) and topic
// subscriptions (/topics), forwarded to `admin`.
import {
  AppError,
  AudienceListQuery,
  CreateContactRequest,
  UpdateContactRequest,
  UpdateContactTopicsBody,
  unwrap,
} from '@mailgrid/contracts';
import { parseBody, readJson } from '../http/body';
import { decodedParam } from '../http/params';
import { json } from '../http/responses';
import type { RouteContext } from '../router';

export async function createContact({ request, env, caller, maxBodyBytes }: RouteContext): Promise<Response> {
  const input = parseBody(CreateContactRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.createContact(caller, input)), 201);
}

export async function listContacts({ request, env, caller }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.listContacts(caller, listQuery(request))));
}

export async function getContact({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.getContact(caller, contactRef(params.id))));
}

export async function updateContact({
  request,
  env,
  caller,
  params,
  maxBodyBytes,
}: RouteContext): Promise<Response> {
  const ref = contactRef(params.id);
  const input = parseBody(UpdateContactRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.updateContact(caller, ref, input)));
}

export async function deleteContact({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.deleteContact(caller, contactRef(params.id))));
}

export async function listContactSegments({ request, env, caller, params }: RouteContext): Promise<Response> {
  const ref = contactRef(params.id);
  return json(unwrap(await env.ADMIN.listContactSegments(caller, ref, listQuery(request))));
}

// The SDK posts no body here.
export async function addContactToSegment({ env, caller, params }: RouteContext): Promise<Response> {
  const ref = contactRef(params.id);
  return json(unwrap(await env.ADMIN.addContactToSegment(caller, ref, params.segment_id ?? '')));
}

export async function removeContactFromSegment({ env, caller, params }: RouteContext): Promise<Response> {
  const ref = contactRef(params.id);
  return json(unwrap(await env.ADMIN.removeContactFromSegment(caller, ref, params.segment_id ?? '')));
}

export async function listContactTopics({ request, env, caller, params }: RouteContext): Promise<Response> {
  const ref = contactRef(params.id);
  return json(unwrap(await env.ADMIN.listContactTopics(caller, ref, listQuery(request))));
}

export async function updateContactTopics({
  request,
  env,
  caller,
  params,
  maxBodyBytes,
}: RouteContext): Promise<Response> {
  const ref = contactRef(params.id);
  const body = await readJson(request, maxBodyBytes);
  // The SDK sends the list itself; `{ "topics": [...] }` is taken too.
  const { topics } = parseBody(UpdateContactTopicsBody, Array.isArray(body) ? { topics: body } : body);
  return json(unwrap(await env.ADMIN.updateContactTopics(caller, ref, topics)));
}

export function listQuery(request: Request): AudienceListQuery {
  return parseBody(AudienceListQuery, Object.fromEntries(new URL(request.url).searchParams));
}

/** A contact's id or email as it arrived in the path (an address may be percent-encoded). */
function contactRef(raw: string | undefined): string {
  const message = 'The contact id must be a contact id or an email address.';
  const ref = decodedParam(raw, message);
  if (ref.length > 320) throw new AppError('invalid_parameter', message);
  return ref;
}
