// Resend's Emails API (forwarded to `send`) and an email's delivery events (from `events`).
import {
  BatchResponse,
  EmailEventList,
  EmailList,
  EmailObject,
  ListEmailsQuery,
  ObjectRef,
  SendEmailRequest,
  UpdateEmailRequest,
} from '@mailgrid/contracts';
import * as v from 'valibot';
import { BATCH_HEADERS, sendBatch } from '../../routes/emails-batch';
import { uuid } from '../params';
import { route } from '../route';

const id = uuid('an email');

export const emailRoutes = [
  route({
    operationId: 'emails/send',
    method: 'POST',
    path: '/api/emails',
    summary: 'Send an email',
    description: 'Accepted at once and delivered from the queue; `scheduled_at` delays it.',
    permission: 'sending_access',
    idempotent: true,
    body: SendEmailRequest,
    response: v.object({ id: v.string() }),
    call: ({ env, caller, body, idempotency }) => env.SEND.accept(caller, body, idempotency),
  }),
  route({
    operationId: 'emails/send-batch',
    method: 'POST',
    path: '/api/emails/batch',
    summary: 'Send up to 100 emails at once',
    permission: 'sending_access',
    idempotent: true,
    headers: BATCH_HEADERS,
    accepts: { 'application/json': { schema: v.array(SendEmailRequest) } },
    response: BatchResponse,
    handle: sendBatch,
  }),
  route({
    operationId: 'emails/list',
    method: 'GET',
    path: '/api/emails',
    summary: 'List sent emails, newest first',
    query: ListEmailsQuery,
    response: EmailList,
    call: ({ env, caller, query }) => env.SEND.listEmails(caller, query),
  }),
  route({
    operationId: 'emails/get',
    method: 'GET',
    path: '/api/emails/:id',
    summary: 'Retrieve an email',
    params: { id },
    response: EmailObject,
    call: ({ env, caller, params }) => env.SEND.getEmail(caller, params.id),
  }),
  route({
    operationId: 'emails/update',
    method: 'PATCH',
    path: '/api/emails/:id',
    summary: 'Reschedule a scheduled email',
    params: { id },
    body: UpdateEmailRequest,
    response: ObjectRef('email'),
    call: ({ env, caller, params, body }) => env.SEND.reschedule(caller, params.id, body.scheduled_at),
  }),
  route({
    operationId: 'emails/cancel',
    method: 'POST',
    path: '/api/emails/:id/cancel',
    summary: 'Cancel a scheduled email',
    params: { id },
    response: ObjectRef('email'),
    call: ({ env, caller, params }) => env.SEND.cancel(caller, params.id),
  }),
  route({
    operationId: 'emails/list-events',
    method: 'GET',
    path: '/api/emails/:id/events',
    summary: "List an email's delivery events, oldest first",
    params: { id },
    response: EmailEventList,
    call: ({ env, caller, params }) => env.EVENTS.listEmailEvents(caller, params.id),
  }),
];
