// Message streams. `transactional` and `broadcast` exist for every tenant without a stored row: reads
// answer their defaults until a change stores one (an upsert), so no tenant ever needs seeding.
// Every write runs with its audit entry in one D1 batch.
import { type Caller, DEFAULT_STREAM_IDS } from '@mailgrid/contracts';
import { runBatch } from '../batch';
import { type Db, nowIso } from '../client';
import { inJsonList } from '../json-list';
import type { StreamRow } from '../schema';
import { auditEntry } from './audit-log';

export function isDefaultStream(id: string): boolean {
  return (DEFAULT_STREAM_IDS as readonly string[]).includes(id);
}

/** A default stream as it is before the tenant changes it; dated from the tenant's creation. */
export function defaultStream(tenantId: string, id: string, createdAt: string): StreamRow {
  const broadcast = id === 'broadcast';
  return {
    tenant_id: tenantId,
    id,
    name: broadcast ? 'Broadcast' : 'Transactional',
    type: broadcast ? 'broadcast' : 'transactional',
    configuration_set: null,
    ip_pool: null,
    track_opens: null,
    track_clicks: null,
    list_unsubscribe: broadcast ? 1 : 0,
    created_at: createdAt,
    updated_at: createdAt,
  };
}

/** The stream, stored or default; undefined when the tenant has no such stream. One query. */
export async function getStream(db: Db, tenantId: string, id: string): Promise<StreamRow | undefined> {
  const row = await db
    .selectFrom('tenants as t')
    .leftJoin('streams as s', (join) => join.onRef('s.tenant_id', '=', 't.id').on('s.id', '=', id))
    .select([
      't.created_at as tenant_created_at',
      's.id',
      's.name',
      's.type',
      's.configuration_set',
      's.ip_pool',
      's.track_opens',
      's.track_clicks',
      's.list_unsubscribe',
      's.created_at',
      's.updated_at',
    ])
    .where('t.id', '=', tenantId)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.id === null) {
    return isDefaultStream(id) ? defaultStream(tenantId, id, row.tenant_created_at) : undefined;
  }
  const { tenant_created_at: _, ...stream } = row;
  return { tenant_id: tenantId, ...stream } as StreamRow;
}

/** Whether the tenant has this stream: no query for the defaults, which always exist. */
export async function streamExists(db: Db, tenantId: string, id: string): Promise<boolean> {
  if (isDefaultStream(id)) return true;
  const row = await db
    .selectFrom('streams')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The tenant's stored streams of these ids with their types, for an accept's read batch (not run
 * here). The two defaults exist without a row and their types are fixed by their ids.
 */
export function streamTypesQuery(db: Db, tenantId: string, ids: Iterable<string>) {
  return db
    .selectFrom('streams')
    .select(['id', 'type'])
    .where('tenant_id', '=', tenantId)
    .where(inJsonList('id', ids));
}

/** The defaults (stored or not) first, then the others oldest first. */
export async function listStreams(db: Db, tenantId: string): Promise<StreamRow[]> {
  const [stored, tenant] = await Promise.all([
    db
      .selectFrom('streams')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    db.selectFrom('tenants').select('created_at').where('id', '=', tenantId).executeTakeFirst(),
  ]);
  const defaults = DEFAULT_STREAM_IDS.map(
    (id) =>
      stored.find((row) => row.id === id) ?? defaultStream(tenantId, id, tenant?.created_at ?? nowIso()),
  );
  return [...defaults, ...stored.filter((row) => !isDefaultStream(row.id))];
}

export async function countStoredStreams(db: Db, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('streams')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('id', 'not in', [...DEFAULT_STREAM_IDS])
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function insertStream(db: Db, d1: D1Database, caller: Caller, stream: StreamRow): Promise<void> {
  await runBatch(d1, [
    db.insertInto('streams').values({ ...stream, tenant_id: caller.tenant_id }),
    auditEntry(db, caller, {
      action: 'stream.created',
      target_type: 'stream',
      target_id: stream.id,
      summary: summaryOf(stream),
    }),
  ]);
}

/** Stores the stream as given (an upsert: a default is stored by its first change). */
export async function saveStream(
  db: Db,
  d1: D1Database,
  caller: Caller,
  stream: StreamRow,
  changed: string[],
): Promise<void> {
  const { tenant_id: _, id: __, created_at: ___, ...mutable } = stream;
  await runBatch(d1, [
    db
      .insertInto('streams')
      .values({ ...stream, tenant_id: caller.tenant_id })
      .onConflict((conflict) => conflict.columns(['tenant_id', 'id']).doUpdateSet(mutable)),
    auditEntry(db, caller, {
      action: 'stream.updated',
      target_type: 'stream',
      target_id: stream.id,
      summary: { changed, ...summaryOf(stream) },
    }),
  ]);
}

export async function deleteStream(db: Db, d1: D1Database, caller: Caller, stream: StreamRow): Promise<void> {
  await runBatch(d1, [
    db.deleteFrom('streams').where('tenant_id', '=', caller.tenant_id).where('id', '=', stream.id),
    auditEntry(db, caller, {
      action: 'stream.deleted',
      target_type: 'stream',
      target_id: stream.id,
      summary: { name: stream.name, type: stream.type },
    }),
  ]);
}

/** True when an insert failed because the tenant already has a stream with that id. */
export function isStreamTaken(err: unknown): boolean {
  const message = err instanceof Error ? `${err.message} ${String(err.cause ?? '')}` : String(err);
  return /UNIQUE constraint failed: streams\.tenant_id, streams\.id/.test(message);
}

function summaryOf(stream: StreamRow) {
  return {
    name: stream.name,
    type: stream.type,
    configuration_set: stream.configuration_set,
    ip_pool: stream.ip_pool,
    track_opens: stream.track_opens,
    track_clicks: stream.track_clicks,
    list_unsubscribe: stream.list_unsubscribe,
  };
}
