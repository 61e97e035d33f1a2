// Resend's Emails API (forwarded to `send`) and an email's delivery events (from `events`).
import {
  BatchResponse,
  EmailEventList,
  EmailList,
  EmailObject,
  ListEmailsQuery,
  ObjectRef,
  RawEmailQuery,
  SendEmailRequest,
  UpdateEmailRequest,
  unwrap,
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
    operationId: 'emails/get-raw',
    method: 'GET',
    path: '/api/emails/:id/raw',
    summary: 'Download the message as sent (EML)',
    description:
      "The exact bytes given to SES, headers and all, as `message/rfc822`. An email sent as one copy per reader (open or click tracking, List-Unsubscribe, several recipients) has a copy each: the first by default, or `recipient`'s; `x-mailgrid-copies` says how many. 404 until the email has been sent.",
    params: { id },
    query: RawEmailQuery,
    response: v.pipe(
      v.string(),
      v.metadata({ contentMediaType: 'message/rfc822' }),
      v.description('The message as SES was given it.'),
    ),
    handle: async ({ env, caller, params, query }) => {
      const raw = unwrap(await env.SEND.getRawEmail(caller, params.id, query.recipient));
      return new Response(raw.eml, {
        headers: {
          'content-type': 'message/rfc822',
          'content-disposition': `attachment; filename="${params.id}.eml"`,
          'x-mailgrid-copies': String(raw.copies),
        },
      });
    },
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
