// Accepting an import: the file is checked in one pass (plan.ts), stored in R2 under imports/, the
// import row written with its audit entry, and every chunk queued; the caller gets the id at once.
import {
  AppError,
  type Caller,
  type ContactImportChunkMessage,
  type CreateImportQuery,
  type CreateImportResponse,
  IMPORT_LIMITS,
} from '@mailgrid/contracts';
import {
  createDb,
  failContactImport,
  importableProperties,
  insertContactImport,
  tenantHasSegment,
} from '@mailgrid/db';
import type { Env } from '../env';
import { type ImportPlan, planImport } from './plan';
import { mapColumns, unknownColumns } from './rows';

/** Queues take at most 100 messages and 256 KB per sendBatch. */
const SEND_BATCH_MESSAGES = 100;
const SEND_BATCH_BYTES = 200_000;

export async function createContactImport(
  env: Env,
  caller: Caller,
  csv: Uint8Array,
  query: CreateImportQuery,
): Promise<CreateImportResponse> {
  const db = createDb(env.DB);
  const segmentId = query.segment_id ?? null;
  if (segmentId !== null && !(await tenantHasSegment(db, caller.tenant_id, segmentId))) {
    throw new AppError('invalid_parameter', `segment_id: no segment ${segmentId}; create it first.`);
  }
  const plan = planImport(csv, IMPORT_LIMITS.chunk_rows);
  const columns = mapColumns(plan.columns, await importableProperties(db, caller.tenant_id));

  const id = crypto.randomUUID();
  const fileKey = `imports/${caller.tenant_id}/${id}.csv`;
  await env.FILES.put(fileKey, csv, {
    httpMetadata: { contentType: 'text/csv; charset=utf-8' },
    customMetadata: { tenant_id: caller.tenant_id, import_id: id },
  });
  await insertContactImport(db, env.DB, caller, {
    id,
    file_key: fileKey,
    file_bytes: csv.byteLength,
    segment_id: segmentId,
    columns: plan.columns,
    unknown_columns: unknownColumns(columns),
    total_rows: plan.total_rows,
    chunk_count: plan.chunks.length,
  });

  try {
    await queueChunks(env, chunkMessages(caller.tenant_id, id, plan));
  } catch (err) {
    console.error(JSON.stringify({ event: 'import.enqueue_failed', import_id: id, error: String(err) }));
    // Chunks already queued find the import failed and do nothing.
    await failContactImport(
      db,
      env.DB,
      caller.tenant_id,
      id,
      'The import could not be queued; upload it again.',
    );
    throw new AppError('service_unavailable', 'The import could not be queued; try again in a moment.');
  }
  return { object: 'contact_import', id, status: 'queued' };
}

/** One message per chunk of the plan; the imports sweeper re-plans a stalled import and sends the same. */
export function chunkMessages(
  tenantId: string,
  importId: string,
  plan: ImportPlan,
): ContactImportChunkMessage[] {
  return plan.chunks.map(
    (chunk, index): ContactImportChunkMessage => ({
      kind: 'contact_import.chunk',
      tenant_id: tenantId,
      import_id: importId,
      delimiter: plan.delimiter,
      chunk: index,
      ...chunk,
    }),
  );
}

export async function queueChunks(env: Env, messages: ContactImportChunkMessage[]): Promise<void> {
  for (const group of sendGroups(messages)) {
    await env.IMPORTS_QUEUE.sendBatch(group.map((body) => ({ body, contentType: 'json' })));
  }
}

function* sendGroups(messages: ContactImportChunkMessage[]) {
  let group: ContactImportChunkMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = JSON.stringify(message).length;
    if (group.length === SEND_BATCH_MESSAGES || (group.length > 0 && bytes + size > SEND_BATCH_BYTES)) {
      yield group;
      group = [];
      bytes = 0;
    }
    group.push(message);
    bytes += size;
  }
  if (group.length > 0) yield group;
}
