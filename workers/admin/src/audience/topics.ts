// Topics: create, read, list, update (name, description, visibility; never the default), delete.
import {
  AppError,
  type Caller,
  type CreateTopicRequest,
  type DeletedTopic,
  type TopicList,
  type TopicObject,
  type TopicResponse,
  type UpdateTopicRequest,
} from '@mailgrid/contracts';
import {
  createDb,
  type Db,
  deleteTopic as deleteTopicRow,
  findTopic,
  insertTopic,
  listTopics as listTopicRows,
  type TopicRow,
  updateTopic as updateTopicRow,
} from '@mailgrid/db';
import type { Env } from '../env';
import { emitTopicEvent } from './audience-events';

export async function createTopic(
  env: Env,
  caller: Caller,
  input: CreateTopicRequest,
): Promise<TopicResponse> {
  const id = await insertTopic(createDb(env.DB), env.DB, caller, {
    name: input.name,
    description: input.description || null,
    default_subscription: input.default_subscription,
    // Resend's default: a topic is shown on the preference page only to contacts opted in to it.
    visibility: input.visibility ?? 'private',
  });
  await emitTopicEvent(env, caller.tenant_id, 'topic.created', id);
  return { object: 'topic', id };
}

export async function getTopic(env: Env, caller: Caller, id: string): Promise<TopicObject> {
  return toTopicObject(await existingTopic(createDb(env.DB), caller, id));
}

export async function listTopics(env: Env, caller: Caller): Promise<TopicList> {
  const rows = await listTopicRows(createDb(env.DB), caller.tenant_id);
  return {
    object: 'list',
    has_more: false,
    data: rows.map((row) => {
      const { object: _object, ...topic } = toTopicObject(row);
      return topic;
    }),
  };
}

export async function updateTopic(
  env: Env,
  caller: Caller,
  id: string,
  input: UpdateTopicRequest,
): Promise<TopicResponse> {
  const db = createDb(env.DB);
  const row = await existingTopic(db, caller, id);
  const changes: Parameters<typeof updateTopicRow>[4] = {};
  if (input.name !== undefined && input.name !== row.name) changes.name = input.name;
  if (input.description !== undefined && (input.description || null) !== row.description) {
    changes.description = input.description || null;
  }
  if (input.visibility !== undefined && input.visibility !== row.visibility)
    changes.visibility = input.visibility;
  if (Object.keys(changes).length > 0) {
    await updateTopicRow(db, env.DB, caller, row.id, changes);
    await emitTopicEvent(env, caller.tenant_id, 'topic.updated', row.id);
  }
  return { object: 'topic', id: row.id };
}

export async function deleteTopic(env: Env, caller: Caller, id: string): Promise<DeletedTopic> {
  const db = createDb(env.DB);
  const row = await existingTopic(db, caller, id);
  await deleteTopicRow(db, env.DB, caller, row);
  await emitTopicEvent(env, caller.tenant_id, 'topic.deleted', row);
  return { object: 'topic', id: row.id, deleted: true };
}

export async function existingTopic(db: Db, caller: Caller, id: string): Promise<TopicRow> {
  const row = await findTopic(db, caller.tenant_id, id);
  if (!row) throw new AppError('not_found', `Topic ${id} not found.`);
  return row;
}

function toTopicObject(row: TopicRow): TopicObject {
  return {
    object: 'topic',
    id: row.id,
    name: row.name,
    description: row.description,
    default_subscription: row.default_subscription,
    visibility: row.visibility,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
