// CSV imports of contacts: the import rows, and the one D1 batch that applies a chunk of a file.
// A chunk's batch is all or nothing and starts by recording the chunk's number: a chunk delivered
// again fails that insert, so the whole batch rolls back and nothing is counted or written twice.
// The counts are computed in SQL inside the same batch, against the contacts as they are just
// before the upsert, so created / updated / unchanged are exact.
import type { Caller } from '@mailgrid/contracts';
import type { Compilable } from 'kysely';
import { type Db, nowIso } from '../client';
import { listNewestFirst, type Page, type PageRequest } from '../pagination';
import type { ContactImportErrorRow, ContactImportRow } from '../schema';
import { auditEntry } from './audit-log';

export interface NewContactImport {
  id: string;
  file_key: string;
  file_bytes: number;
  segment_id: string | null;
  columns: string[];
  unknown_columns: string[];
  total_rows: number;
  chunk_count: number;
  /** The multipart form's options as JSON; null for a raw CSV upload. */
  options: string | null;
}

/** Stores the queued import with its `contact_import.created` audit entry. */
export async function insertContactImport(
  db: Db,
  d1: D1Database,
  caller: Caller,
  row: NewContactImport,
): Promise<void> {
  const now = nowIso();
  await d1.batch([
    prepared(
      d1,
      db.insertInto('contact_imports').values({
        id: row.id,
        tenant_id: caller.tenant_id,
        file_key: row.file_key,
        file_bytes: row.file_bytes,
        segment_id: row.segment_id,
        columns: JSON.stringify(row.columns),
        unknown_columns: JSON.stringify(row.unknown_columns),
        total_rows: row.total_rows,
        chunk_count: row.chunk_count,
        options: row.options,
        completed_by_chunk: null,
        error: null,
        created_at: now,
        started_at: null,
        completed_at: null,
        progressed_at: now,
      }),
    ),
    prepared(
      d1,
      auditEntry(db, caller, {
        action: 'contact_import.created',
        target_type: 'contact_import',
        target_id: row.id,
        summary: {
          rows: row.total_rows,
          bytes: row.file_bytes,
          segment_id: row.segment_id,
          unknown_columns: row.unknown_columns,
        },
      }),
    ),
  ]);
}

