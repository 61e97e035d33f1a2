// Reading and changing accepted emails: GET /emails/:id, GET /emails, PATCH (reschedule), cancel.
import {
  AppError,
  type Caller,
  type EmailList,
  type EmailObject,
  type EmailSummary,
  type ListEmailsQuery,
  unknownCursor,
} from '@mailgrid/contracts';
import {
  cancelEmail,
  createDb,
  type EmailFilters,
  type EmailListRow,
  getEmail,
  listEmails,
  rescheduleEmail,
} from '@mailgrid/db';
import { readBody } from './body-store';
import { personalise } from './broadcasts/content';
import type { Env } from './env';
import { messageIdOf } from './message-id';
import { queueDelaySeconds } from './queue-delay';
import { parseScheduledAt } from './schedule';

export async function readEmail(env: Env, caller: Caller, id: string): Promise<EmailObject> {
  const row = await getEmail(createDb(env.DB), caller.tenant_id, id);
  if (!row) throw notFound(id);
  const body = await readBody(env, row);
  return { ...summary(env, row), html: body?.html ?? null, text: body?.text ?? null };
}

export async function readEmails(env: Env, caller: Caller, query: ListEmailsQuery): Promise<EmailList> {
  const page = await listEmails(createDb(env.DB), caller.tenant_id, query, emailFilters(query));
  if (!page) throw unknownCursor(query, 'email');
  return { object: 'list', has_more: page.has_more, data: page.rows.map((row) => summary(env, row)) };
}

const DAY_MS = 86_400_000;

/** The log's filters as the repository takes them: a day `until` means up to the end of that day. */
export function emailFilters(query: ListEmailsQuery): EmailFilters {
  const [tagName = '', ...tagValue] = query.tag?.split(':') ?? [];
  const isDay = (text: string) => text.length === 10;
  return {
    ...(query.last_event ? { last_event: query.last_event } : {}),
    ...(query.stream ? { stream: query.stream } : {}),
    ...(query.domain ? { domain: query.domain } : {}),
    ...(query.tag
      ? { tag: tagValue.length ? { name: tagName, value: tagValue.join(':') } : { name: tagName } }
      : {}),
    ...(query.since ? { created_from: new Date(query.since).toISOString() } : {}),
    ...(query.until
      ? {
          created_before: new Date(Date.parse(query.until) + (isDay(query.until) ? DAY_MS : 1)).toISOString(),
        }
      : {}),
    ...(query.q ? { search: query.q } : {}),
  };
}

export async function reschedule(env: Env, caller: Caller, id: string, scheduledAt: string) {
  const at = parseScheduledAt(scheduledAt);
  const db = createDb(env.DB);
  if (!(await rescheduleEmail(db, caller.tenant_id, id, at.toISOString())))
    throw await notScheduled(env, caller, id);
  // The message already queued will find the new time and hop; this one arrives on time if earlier.
  await env.SEND_QUEUE.send(
    { kind: 'send', tenant_id: caller.tenant_id, email_id: id },
    { delaySeconds: queueDelaySeconds(at) },
  );
  return { object: 'email' as const, id };
}

export async function cancel(env: Env, caller: Caller, id: string) {
  if (!(await cancelEmail(createDb(env.DB), caller.tenant_id, id))) throw await notScheduled(env, caller, id);
  return { object: 'email' as const, id };
}

async function notScheduled(env: Env, caller: Caller, id: string): Promise<AppError> {
  const row = await getEmail(createDb(env.DB), caller.tenant_id, id);
  if (!row) return notFound(id);
  return new AppError(
    'invalid_parameter',
    `Email ${id} is ${row.status}; only scheduled emails can be rescheduled or canceled.`,
  );
}

function notFound(id: string): AppError {
  return new AppError('not_found', `Email ${id} not found.`);
}

function summary(env: Env, row: EmailListRow): EmailSummary {
  return {
    object: 'email',
    id: row.id,
    from: row.from_address,
    to: JSON.parse(row.to_addresses),
    cc: JSON.parse(row.cc_addresses),
    bcc: JSON.parse(row.bcc_addresses),
    reply_to: JSON.parse(row.reply_to),
    subject: personalSubject(row),
    created_at: row.created_at,
    scheduled_at: row.scheduled_at,
    last_event: row.last_event,
    tags: JSON.parse(row.tags),
    stream: row.stream,
    suppressed: JSON.parse(row.suppressed),
    error: row.error,
    broadcast_id: row.broadcast_id,
    message_id: messageIdOf(env, row),
  };
}

/** A broadcast recipient's subject as it was sent: merge tags filled from the frozen contact values. */
function personalSubject(row: EmailListRow): string {
  if (row.merge_data === null) return row.subject;
  return personalise({ html: null, text: null, headers: {}, attachments: [] }, row, '').subject;
}
