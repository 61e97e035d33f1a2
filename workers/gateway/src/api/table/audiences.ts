// Resend's audience routes, kept for code written before Resend renamed audiences to segments (its
// SDK still sends `/audiences/:id/contacts/...` when a contact call is given an `audienceId`).
// Contacts are global now, as in Resend: an audience is a segment, creating a contact in one adds it
// to that segment, and the other contact routes act on the contact once the audience is found.
import {
  AudienceListQuery,
  AudienceObject,
  ContactList,
  ContactObject,
  ContactResponse,
  CreateAudienceResponse,
  CreateContactRequest,
  CreateSegmentRequest,
  DeletedAudience,
  DeletedContact,
  ObjectRef,
  type RpcResult,
  SegmentList,
  UpdateContactRequest,
  UpdateSegmentRequest,
} from '@mailgrid/contracts';
import * as v from 'valibot';
import type { Env } from '../../env';
import { contactRef, uuid } from '../params';
import { mapValue, route } from '../route';

const audience = { id: uuid('an audience') };
const audienceContact = { id: uuid('an audience'), contact_id: contactRef };

/** The old API's contact body: segments and topics did not exist yet, the audience is the path's. */
const CreateAudienceContactRequest = v.omit(CreateContactRequest, ['segments', 'topics']);

const asAudience = <T extends { object: string }>(value: T) => ({ ...value, object: 'audience' as const });

/** Runs `call` once the audience (a segment of the caller's) is found; else its 404. */
async function inAudience<T>(
  env: Env,
  caller: Parameters<Env['AUDIENCE']['getSegment']>[0],
  id: string,
  call: () => Promise<RpcResult<T>>,
): Promise<RpcResult<T>> {
  const found = await env.AUDIENCE.getSegment(caller, id);
  return found.ok ? call() : found;
}

const DEPRECATED = 'Deprecated by Resend in favour of segments; kept for code written before.';

export const audiencesRoutes = [
  route({
    operationId: 'audiences/create',
    method: 'POST',
    path: '/api/audiences',
    summary: 'Create an audience (a segment)',
    description: DEPRECATED,
    deprecated: true,
    body: CreateSegmentRequest,
    response: CreateAudienceResponse,
    status: 201,
    call: ({ env, caller, body }) => mapValue(env.AUDIENCE.createSegment(caller, body), asAudience),
  }),
  route({
    operationId: 'audiences/list',
    method: 'GET',
    path: '/api/audiences',
    summary: 'List audiences (segments)',
    description: DEPRECATED,
    deprecated: true,
    query: AudienceListQuery,
    response: SegmentList,
    call: ({ env, caller, query }) => env.AUDIENCE.listSegments(caller, query),
  }),
  route({
    operationId: 'audiences/get',
    method: 'GET',
    path: '/api/audiences/:id',
    summary: 'Retrieve an audience (a segment)',
    description: DEPRECATED,
    deprecated: true,
    params: audience,
    response: AudienceObject,
    call: ({ env, caller, params }) => mapValue(env.AUDIENCE.getSegment(caller, params.id), asAudience),
  }),
  route({
    operationId: 'audiences/update',
    method: 'PATCH',
    path: '/api/audiences/:id',
    summary: 'Rename an audience (a segment)',
    description: DEPRECATED,
    deprecated: true,
    params: audience,
    body: UpdateSegmentRequest,
    response: ObjectRef('audience'),
    call: ({ env, caller, params, body }) =>
      mapValue(env.AUDIENCE.updateSegment(caller, params.id, body), asAudience),
  }),
  route({
    operationId: 'audiences/delete',
    method: 'DELETE',
    path: '/api/audiences/:id',
    summary: 'Delete an audience (a segment; its contacts stay)',
    description: DEPRECATED,
    deprecated: true,
    params: audience,
    response: DeletedAudience,
    call: ({ env, caller, params }) => mapValue(env.AUDIENCE.deleteSegment(caller, params.id), asAudience),
  }),
  route({
    operationId: 'audiences/create-contact',
    method: 'POST',
    path: '/api/audiences/:id/contacts',
    summary: 'Create a contact in an audience',
    description: `The contact is created (or found by its address) and added to the audience's segment. ${DEPRECATED}`,
    deprecated: true,
    params: audience,
    body: CreateAudienceContactRequest,
    response: ContactResponse,
    status: 201,
    call: ({ env, caller, params, body }) =>
      inAudience(env, caller, params.id, () =>
        env.AUDIENCE.createContact(caller, { ...body, segments: [{ id: params.id }] }),
      ),
  }),
  route({
    operationId: 'audiences/list-contacts',
    method: 'GET',
    path: '/api/audiences/:id/contacts',
    summary: "List an audience's contacts",
    description: DEPRECATED,
    deprecated: true,
    params: audience,
    query: AudienceListQuery,
    response: ContactList,
    call: ({ env, caller, params, query }) => env.AUDIENCE.listSegmentContacts(caller, params.id, query),
  }),
  route({
    operationId: 'audiences/get-contact',
    method: 'GET',
    path: '/api/audiences/:id/contacts/:contact_id',
    summary: 'Retrieve a contact by id or email address',
    description: DEPRECATED,
    deprecated: true,
    params: audienceContact,
    response: ContactObject,
    call: ({ env, caller, params }) =>
      inAudience(env, caller, params.id, () => env.AUDIENCE.getContact(caller, params.contact_id)),
  }),
  route({
    operationId: 'audiences/update-contact',
    method: 'PATCH',
    path: '/api/audiences/:id/contacts/:contact_id',
    summary: 'Update a contact',
    description: DEPRECATED,
    deprecated: true,
    params: audienceContact,
    body: UpdateContactRequest,
    response: ContactResponse,
    call: ({ env, caller, params, body }) =>
      inAudience(env, caller, params.id, () => env.AUDIENCE.updateContact(caller, params.contact_id, body)),
  }),
  route({
    operationId: 'audiences/delete-contact',
    method: 'DELETE',
    path: '/api/audiences/:id/contacts/:contact_id',
    summary: 'Delete a contact',
    description: `Deletes the contact itself, as Resend does now that contacts are global. ${DEPRECATED}`,
    deprecated: true,
    params: audienceContact,
    response: DeletedContact,
    call: ({ env, caller, params }) =>
      inAudience(env, caller, params.id, () => env.AUDIENCE.deleteContact(caller, params.contact_id)),
  }),
];
