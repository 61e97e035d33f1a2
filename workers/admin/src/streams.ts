// Message streams (as Postmark's): create, list, read with the stream's reputation, update, delete.
// `transactional` and `broadcast` always exist (defaults until changed) and cannot be deleted.
import {
  AppError,
  type Caller,
  type CreateStreamRequest,
  type DeletedStream,
  MAX_STREAMS,
  type StreamList,
  type StreamObject,
  type StreamReputationFigures,
  type StreamWithReputation,
  type UpdateStreamRequest,
} from '@mailgrid/contracts';
import {
  countStoredStreams,
  createDb,
  deleteStream as deleteStreamRow,
  getReputationState,
  getStream as getStreamRow,
  insertStream,
  isDefaultStream,
  isStreamTaken,
  listStreams as listStreamRows,
  nowIso,
  type ReputationStateRow,
  type StreamRow,
  saveStream,
} from '@mailgrid/db';
import type { Env } from './env';

export async function createStream(
  env: Env,
  caller: Caller,
  input: CreateStreamRequest,
): Promise<StreamObject> {
  const db = createDb(env.DB);
  const taken = () =>
    new AppError(
      'conflict',
      `The stream id "${input.id}" is already used; choose another id or PATCH that stream.`,
    );
  if (isDefaultStream(input.id) || (await getStreamRow(db, caller.tenant_id, input.id))) throw taken();
  if ((await countStoredStreams(db, caller.tenant_id)) + 2 >= MAX_STREAMS) {
    throw new AppError(
      'invalid_parameter',
      `A tenant has at most ${MAX_STREAMS} streams, the two defaults included; delete one you no longer use.`,
    );
  }
  const now = nowIso();
  const row: StreamRow = {
    tenant_id: caller.tenant_id,
    id: input.id,
    name: input.name,
    type: input.type,
    configuration_set: input.configuration_set ?? null,
    ip_pool: input.ip_pool ?? null,
    track_opens: flag(input.track_opens),
    track_clicks: flag(input.track_clicks),
    list_unsubscribe: Number(input.list_unsubscribe ?? input.type === 'broadcast'),
    created_at: now,
    updated_at: now,
  };
  try {
    await insertStream(db, env.DB, caller, row);
  } catch (err) {
    // Two creates of one id at once: the loser is told as if it had come second.
    if (isStreamTaken(err)) throw taken();
    throw err;
  }
  return toObject(row);
}

export async function listStreams(env: Env, caller: Caller): Promise<StreamList> {
  const rows = await listStreamRows(createDb(env.DB), caller.tenant_id);
  return { object: 'list', has_more: false, data: rows.map(toObject) };
}

export async function getStream(env: Env, caller: Caller, id: string): Promise<StreamWithReputation> {
  const db = createDb(env.DB);
  const [stream, state] = await Promise.all([
    ownStream(env, caller, id),
    getReputationState(db, caller.tenant_id, id),
  ]);
  return { ...toObject(stream), reputation: reputationOf(state) };
}

export async function updateStream(
  env: Env,
  caller: Caller,
  id: string,
  input: UpdateStreamRequest,
): Promise<StreamObject> {
  const stream = await ownStream(env, caller, id);
  const changed = Object.keys(input).filter((key) => input[key as keyof UpdateStreamRequest] !== undefined);
  if (changed.length === 0) {
    throw new AppError(
      'validation_error',
      'Give at least one of name, configuration_set, ip_pool, track_opens, track_clicks, list_unsubscribe.',
    );
  }
  const updated: StreamRow = {
    ...stream,
    ...(input.name === undefined ? {} : { name: input.name }),
    ...(input.configuration_set === undefined ? {} : { configuration_set: input.configuration_set }),
    ...(input.ip_pool === undefined ? {} : { ip_pool: input.ip_pool }),
    ...(input.track_opens === undefined ? {} : { track_opens: flag(input.track_opens) }),
    ...(input.track_clicks === undefined ? {} : { track_clicks: flag(input.track_clicks) }),
    ...(input.list_unsubscribe === undefined ? {} : { list_unsubscribe: Number(input.list_unsubscribe) }),
    updated_at: nowIso(),
  };
  await saveStream(createDb(env.DB), env.DB, caller, updated, changed);
  return toObject(updated);
}

export async function deleteStream(env: Env, caller: Caller, id: string): Promise<DeletedStream> {
  const stream = await ownStream(env, caller, id);
  if (isDefaultStream(id)) {
    throw new AppError(
      'conflict',
      `The ${id} stream is one of the two default streams and cannot be deleted; PATCH it to change its settings.`,
    );
  }
  await deleteStreamRow(createDb(env.DB), env.DB, caller, stream);
  return { object: 'stream', id, deleted: true };
}

async function ownStream(env: Env, caller: Caller, id: string): Promise<StreamRow> {
  const stream = await getStreamRow(createDb(env.DB), caller.tenant_id, id);
  if (!stream) throw new AppError('not_found', `No stream ${id}.`);
  return stream;
}

function flag(value: boolean | null | undefined): number | null {
  return value === undefined || value === null ? null : Number(value);
}

function bool(value: number | null): boolean | null {
  return value === null ? null : value === 1;
}

function toObject(row: StreamRow): StreamObject {
  return {
    object: 'stream',
    id: row.id,
    name: row.name,
    type: row.type,
    configuration_set: row.configuration_set,
    ip_pool: row.ip_pool,
    track_opens: bool(row.track_opens),
    track_clicks: bool(row.track_clicks),
    list_unsubscribe: row.list_unsubscribe === 1,
    default: isDefaultStream(row.id),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The guardrail's last evaluation (the events worker writes it); all clear when it never ran. */
function reputationOf(state: ReputationStateRow | undefined): StreamReputationFigures {
  return {
    status: state?.status ?? 'ok',
    sent: state?.sent ?? 0,
    bounced: state?.bounced ?? 0,
    complained: state?.complained ?? 0,
    bounce_rate: state?.bounce_rate ?? 0,
    complaint_rate: state?.complaint_rate ?? 0,
    reason: state?.reason ?? null,
    warned_at: state?.warned_at ?? null,
    paused_at: state?.paused_at ?? null,
    resumed_at: state?.resumed_at ?? null,
    updated_at: state?.updated_at ?? null,
  };
}
