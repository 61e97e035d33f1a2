// Resend's Broadcasts API. The object (create, read, edit, delete, duplicate, recipients, clicked
// links) is admin's MessagingService; sending it (send, schedule, pause, resume, cancel, test) is the
// send worker's. A create with `send: true` is both: the draft, then the send, and the draft is
// removed again when send refuses, so a refused request leaves no broadcast behind.
import {
  BroadcastClickedLinkList,
  BroadcastList,
  BroadcastObject,
  BroadcastRecipientList,
  BroadcastResponse,
  BroadcastTestResponse,
  CreateBroadcastRequest,
  DeletedBroadcast,
  GetBroadcastQuery,
  ListBroadcastsQuery,
  ListClickedLinksQuery,
  ListRecipientsQuery,
  SendBroadcastRequest,
  TestBroadcastRequest,
  UpdateBroadcastRequest,
} from '@mailgrid/contracts';
import { uuid } from '../params';
import { route } from '../route';

const broadcast = { id: uuid('a broadcast') };

export const broadcastRoutes = [
  route({
    operationId: 'broadcasts/create',
    method: 'POST',
    path: '/api/broadcasts',
    summary: 'Create a broadcast (a draft, or sent at once with `send: true`)',
    body: CreateBroadcastRequest,
    response: BroadcastResponse,
    status: 201,
    call: async ({ env, caller, body }) => {
      const { send, scheduled_at: scheduledAt, ...content } = body;
      const created = await env.MESSAGING.createBroadcast(caller, content);
      if (!created.ok || send !== true) return created;
      const sent = await env.SEND.sendBroadcast(caller, created.value.id, scheduledAt ?? null);
      if (!sent.ok) await env.MESSAGING.deleteBroadcast(caller, created.value.id);
      return sent.ok ? created : sent;
    },
  }),
  route({
    operationId: 'broadcasts/list',
    method: 'GET',
    path: '/api/broadcasts',
    summary: 'List broadcasts, newest first',
    query: ListBroadcastsQuery,
    response: BroadcastList,
    call: ({ env, caller, query }) => env.MESSAGING.listBroadcasts(caller, query),
  }),
  route({
    operationId: 'broadcasts/get',
    method: 'GET',
    path: '/api/broadcasts/:id',
    summary: 'Retrieve a broadcast, with its progress and stats',
    params: broadcast,
    query: GetBroadcastQuery,
    response: BroadcastObject,
    call: ({ env, caller, params, query }) => env.MESSAGING.getBroadcast(caller, params.id, query),
  }),
  route({
    operationId: 'broadcasts/update',
    method: 'PATCH',
    path: '/api/broadcasts/:id',
    summary: 'Change a broadcast (only its name once sending started)',
    params: broadcast,
    body: UpdateBroadcastRequest,
    response: BroadcastResponse,
    call: ({ env, caller, params, body }) => env.MESSAGING.updateBroadcast(caller, params.id, body),
  }),
  route({
    operationId: 'broadcasts/delete',
    method: 'DELETE',
    path: '/api/broadcasts/:id',
    summary: 'Delete a draft or scheduled broadcast',
    params: broadcast,
    response: DeletedBroadcast,
    call: ({ env, caller, params }) => env.MESSAGING.deleteBroadcast(caller, params.id),
  }),
  route({
    operationId: 'broadcasts/duplicate',
    method: 'POST',
    path: '/api/broadcasts/:id/duplicate',
    summary: 'Copy a broadcast into a new draft',
    params: broadcast,
    response: BroadcastResponse,
    status: 201,
    call: ({ env, caller, params }) => env.MESSAGING.duplicateBroadcast(caller, params.id),
  }),
  route({
    operationId: 'broadcasts/send',
    method: 'POST',
    path: '/api/broadcasts/:id/send',
    summary: 'Send a broadcast now, or schedule it',
    params: broadcast,
    body: SendBroadcastRequest,
    bodyOptional: true,
    response: BroadcastResponse,
    call: ({ env, caller, params, body }) =>
      env.SEND.sendBroadcast(caller, params.id, body.scheduled_at ?? null),
  }),
  route({
    operationId: 'broadcasts/pause',
    method: 'POST',
    path: '/api/broadcasts/:id/pause',
    summary: 'Pause a broadcast that is sending',
    params: broadcast,
    response: BroadcastResponse,
    call: ({ env, caller, params }) => env.SEND.pauseBroadcast(caller, params.id),
  }),
  route({
    operationId: 'broadcasts/resume',
    method: 'POST',
    path: '/api/broadcasts/:id/resume',
    summary: 'Resume a paused broadcast',
    params: broadcast,
    response: BroadcastResponse,
    call: ({ env, caller, params }) => env.SEND.resumeBroadcast(caller, params.id),
  }),
  route({
    operationId: 'broadcasts/cancel',
    method: 'POST',
    path: '/api/broadcasts/:id/cancel',
    summary: 'Cancel a scheduled broadcast, or stop one that is sending',
    params: broadcast,
    response: BroadcastResponse,
    call: ({ env, caller, params }) => env.SEND.cancelBroadcast(caller, params.id),
  }),
  route({
    operationId: 'broadcasts/test',
    method: 'POST',
    path: '/api/broadcasts/:id/test',
    summary: 'Send the broadcast to up to 5 addresses as a test',
    params: broadcast,
    body: TestBroadcastRequest,
    response: BroadcastTestResponse,
    call: ({ env, caller, params, body }) =>
      env.SEND.testBroadcast(caller, params.id, typeof body.to === 'string' ? [body.to] : body.to),
  }),
  route({
    operationId: 'broadcasts/list-recipients',
    method: 'GET',
    path: '/api/broadcasts/:id/recipients',
    summary: "List a broadcast's recipients by status or event",
    params: broadcast,
    query: ListRecipientsQuery,
    response: BroadcastRecipientList,
    call: ({ env, caller, params, query }) => env.MESSAGING.listBroadcastRecipients(caller, params.id, query),
  }),
  route({
    operationId: 'broadcasts/list-clicked-links',
    method: 'GET',
    path: '/api/broadcasts/:id/clicked-links',
    summary: 'List the links clicked in a broadcast',
    params: broadcast,
    query: ListClickedLinksQuery,
    response: BroadcastClickedLinkList,
    call: ({ env, caller, params, query }) =>
      env.MESSAGING.listBroadcastClickedLinks(caller, params.id, query),
  }),
];