export async function getContactImport(
  db: Db,
  tenantId: string,
  id: string,
): Promise<ContactImportRow | undefined> {
  return db
    .selectFrom('contact_imports')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The tenant's imports, newest first; null when the cursor is not one of them. */
export async function listContactImports(
  db: Db,
  tenantId: string,
  page: PageRequest,
): Promise<Page<ContactImportRow> | null> {
  return listNewestFirst(db, tenantId, 'contact_imports', page);
}

/** The import's failed rows by row number, after `afterRow`; `limit + 1` rows to tell has_more. */
export async function listContactImportErrors(
  db: Db,
  tenantId: string,
  importId: string,
  afterRow: number,
  limit: number,
): Promise<ContactImportErrorRow[]> {
  return db
    .selectFrom('contact_import_errors')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('import_id', '=', importId)
    .where('row', '>', afterRow)
    .orderBy('row')
    .limit(limit + 1)
    .execute();
}

/** The tenant's declared contact properties: what a column other than the contact fields may name. */
export async function importableProperties(db: Db, tenantId: string) {
  return db
    .selectFrom('contact_properties')
    .select(['key', 'type'])
    .where('tenant_id', '=', tenantId)
    .execute();
}

export async function tenantHasSegment(db: Db, tenantId: string, segmentId: string): Promise<boolean> {
  const row = await db
    .selectFrom('segments')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', segmentId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Whether this chunk of the tenant's import was applied (contact_import_chunks has no tenant_id: via its import). */
export async function importChunkDone(
  db: Db,
  tenantId: string,
  importId: string,
  chunk: number,
): Promise<boolean> {
  const row = await db
    .selectFrom('contact_import_chunks as c')
    .innerJoin('contact_imports as i', 'i.id', 'c.import_id')
    .select('c.chunk')
    .where('i.tenant_id', '=', tenantId)
    .where('c.import_id', '=', importId)
    .where('c.chunk', '=', chunk)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The imports sweeper's claim on the tenant's stalled import, before it re-queues the chunks not yet
 * recorded: moves progressed_at to `at` if the import is still in progress and its progressed_at is
 * still `seen` (as the sweeper read it). False when a chunk completed since (the import is moving
 * after all) or another sweep claimed it first, so of two racing sweeps only one re-queues; and the
 * next sweeps leave it a full interval before re-queuing again.
 */
export async function claimStalledImport(
  db: Db,
  tenantId: string,
  importId: string,
  seen: string | null,
  at: string,
): Promise<boolean> {
  const result = await db
    .updateTable('contact_imports')
    .set({ progressed_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', importId)
    .where('status', 'in', ['queued', 'processing'])
    .where('progressed_at', 'is', seen)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** A valid row, ready to upsert. Null fields were empty in the file: they leave the contact's value. */
export interface ImportContact {
  /** Used only when the contact is new. */
  id: string;
  /** Trimmed and lower-cased. */
  email: string;
  first_name: string | null;
  last_name: string | null;
  /** 1 sets it; 0 and null leave it: an import never re-subscribes someone who opted out. */
  unsubscribed: 0 | 1 | null;
  /** Declared properties given in the row, merged into the contact's. */
  properties: Record<string, string | number>;
}

export interface ImportRowError {
  row: number;
  email: string | null;
  reason: string;
  message: string;
}

export interface ImportChunk {
  import_id: string;
  chunk: number;
  rows: number;
  /** Segments every contact of the chunk joins. */
  segment_ids: string[];
  /** Topic choices set on every contact of the chunk. */
  topics: { id: string; subscription: 'opt_in' | 'opt_out' }[];
  /** on_conflict `skip`: contacts that exist are left as they are (counted unchanged), segments and topics included. */
  skip_existing: boolean;
  contacts: ImportContact[];
  errors: ImportRowError[];
}

/**
 * Applies a chunk of the tenant's import. `applied`, or `already_done` when this chunk was recorded
 * before (a redelivery): nothing changed.
 */
export async function applyImportChunk(
  db: Db,
  d1: D1Database,
  tenantId: string,
  chunk: ImportChunk,
): Promise<'applied' | 'already_done'> {
  const now = nowIso();
  const contacts = JSON.stringify(chunk.contacts);
  const statements: D1PreparedStatement[] = [
    // First, so a second delivery of the chunk fails here and its batch rolls back whole. Recorded
    // only for an import of the tenant's (the chunks table has no tenant_id of its own).
    prepared(
      d1,
      db
        .insertInto('contact_import_chunks')
        .columns(['import_id', 'chunk', 'rows', 'processed_at'])
        .expression((eb) =>
          eb
            .selectFrom('contact_imports')
            .select([
              'id as import_id',
              eb.val(chunk.chunk).as('chunk'),
              eb.val(chunk.rows).as('rows'),
              eb.val(now).as('processed_at'),
            ])
            .where('tenant_id', '=', tenantId)
            .where('id', '=', chunk.import_id),
        ),
    ),
    // Counted before the upsert, against the contacts as they are now.
    d1
      .prepare(
        // MATERIALIZED, and one indexed lookup per row: joining the json_each view to contacts let
        // SQLite's planner go quadratic once the tenant had contacts.
        `WITH n AS MATERIALIZED (${NEW_VALUES}),
        m AS MATERIALIZED (
          SELECT CASE
            WHEN ?7 = 1 AND EXISTS (SELECT 1 FROM contacts WHERE contacts.tenant_id = ?2 AND contacts.email = n.email)
              THEN 'unchanged'
            WHEN NOT EXISTS (SELECT 1 FROM contacts WHERE contacts.tenant_id = ?2 AND contacts.email = n.email)
              THEN 'created'
            WHEN EXISTS (
              SELECT 1 FROM contacts WHERE contacts.tenant_id = ?2 AND contacts.email = n.email AND ${changed('n')}
            ) THEN 'updated'
            ELSE 'unchanged' END AS outcome
          FROM n
        )
        UPDATE contact_imports SET
          created = created + (SELECT count(*) FROM m WHERE outcome = 'created'),
          updated = updated + (SELECT count(*) FROM m WHERE outcome = 'updated'),
          unchanged = unchanged + (SELECT count(*) FROM m WHERE outcome = 'unchanged'),
          failed = failed + ?3,
          processed = processed + ?4,
          chunks_done = chunks_done + 1,
          status = CASE WHEN status = 'queued' THEN 'processing' ELSE status END,
          started_at = coalesce(started_at, ?5),
          -- Progress: the imports sweeper leaves an import alone while its chunks keep completing.
          progressed_at = ?5
        WHERE tenant_id = ?2 AND id = ?6`,
      )
      .bind(
        contacts,
        tenantId,
        chunk.errors.length,
        chunk.rows,
        now,
        chunk.import_id,
        chunk.skip_existing ? 1 : 0,
      ),
    d1
      .prepare(
        `INSERT INTO contacts (id, tenant_id, email, first_name, last_name, unsubscribed, properties, created_at, updated_at)
        SELECT json_extract(value, '$.id'), ?2, email, first_name, last_name, unsubscribed, properties, ?3, ?3
        FROM (${NEW_VALUES_WITH_ID}) WHERE true
        ON CONFLICT (tenant_id, email) DO UPDATE SET
          first_name = coalesce(excluded.first_name, contacts.first_name),
          last_name = coalesce(excluded.last_name, contacts.last_name),
          unsubscribed = max(contacts.unsubscribed, excluded.unsubscribed),
          properties = json_patch(contacts.properties, excluded.properties),
          updated_at = excluded.updated_at
        WHERE ?4 = 0 AND ${changed('excluded')}`,
      )
      .bind(contacts, tenantId, now, chunk.skip_existing ? 1 : 0),
  ];
  // With `skip`, only the contacts this chunk created (they carry the row's id) join segments and topics.
  const mine = chunk.skip_existing ? `AND contacts.id = json_extract(j.value, '$.id')` : '';
  if (chunk.contacts.length > 0) {
    for (const segmentId of chunk.segment_ids) {
      statements.push(
        d1
          .prepare(
            `INSERT INTO segment_contacts (tenant_id, segment_id, contact_id, created_at)
            SELECT ?2, ?3, contacts.id, ?4
            FROM json_each(?1) AS j
            CROSS JOIN contacts ON contacts.tenant_id = ?2 AND contacts.email = json_extract(j.value, '$.email')
            -- A segment deleted mid-import: the rest of the import still goes in.
            WHERE EXISTS (SELECT 1 FROM segments WHERE segments.tenant_id = ?2 AND segments.id = ?3) ${mine}
            ON CONFLICT DO NOTHING`,
          )
          .bind(contacts, tenantId, segmentId, now),
      );
    }
    for (const topic of chunk.topics) {
      statements.push(
        d1
          .prepare(
            `INSERT INTO contact_topics (tenant_id, contact_id, topic_id, subscription, updated_at)
            SELECT ?2, contacts.id, ?3, ?4, ?5
            FROM json_each(?1) AS j
            CROSS JOIN contacts ON contacts.tenant_id = ?2 AND contacts.email = json_extract(j.value, '$.email')
            WHERE EXISTS (SELECT 1 FROM topics WHERE topics.tenant_id = ?2 AND topics.id = ?3) ${mine}
            ON CONFLICT (contact_id, topic_id) DO UPDATE SET
              subscription = excluded.subscription,
              updated_at = excluded.updated_at`,
          )
          .bind(contacts, tenantId, topic.id, topic.subscription, now),
      );
    }
  }
  if (chunk.errors.length > 0) {
    statements.push(
      d1
        .prepare(
          `INSERT INTO contact_import_errors (import_id, tenant_id, row, email, reason, message)
          SELECT ?2, ?3, json_extract(value, '$.row'), json_extract(value, '$.email'),
            json_extract(value, '$.reason'), json_extract(value, '$.message')
          FROM json_each(?1)`,
        )
        .bind(JSON.stringify(chunk.errors), chunk.import_id, tenantId),
    );
  }
  statements.push(
    // Exactly one chunk's batch sees the last chunk done: it completes the import and, through
    // completed_by_chunk, writes the one completion audit entry with the final counts.
    d1
      .prepare(
        `UPDATE contact_imports SET status = 'completed', completed_at = ?3, completed_by_chunk = ?4, error = NULL
        WHERE tenant_id = ?1 AND id = ?2 AND status <> 'completed' AND chunks_done >= chunk_count`,
      )
      .bind(tenantId, chunk.import_id, now, chunk.chunk),
    d1
      .prepare(
        `INSERT INTO audit_log (id, tenant_id, actor_type, actor_id, action, target_type, target_id, request_id, summary, created_at)
        SELECT ?4, tenant_id, 'system', 'contact-import', 'contact_import.completed', 'contact_import', id, NULL,
          json_object('total_rows', total_rows, 'created', created, 'updated', updated, 'unchanged', unchanged, 'failed', failed),
          ?5
        FROM contact_imports WHERE tenant_id = ?1 AND id = ?2 AND completed_by_chunk = ?3`,
      )
      .bind(tenantId, chunk.import_id, chunk.chunk, crypto.randomUUID(), now),
  );
  try {
    await d1.batch(statements);
    return 'applied';
  } catch (err) {
    if (String(err).includes('UNIQUE constraint failed: contact_import_chunks')) return 'already_done';
    throw err;
  }
}

/** Marks the import failed (its file is gone, or a chunk ran out of retries), with a system audit entry. */
export async function failContactImport(
  db: Db,
  d1: D1Database,
  tenantId: string,
  importId: string,
  error: string,
): Promise<void> {
  const now = nowIso();
  await d1.batch([
    d1
      .prepare(
        `INSERT INTO audit_log (id, tenant_id, actor_type, actor_id, action, target_type, target_id, request_id, summary, created_at)
        SELECT ?3, tenant_id, 'system', 'contact-import', 'contact_import.failed', 'contact_import', id, NULL, json_object('error', ?4), ?5
        FROM contact_imports WHERE tenant_id = ?1 AND id = ?2 AND status IN ('queued', 'processing')`,
      )
      .bind(tenantId, importId, crypto.randomUUID(), error, now),
    prepared(
      d1,
      db
        .updateTable('contact_imports')
        .set({ status: 'failed', error, completed_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', importId)
        .where('status', 'in', ['queued', 'processing']),
    ),
  ]);
}

/** A row's new values from the chunk's JSON (?1): absent fields are NULL, flags 0, properties {}. */
const NEW_VALUES = `SELECT json_extract(value, '$.email') AS email,
  json_extract(value, '$.first_name') AS first_name,
  json_extract(value, '$.last_name') AS last_name,
  coalesce(json_extract(value, '$.unsubscribed'), 0) AS unsubscribed,
  coalesce(json_extract(value, '$.properties'), '{}') AS properties
  FROM json_each(?1)`;
const NEW_VALUES_WITH_ID = NEW_VALUES.replace('SELECT ', 'SELECT value, ');

/**
 * Whether the new values `n` change the contact: a given name that differs, an unsubscribe, or a
 * property whose merge changes the stored object. The upsert and the counts use this one test.
 */
function changed(n: string): string {
  return `((${n}.first_name IS NOT NULL AND ${n}.first_name IS NOT contacts.first_name)
    OR (${n}.last_name IS NOT NULL AND ${n}.last_name IS NOT contacts.last_name)
    OR ${n}.unsubscribed > contacts.unsubscribed
    OR json_patch(contacts.properties, ${n}.properties) IS NOT json(contacts.properties))`;
}

function prepared(d1: D1Database, query: Compilable): D1PreparedStatement {
  const compiled = query.compile();
  return d1.prepare(compiled.sql).bind(...compiled.parameters);
}
