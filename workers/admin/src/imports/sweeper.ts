// Every minute (AudienceService.recover, called by the gateway's recovery cron), imports still queued or processing with no chunk completed for
// IMPORT_STALLED_AFTER_SECONDS get the chunks not yet recorded queued again. Normally there are none:
// create.ts queues every chunk, and the consumer retries a failing one until the dead-letter queue
// fails its import. This covers a message the queue itself loses (`wrangler dev` keeps none across a
// restart; in production, a platform fault) and a worker that died between storing the import and
// queuing its chunks.
//
// Queuing a chunk again is harmless, so the sweeper need not know whether the first message is lost
// or only late: the consumer skips a chunk already recorded, and of two deliveries racing past that
// check the second's chunk insert fails and its whole D1 batch rolls back (applyImportChunk), so
// nothing is written or counted twice and the import completes once.
import { IMPORT_LIMITS } from '@mailgrid/contracts';
import { claimStalledImport, createDb, type Db, failContactImport } from '@mailgrid/db';
import { findStalledImports } from '@mailgrid/db/cross-tenant';
import { config, type Env } from '../env';
import { chunkMessages, queueChunks } from './create';
import { emailColumn, readOptions } from './options';
import { type ImportPlan, planImport } from './plan';

/** Imports looked at per run. */
const SWEEP_LIMIT = 50;
/**
 * Bytes of files re-planned per run (each stalled import's file is parsed whole again, see requeue):
 * parsing is CPU (a 30 MB file took about 4 s in Node), and an invocation's CPU time is limited
 * (30 s by default). Imports past it wait for the next run.
 */
const SWEEP_BYTES = 64 * 1024 * 1024;

type StalledImport = Awaited<ReturnType<typeof findStalledImports>>[number];

export async function sweepStalledImports(
  env: Env,
  now = new Date(),
): Promise<{ imports: number; chunks: number }> {
  const db = createDb(env.DB);
  const stalledAfterMs = config(env).IMPORT_STALLED_AFTER_SECONDS * 1000;
  const stalled = await findStalledImports(db, new Date(now.getTime() - stalledAfterMs), SWEEP_LIMIT);
  let imports = 0;
  let chunks = 0;
  let bytes = 0;
  for (const found of stalled) {
    // Not yet claimed, so the next run finds it again (the oldest first).
    if (bytes > 0 && bytes + found.file_bytes > SWEEP_BYTES) break;
    bytes += found.file_bytes;
    try {
      const queued = await requeue(env, db, found, now);
      if (queued > 0) {
        imports++;
        chunks += queued;
      }
    } catch (err) {
      // Claimed, it is tried again an interval later (else at the next run); the rest go on now.
      console.error(
        JSON.stringify({ event: 'imports.sweep_failed', import_id: found.id, error: String(err) }),
      );
    }
  }
  if (imports > 0) console.log(JSON.stringify({ event: 'imports.swept', imports, chunks }));
  return { imports, chunks };
}

/** Queues the import's chunks not yet recorded again; how many it queued. */
async function requeue(env: Env, db: Db, found: StalledImport, now: Date): Promise<number> {
  // The claim first: a chunk that completed since the lookup (the import is moving after all) or a
  // sweep running at the same time makes it fail, and then this one leaves the import alone. It also
  // counts as progress, so the next runs wait a full interval before queuing the chunks yet again.
  if (!(await claimStalledImport(db, found.tenant_id, found.id, found.progressed_at, now.toISOString()))) {
    return 0;
  }
  const object = await env.FILES.get(found.file_key);
  if (!object) {
    await fail(db, env, found, 'The uploaded file is no longer stored.');
    return 0;
  }
  // The chunks' byte ranges are not stored, only how many there are: the file is planned again, the
  // way create.ts planned it, which gives the same chunks for the same bytes.
  let plan: ImportPlan | null;
  try {
    plan = planImport(
      new Uint8Array(await object.arrayBuffer()),
      IMPORT_LIMITS.chunk_rows,
      emailColumn(readOptions(found.options, null)),
    );
  } catch {
    plan = null;
  }
  if (!plan || !samePlan(plan, found)) {
    await fail(
      db,
      env,
      found,
      'The import stopped and could not be resumed; upload the file again (rows already imported are not duplicated).',
    );
    return 0;
  }
  const done = new Set(found.done.map((chunk) => chunk.chunk));
  const missing = chunkMessages(found.tenant_id, found.id, plan).filter(
    (message) => !done.has(message.chunk),
  );
  await queueChunks(env, missing);
  return missing.length;
}

/**
 * Whether the file still cuts into the chunks the import was queued as: as many chunks and rows, and
 * each recorded chunk as many rows as when it was applied. Otherwise (chunk_rows changed by a deploy
 * in between) a chunk planned now would cover other rows than the one of that number did: some rows
 * would never be imported, others counted twice.
 */
function samePlan(plan: ImportPlan, found: StalledImport): boolean {
  return (
    plan.chunks.length === found.chunk_count &&
    plan.total_rows === found.total_rows &&
    found.done.every((chunk) => plan.chunks[chunk.chunk]?.rows === chunk.rows)
  );
}

async function fail(db: Db, env: Env, found: StalledImport, error: string): Promise<void> {
  console.error(JSON.stringify({ event: 'imports.sweep_failed', import_id: found.id, error }));
  await failContactImport(db, env.DB, found.tenant_id, found.id, error);
}
