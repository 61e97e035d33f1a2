// The imports sweeper (src/imports/sweeper.ts): an import whose chunk messages were lost gets exactly
// its unrecorded chunks queued again and completes with exact counts; imports still moving, finished
// or failed are left alone; sweeping again neither queues twice nor counts twice; a file that is gone
// or no longer cuts into the same chunks fails the import; the cron and recover() both run it.
// "Long ago" is set on the import row (progressed_at), not passed as a later `now`: the tests share
// one D1, and a later `now` would sweep every other test's imports in progress too.
import type { Caller, ContactImportChunkMessage, QueueMessageBase } from '@mailgrid/contracts';
import { runQueue } from '@mailgrid/testing/queue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../src/env';
import { sweepStalledImports } from '../src/imports/sweeper';
import worker from '../src/index';
import { audience, realEnv, twoTenants } from './helpers';

const encode = (text: string) => new TextEncoder().encode(text);
/** IMPORT_STALLED_AFTER_SECONDS's default. */
const STALLED_AFTER_SECONDS = 600;

let acme: Caller;
let globex: Caller;

beforeEach(async () => {
  ({ acme, globex } = await twoTenants());
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** A file of `rows` contacts (3 chunks for 2500), every 500th row an invalid address. */
function bulkCsv(rows: number, label: string) {
  const lines = Array.from({ length: rows }, (_, n) =>
    n % 500 === 499 ? `not-an-address-${n},Bad` : `${label}${n}@example.com,Name ${n}`,
  );
  return ['email,first_name', ...lines].join('\n');
}

/** Starts an import and returns its id and the chunk messages it queued. */
async function startImport(caller: Caller, csv: string) {
  const queue = spyQueue();
  try {
    const result = await audience.createContactImport(caller, encode(csv), {});
    if (!result.ok) throw new Error(result.error.message);
    return { id: result.value.id, messages: queue.sent() };
  } finally {
    queue.restore();
  }
}

/** Spies on the imports queue: what has been sent through it since. */
function spyQueue() {
  const sendBatch = vi.spyOn(realEnv.IMPORTS_QUEUE, 'sendBatch');
  return {
    sent: () =>
      sendBatch.mock.calls.flatMap(([batch]) =>
        [...batch].map((entry) => entry.body as ContactImportChunkMessage),
      ),
    restore: () => sendBatch.mockRestore(),
  };
}

/** Runs the sweep (now, with `env`), returning its result and the messages it queued. */
async function sweep(env: Env = realEnv) {
  const queue = spyQueue();
  try {
    const result = await sweepStalledImports(env);
    return { result, messages: queue.sent() };
  } finally {
    queue.restore();
  }
}

function consume(messages: ContactImportChunkMessage[], queue = 'mailgrid-imports') {
  return runQueue<QueueMessageBase>(
    worker as never,
    queue,
    messages.map((body, index) => ({ id: `m${index}-${crypto.randomUUID()}`, body })),
  );
}

async function importOf(caller: Caller, id: string) {
  const result = await audience.getContactImport(caller, id);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/** As if the import had last moved `seconds` ago (and was created then, or earlier). */
async function lastProgress(id: string, seconds: number) {
  const at = new Date(Date.now() - seconds * 1000).toISOString();
  await realEnv.DB.prepare(
    'UPDATE contact_imports SET progressed_at = ?1, created_at = min(created_at, ?1) WHERE id = ?2',
  )
    .bind(at, id)
    .run();
}

async function count(sql: string, ...params: unknown[]) {
  return (
    (
      await realEnv.DB.prepare(sql)
        .bind(...params)
        .first<{ n: number }>()
    )?.n ?? 0
  );
}

const longAgo = STALLED_AFTER_SECONDS + 60;
const forImport = (id: string, messages: ContactImportChunkMessage[]) =>
  messages.filter((message) => message.import_id === id);

describe('sweepStalledImports', () => {
  it('queues again exactly the chunks a lost message left undone, for every tenant, and the imports complete', async () => {
    const big = await startImport(acme, bulkCsv(2500, 'acme'));
    expect(big.messages.map((message) => message.rows)).toEqual([1000, 1000, 500]);
    // Chunk 1's message is lost (say the local stack restarted); the other two are applied.
    await consume([big.messages[0], big.messages[2]] as ContactImportChunkMessage[]);
    expect(await importOf(acme, big.id)).toMatchObject({ status: 'processing', processed: 1500 });
    // Another tenant's import, whose only message was lost before anything ran.
    const small = await startImport(globex, 'email\none@example.com\ntwo@example.com\n');
    await lastProgress(big.id, longAgo);
    await lastProgress(small.id, longAgo);
    const log = vi.spyOn(console, 'log');

    const { result, messages } = await sweep();
    const swept = log.mock.calls.flatMap(([line]) =>
      String(line).includes('imports.swept') ? [JSON.parse(String(line))] : [],
    );

    expect(result).toEqual({ imports: 2, chunks: 2 });
    expect(swept).toEqual([{ event: 'imports.swept', imports: 2, chunks: 2 }]);
    // The very message that was lost, and each under its own tenant.
    expect(forImport(big.id, messages)).toEqual([big.messages[1]]);
    expect(forImport(small.id, messages)).toEqual(small.messages);
    expect(messages).toHaveLength(2);

    expect((await consume(messages)).retryMessages).toEqual([]);
    expect(await importOf(acme, big.id)).toMatchObject({
      status: 'completed',
      total_rows: 2500,
      processed: 2500,
      created: 2495,
      updated: 0,
      unchanged: 0,
      failed: 5,
      error: null,
    });
    expect(await importOf(globex, small.id)).toMatchObject({ status: 'completed', processed: 2, created: 2 });
    expect(await count('SELECT count(*) AS n FROM contacts WHERE tenant_id = ?', acme.tenant_id)).toBe(2495);
    expect(await count('SELECT count(*) AS n FROM contact_import_errors WHERE import_id = ?', big.id)).toBe(
      5,
    );
  });

  it('leaves alone imports that moved recently, however long ago they started', async () => {
    const fresh = await startImport(acme, bulkCsv(10, 'fresh'));
    const almost = await startImport(acme, bulkCsv(10, 'almost'));
    await lastProgress(almost.id, STALLED_AFTER_SECONDS - 30);
    // Created an hour ago and still under way: its last chunk completed just now.
    const moving = await startImport(globex, bulkCsv(2500, 'moving'));
    await lastProgress(moving.id, 3600);
    await consume([moving.messages[0]] as ContactImportChunkMessage[]);

    const { result, messages } = await sweep();
    expect(result).toEqual({ imports: 0, chunks: 0 });
    expect(messages).toEqual([]);
    expect(await importOf(acme, fresh.id)).toMatchObject({ status: 'queued' });
    expect(await importOf(globex, moving.id)).toMatchObject({ status: 'processing', processed: 1000 });

    // IMPORT_STALLED_AFTER_SECONDS is what "long" means.
    const shorter = await sweep({
      ...realEnv,
      IMPORT_STALLED_AFTER_SECONDS: String(STALLED_AFTER_SECONDS - 60),
    });
    expect(shorter.messages).toEqual(almost.messages);
  });

  it('leaves completed and failed imports alone', async () => {
    const completed = await startImport(acme, bulkCsv(10, 'done'));
    await consume(completed.messages);
    const failed = await startImport(acme, bulkCsv(10, 'failed'));
    await consume(failed.messages, 'mailgrid-imports-dlq');
    await lastProgress(completed.id, longAgo);
    await lastProgress(failed.id, longAgo);
    const before = [await importOf(acme, completed.id), await importOf(acme, failed.id)];

    const { result, messages } = await sweep();
    expect(result).toEqual({ imports: 0, chunks: 0 });
    expect(messages).toEqual([]);
    expect([await importOf(acme, completed.id), await importOf(acme, failed.id)]).toEqual(before);
    expect(before.map((entry) => entry.status)).toEqual(['completed', 'failed']);
  });

  it('does not queue twice in one interval, even from racing sweeps, and extra copies of a chunk count once', async () => {
    const { id, messages } = await startImport(acme, bulkCsv(1500, 'twice'));
    await consume([messages[0]] as ContactImportChunkMessage[]);
    await lastProgress(id, longAgo);

    // Two sweeps at once (cron runs overlapping): both find it, one claims it and queues the chunk.
    const queue = spyQueue();
    const racing = await Promise.all([sweepStalledImports(realEnv), sweepStalledImports(realEnv)]);
    const first = { messages: queue.sent() };
    queue.restore();
    expect(racing.map((result) => result.chunks).sort()).toEqual([0, 1]);
    expect(first.messages).toEqual([messages[1]]);
    // Right after: its claim counts as progress, so the chunk is not queued a second time.
    const second = await sweep();
    expect(second.result).toEqual({ imports: 0, chunks: 0 });
    expect(second.messages).toEqual([]);
    // Another interval without progress (the re-queued message is slow too): queued once more.
    await lastProgress(id, longAgo);
    const third = await sweep();
    expect(third.messages).toEqual([messages[1]]);

    // Both copies arrive, and so does the "lost" original, late.
    await consume([...first.messages, ...third.messages, messages[1] as ContactImportChunkMessage]);
    expect(await importOf(acme, id)).toMatchObject({
      status: 'completed',
      processed: 1500,
      created: 1497,
      failed: 3,
    });
    expect(await count('SELECT count(*) AS n FROM contacts WHERE tenant_id = ?', acme.tenant_id)).toBe(1497);
    expect(await count('SELECT count(*) AS n FROM contact_import_errors WHERE import_id = ?', id)).toBe(3);
    expect(await count('SELECT count(*) AS n FROM contact_import_chunks WHERE import_id = ?', id)).toBe(2);
    expect(
      await count(
        "SELECT count(*) AS n FROM audit_log WHERE target_id = ? AND action = 'contact_import.completed'",
        id,
      ),
    ).toBe(1);
    // Completed: later sweeps leave it alone.
    await lastProgress(id, longAgo);
    expect((await sweep()).messages).toEqual([]);
  });

  it('fails a stalled import whose file is gone or no longer cuts into the same chunks', async () => {
    const gone = await startImport(acme, bulkCsv(10, 'gone'));
    await realEnv.FILES.delete(`imports/${acme.tenant_id}/${gone.id}.csv`);
    const changed = await startImport(acme, bulkCsv(1500, 'changed'));
    await consume([changed.messages[0]] as ContactImportChunkMessage[]);
    // The same key, other bytes: its chunks would no longer be the ones queued.
    await realEnv.FILES.put(`imports/${acme.tenant_id}/${changed.id}.csv`, bulkCsv(1700, 'changed'));
    await lastProgress(gone.id, longAgo);
    await lastProgress(changed.id, longAgo);

    const { result, messages } = await sweep();
    expect(result).toEqual({ imports: 0, chunks: 0 });
    expect(messages).toEqual([]);
    expect(await importOf(acme, gone.id)).toMatchObject({
      status: 'failed',
      error: 'The uploaded file is no longer stored.',
    });
    expect(await importOf(acme, changed.id)).toMatchObject({ status: 'failed', processed: 1000 });
    expect((await importOf(acme, changed.id)).error).toContain('could not be resumed');
  });

  it('runs as AudienceService.recover(), which the gateway’s recovery cron calls', async () => {
    const viaRpc = await startImport(globex, bulkCsv(10, 'rpc'));
    await lastProgress(viaRpc.id, longAgo);
    const rpc = spyQueue();
    expect(await audience.recover()).toEqual({ import_chunks: 1 });
    expect(rpc.sent()).toEqual(viaRpc.messages);
  });
});
