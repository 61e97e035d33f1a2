// The imports queue's consumer: each message is one chunk of an import's file. It reads the chunk's
// byte range back from R2, checks each record, and applies the chunk in one D1 batch (see
// applyImportChunk: a chunk already recorded is skipped, so a redelivery changes nothing). A chunk
// that keeps failing ends in the dead-letter queue, whose consumer marks its import failed.
import type { ContactImportChunkMessage, QueueMessageBase } from '@mailgrid/contracts';
import {
  applyImportChunk,
  createDb,
  failContactImport,
  getContactImport,
  type ImportContact,
  type ImportRowError,
  importableProperties,
  importChunkDone,
} from '@mailgrid/db';
import Papa from 'papaparse';
import type { Env } from '../env';
import { readOptions } from './options';
import { checkRow, mapColumns } from './rows';

export async function consumeImportsQueue(batch: MessageBatch<QueueMessageBase>, env: Env): Promise<void> {
  const dead = batch.queue.startsWith('mailgrid-imports-dlq');
  for (const message of batch.messages) {
    const body = message.body as ContactImportChunkMessage | undefined;
    if (body?.kind !== 'contact_import.chunk') {
      // A kind this version does not know: retried, and in the end dead-lettered, never dropped.
      log('error', { event: 'import.unknown_message', queue: batch.queue, message_id: message.id });
      message.retry();
      continue;
    }
    try {
      if (dead) await failDeadChunk(env, body);
      else await processChunk(env, body);
      message.ack();
    } catch (err) {
      log('error', {
        event: 'import.chunk_failed',
        import_id: body.import_id,
        chunk: body.chunk,
        attempts: message.attempts,
        error: String(err),
      });
      message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
    }
  }
}

export async function processChunk(env: Env, body: ContactImportChunkMessage): Promise<void> {
  const db = createDb(env.DB);
  const started = Date.now();
  const found = await getContactImport(db, body.tenant_id, body.import_id);
  if (!found || found.status === 'completed' || found.status === 'failed') return;
  if (await importChunkDone(db, body.tenant_id, body.import_id, body.chunk)) return;

  const object = await env.FILES.get(found.file_key, {
    range: { offset: body.start, length: body.end - body.start },
  });
  if (!object) {
    await failContactImport(
      db,
      env.DB,
      body.tenant_id,
      body.import_id,
      'The uploaded file is no longer stored.',
    );
    return;
  }
  const text = await object.text();
  const options = readOptions(found.options, found.segment_id);
  const columns = mapColumns(
    JSON.parse(found.columns) as string[],
    await importableProperties(db, body.tenant_id),
    options.column_map,
  );
  const duplicates = new Map(body.duplicates);
  const contacts: ImportContact[] = [];
  const errors: ImportRowError[] = [];
  let row = body.first_row;
  Papa.parse<string[]>(text, {
    delimiter: body.delimiter,
    skipEmptyLines: 'greedy',
    step: (result) => {
      const checked = checkRow(
        result.data,
        columns,
        row,
        duplicates.get(row),
        result.errors.map((error) => error.message),
      );
      if ('contact' in checked) contacts.push(checked.contact);
      else errors.push(checked.error);
      row++;
    },
  });
  const rows = row - body.first_row;
  if (rows !== body.rows) {
    // The plan and this parse disagree about the file: nothing sensible to write.
    throw new Error(`chunk ${body.chunk} parsed into ${rows} rows, planned ${body.rows}`);
  }
  const outcome = await applyImportChunk(db, env.DB, body.tenant_id, {
    import_id: body.import_id,
    chunk: body.chunk,
    rows,
    segment_ids: options.segments,
    topics: options.topics,
    skip_existing: options.on_conflict === 'skip',
    contacts,
    errors,
  });
  log('info', {
    event: 'import.chunk',
    import_id: body.import_id,
    chunk: body.chunk,
    rows,
    failed: errors.length,
    outcome,
    ms: Date.now() - started,
  });
}

async function failDeadChunk(env: Env, body: ContactImportChunkMessage): Promise<void> {
  const last = body.first_row + body.rows - 1;
  await failContactImport(
    createDb(env.DB),
    env.DB,
    body.tenant_id,
    body.import_id,
    `Rows ${body.first_row}-${last} could not be processed after several attempts; upload the file again (rows already imported are not duplicated).`,
  );
}

function log(level: 'info' | 'error', fields: Record<string, unknown>) {
  const line = JSON.stringify(fields);
  if (level === 'error') console.error(line);
  else console.log(line);
}
