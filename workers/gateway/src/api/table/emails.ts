// Resend's Emails API (forwarded to `send`) and an email's delivery events (from `events`).
import {
  AttachmentList,
  AttachmentObject,
  BatchResponse,
  EmailEventList,
  EmailList,
  EmailMetricsQuery,
  EmailMetricsResponse,
  EmailObject,
  LINK_TOKEN_PATTERN,
  ListAttachmentsQuery,
  ListEmailsQuery,
  ObjectRef,
  RawEmailQuery,
  SendEmailRequest,
  ShareEmailRequest,
  ShareEmailResponse,
  UpdateEmailRequest,
  unwrap,
} from '@mailgrid/contracts';
import * as v from 'valibot';
import { BATCH_HEADERS, sendBatch } from '../../routes/emails-batch';
import { attachmentDownload, sharedEmailPage } from '../../routes/shared-email';
import { type ParamRule, uuid } from '../params';
import { route } from '../route';

const id = uuid('an email');

/** A signed link's token (send signs and checks it; this only keeps junk away from the RPC). */
const linkToken: ParamRule = {
  expects: 'a signed link token',
  schema: { type: 'string', pattern: LINK_TOKEN_PATTERN.source, maxLength: 1600 },
  parse: (value) => (LINK_TOKEN_PATTERN.test(value) ? value : null),
};

/** The public host the signed links point at: the one this request came to. */
const originOf = (request: Request) => new URL(request.url).origin;

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
    operationId: 'emails/metrics',
    method: 'GET',
    path: '/api/emails/metrics',
    summary: 'Counts and rates of emails, in total and by period, domain, email or broadcast',
    description:
      "Resend's Email Metrics API. Each email counts in the period it was accepted in, with its events however late they came; opens and clicks by machines are left out; rates are fractions (0–1). Lists are comma-separated. A range longer than 7 days (hourly) or 92 days (otherwise), or an answer of more than 5,000 rows, is a 422.",
    query: EmailMetricsQuery,
    response: EmailMetricsResponse,
    call: ({ env, caller, query }) => env.EVENTS.getEmailMetrics(caller, query),
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
    operationId: 'emails/list-attachments',
    method: 'GET',
    path: '/api/emails/:id/attachments',
    summary: "List an email's attachments, each with a signed download link",
    description:
      'Each `download_url` is served by Mailgrid, needs no API key and expires after an hour (`expires_at`).',
    params: { id },
    query: ListAttachmentsQuery,
    pagesWhole: 'attachment',
    response: AttachmentList,
    call: ({ env, caller, params, request }) =>
      env.SEND.listAttachments(caller, params.id, originOf(request)),
  }),
  route({
    operationId: 'emails/get-attachment',
    method: 'GET',
    path: '/api/emails/:id/attachments/:attachment_id',
    summary: 'Retrieve one attachment of an email, with a signed download link',
    params: { id, attachment_id: uuid('an attachment') },
    response: AttachmentObject,
    call: ({ env, caller, params, request }) =>
      env.SEND.getAttachment(caller, params.id, params.attachment_id, originOf(request)),
  }),
  route({
    operationId: 'emails/share',
    method: 'POST',
    path: '/api/emails/:id/share',
    summary: 'Make a signed, expiring link to a read-only view of the email',
    description:
      '`expires_in` is a duration such as "2 hours" or "7 days" (default 48 hours, at most 30 days). The page opens without an API key and shows the sender, recipients, subject, date and body, nothing else.',
    params: { id },
    body: ShareEmailRequest,
    bodyOptional: true,
    response: ShareEmailResponse,
    call: ({ env, caller, params, body, request }) =>
      env.SEND.shareEmail(caller, params.id, body ?? {}, originOf(request)),
  }),
  route({
    operationId: 'emails/open-shared',
    method: 'GET',
    path: '/api/public/emails/:token',
    summary: 'The read-only page a share link opens (no API key)',
    description:
      'An HTML page; the email body is shown in a sandboxed frame under a CSP that runs no script. A changed or expired token is a 403.',
    permission: 'public',
    params: { token: linkToken },
    response: v.pipe(v.string(), v.metadata({ contentMediaType: 'text/html' })),
    handle: ({ env, params }) => sharedEmailPage(env, params.token),
  }),
  route({
    operationId: 'emails/download-attachment',
    method: 'GET',
    path: '/api/public/attachments/:token',
    summary: "An attachment's bytes, by the signed link the attachment routes give (no API key)",
    description: 'A changed or expired token is a 403.',
    permission: 'public',
    params: { token: linkToken },
    response: v.pipe(v.string(), v.metadata({ contentMediaType: 'application/octet-stream' })),
    handle: ({ env, params }) => attachmentDownload(env, params.token),
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
