// Creating, editing, duplicating and deleting a broadcast. Every field may change while it is a draft
// or scheduled; once sending started only its name may, and it can no longer be deleted (it is the
// record of what went out). The status is the send worker's to move, so each write is conditional on
// the status it was checked against.
import {
  AppError,
  BROADCAST_LIMITS,
  BROADCAST_STATUSES,
  type BroadcastContent,
  type BroadcastResponse,
  type Caller,
  type DeletedBroadcast,
  EDITABLE_BROADCAST_STATUSES,
  type UpdateBroadcastRequest,
} from '@mailgrid/contracts';
import {
  type BroadcastFields,
  type BroadcastRow,
  createDb,
  deleteBroadcast as deleteBroadcastRow,
  insertBroadcast,
  updateBroadcastFields,
} from '@mailgrid/db';
import type { Env } from '../env';
import { audienceOf, checkContent, replyToJson } from './content';
import { existingBroadcast, isEditable } from './existing';

export async function createBroadcast(
  env: Env,
  caller: Caller,
  input: BroadcastContent,
): Promise<BroadcastResponse> {
  const segment = required(audienceOf(input), 'segment_id (or its deprecated name audience_id)');
  const subject = required(input.subject, 'subject');
  const fields: BroadcastFields = {
    // A broadcast is told apart in lists by its name; its subject says most when none is given.
    name: input.name ?? subject.slice(0, BROADCAST_LIMITS.name),
    segment_id: segment,
    topic_id: input.topic_id ?? null,
    from_address: required(input.from, 'from'),
    subject,
    reply_to: replyToJson(input.reply_to),
    preview_text: input.preview_text ?? null,
    html: input.html ?? null,
    text: input.text ?? null,
    stream: input.stream ?? 'broadcast',
    rate_per_second: input.rate_per_second ?? null,
  };
  const db = createDb(env.DB);
  await checkContent(db, caller, fields);
  const id = await insertBroadcast(db, env.DB, caller, fields, {
    action: 'broadcast.created',
    summary: { name: fields.name, segment_id: fields.segment_id },
  });
  return { object: 'broadcast', id };
}

export async function updateBroadcast(
  env: Env,
  caller: Caller,
  id: string,
  input: UpdateBroadcastRequest,
): Promise<BroadcastResponse> {
  const db = createDb(env.DB);
  const row = await existingBroadcast(db, caller, id);
  const changes = changedFields(row, input);
  const content = Object.keys(changes).filter((key) => key !== 'name');
  if (content.length > 0 && !isEditable(row.status)) throw notEditable(row, content);
  if (Object.keys(changes).length === 0) return { object: 'broadcast', id: row.id };

  if (content.length > 0) await checkContent(db, caller, { ...row, ...changes });
  const statuses = content.length > 0 ? EDITABLE_BROADCAST_STATUSES : BROADCAST_STATUSES;
  if (!(await updateBroadcastFields(db, env.DB, caller, row.id, changes, statuses))) {
    // Sending started (or the broadcast went) between the read and the write.
    throw notEditable(await existingBroadcast(db, caller, id), content);
  }
  return { object: 'broadcast', id: row.id };
}

export async function duplicateBroadcast(env: Env, caller: Caller, id: string): Promise<BroadcastResponse> {
  const db = createDb(env.DB);
  const row = await existingBroadcast(db, caller, id);
  const suffix = ' (copy)';
  const fields: BroadcastFields = {
    name: `${row.name.slice(0, BROADCAST_LIMITS.duplicate_name - suffix.length).trimEnd()}${suffix}`,
    segment_id: row.segment_id,
    topic_id: row.topic_id,
    from_address: row.from_address,
    subject: row.subject,
    reply_to: row.reply_to,
    preview_text: row.preview_text,
    html: row.html,
    text: row.text,
    stream: row.stream,
    rate_per_second: row.rate_per_second,
  };
  const copy = await insertBroadcast(db, env.DB, caller, fields, {
    action: 'broadcast.duplicated',
    summary: { name: fields.name, source_id: row.id },
  });
  return { object: 'broadcast', id: copy };
}

export async function deleteBroadcast(env: Env, caller: Caller, id: string): Promise<DeletedBroadcast> {
  const db = createDb(env.DB);
  const row = await existingBroadcast(db, caller, id);
  if (
    !isEditable(row.status) ||
    !(await deleteBroadcastRow(db, env.DB, caller, row, EDITABLE_BROADCAST_STATUSES))
  ) {
    // Sending started, perhaps between the read and the delete.
    const { status } = await existingBroadcast(db, caller, id);
    const stop =
      status === 'queued' || status === 'paused' ? ' (POST /api/broadcasts/:id/cancel stops it)' : '';
    throw new AppError(
      'invalid_parameter',
      `Broadcast ${row.id} is ${status}: only a draft or a scheduled broadcast can be deleted; one that started sending stays as the record of what went out${stop}.`,
    );
  }
  return { object: 'broadcast', id: row.id, deleted: true };
}

function required<T>(value: T | null | undefined, field: string): T {
  if (value == null) throw new AppError('missing_required_field', `Missing required field: ${field}.`);
  return value;
}

/** The input as column changes, leaving out what it does not give and what it gives unchanged. */
function changedFields(row: BroadcastRow, input: UpdateBroadcastRequest): Partial<BroadcastFields> {
  const given: Partial<BroadcastFields> = {};
  // null names no value for the required fields; for the optional ones it clears them.
  if (input.name != null) given.name = input.name;
  const segment = audienceOf(input);
  if (segment !== undefined) given.segment_id = segment;
  if (input.from != null) given.from_address = input.from;
  if (input.subject != null) given.subject = input.subject;
  if (input.reply_to !== undefined) given.reply_to = replyToJson(input.reply_to);
  if (input.preview_text !== undefined) given.preview_text = input.preview_text;
  if (input.topic_id !== undefined) given.topic_id = input.topic_id;
  if (input.html !== undefined) given.html = input.html;
  if (input.text !== undefined) given.text = input.text;
  if (input.stream != null) given.stream = input.stream;
  if (input.rate_per_second !== undefined) given.rate_per_second = input.rate_per_second;
  return Object.fromEntries(
    Object.entries(given).filter(([key, value]) => row[key as keyof BroadcastFields] !== value),
  );
}

function notEditable(row: BroadcastRow, fields: string[]): AppError {
  const names = fields.map((field) => (field === 'from_address' ? 'from' : field));
  return new AppError(
    'invalid_parameter',
    `Broadcast ${row.id} is ${row.status}: once sending has started only its name can change (got ${names.join(', ')}). Duplicate it to send changed content.`,
  );
}
