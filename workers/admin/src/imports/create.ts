// Accepting an import: the file is checked in one pass (plan.ts), stored in R2 under imports/, the
// import row written with its audit entry, and every chunk queued; the caller gets the id at once.
import {
  AppError,
  type Caller,
  type ContactImportChunkMessage,
  type CreateImportQuery,
  type CreateImportResponse,
  IMPORT_FIELDS,
  IMPORT_LIMITS,
  type ImportOptions,
} from '@mailgrid/contracts';
import {
  createDb,
  failContactImport,
  findTopic,
  importableProperties,
  insertContactImport,
  tenantHasSegment,
} from '@mailgrid/db';
import type { Env } from '../env';
import { emailColumn, type StoredImportOptions, storedOptions } from './options';
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
  given?: ImportOptions,
): Promise<CreateImportResponse> {
  const db = createDb(env.DB);
  const segmentId = query.segment_id ?? null;
  if (segmentId !== null && !(await tenantHasSegment(db, caller.tenant_id, segmentId))) {
    throw new AppError('invalid_parameter', `segment_id: no segment ${segmentId}; create it first.`);
  }
  for (const [index, segment] of (given?.segments ?? []).entries()) {
    if (!(await tenantHasSegment(db, caller.tenant_id, segment.id))) {
      throw new AppError(
        'invalid_parameter',
        `segments[${index}].id: no segment ${segment.id}; create it first.`,
      );
    }
  }
  for (const [index, topic] of (given?.topics ?? []).entries()) {
    if (!(await findTopic(db, caller.tenant_id, topic.id))) {
      throw new AppError('invalid_parameter', `topics[${index}].id: no topic ${topic.id}; create it first.`);
    }
  }
  const options = storedOptions(given, segmentId);
  const plan = planImport(csv, IMPORT_LIMITS.chunk_rows, emailColumn(options));
  const properties = await importableProperties(db, caller.tenant_id);
  checkColumnMap(options, plan.columns, properties);
  const columns = mapColumns(plan.columns, properties, options.column_map);

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
    options: given === undefined ? null : JSON.stringify(options),
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

/**
 * The column map against the file and the tenant's properties: every column it names is in the
 * header, every property it maps is declared, with the type the caller expects.
 */
function checkColumnMap(
  options: StoredImportOptions,
  header: string[],
  properties: { key: string; type: 'string' | 'number' }[],
): void {
  const map = options.column_map;
  if (!map) return;
  const inHeader = new Set(header.map((name) => name.toLowerCase()));
  const missing = (field: string, column: string) =>
    new AppError(
      'validation_error',
      `column_map.${field}: the CSV's header row has no column ${JSON.stringify(column)} (it names: ${header.map((name) => JSON.stringify(name)).join(', ')}).`,
    );
  for (const field of IMPORT_FIELDS) {
    const column = map[field];
    if (column !== undefined && !inHeader.has(column.toLowerCase())) throw missing(field, column);
  }
  const declared = new Map(properties.map((property) => [property.key, property.type]));
  for (const [key, { column, type }] of Object.entries(map.properties ?? {})) {
    const have = declared.get(key);
    if (!have) {
      throw new AppError(
        'validation_error',
        `column_map.properties.${key}: there is no contact property ${JSON.stringify(key)}; declare it with POST /contact-properties first.`,
      );
    }
    if (type !== undefined && type !== have) {
      throw new AppError(
        'validation_error',
        `column_map.properties.${key}.type: the property ${JSON.stringify(key)} is a ${have}, not a ${type}.`,
      );
    }
    if (!inHeader.has(column.toLowerCase())) throw missing(`properties.${key}.column`, column);
  }
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
