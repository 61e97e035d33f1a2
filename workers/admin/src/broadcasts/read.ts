// Reading broadcasts: one with its progress and stats, and the newest-first list.
import {
  type BroadcastList,
  type BroadcastObject,
  type BroadcastSummary,
  type Caller,
  type GetBroadcastQuery,
  type ListBroadcastsQuery,
  unknownCursor,
} from '@mailgrid/contracts';
import {
  type BroadcastRow,
  createDb,
  listBroadcasts as listBroadcastRows,
  recipientCounts,
  recipientsWithEvents,
} from '@mailgrid/db';
import type { Env } from '../env';
import { existingBroadcast } from './existing';
import { progressOf, STAT_EVENTS, statsOf } from './progress';

export async function getBroadcast(
  env: Env,
  caller: Caller,
  id: string,
  query: GetBroadcastQuery = {},
): Promise<BroadcastObject> {
  const db = createDb(env.DB);
  const row = await existingBroadcast(db, caller, id);
  const [counts, withEvents] = await Promise.all([
    recipientCounts(db, caller.tenant_id, row.id),
    recipientsWithEvents(db, caller.tenant_id, row.id, Object.values(STAT_EVENTS), {
      includeMachine: query.include_machine === 'true',
    }),
  ]);
  const replyTo = JSON.parse(row.reply_to) as string[];
  return {
    object: 'broadcast',
    ...toSummary(row),
    from: row.from_address,
    subject: row.subject,
    reply_to: replyTo.length > 0 ? replyTo : null,
    preview_text: row.preview_text,
    topic_id: row.topic_id,
    html: row.html,
    text: row.text,
    stream: row.stream,
    rate_per_second: row.rate_per_second,
    progress: progressOf(row, counts, new Date()),
    stats: statsOf(counts.sent, withEvents),
  };
}

export async function listBroadcasts(
  env: Env,
  caller: Caller,
  query: ListBroadcastsQuery,
): Promise<BroadcastList> {
  const page = await listBroadcastRows(createDb(env.DB), caller.tenant_id, query, query.status);
  if (!page) throw unknownCursor(query, 'broadcast');
  return { object: 'list', has_more: page.has_more, data: page.rows.map(toSummary) };
}

function toSummary(row: BroadcastRow): BroadcastSummary {
  return {
    id: row.id,
    name: row.name,
    audience_id: row.segment_id,
    segment_id: row.segment_id,
    status: row.status,
    created_at: row.created_at,
    scheduled_at: row.scheduled_at,
    sent_at: row.sent_at,
  };
}
