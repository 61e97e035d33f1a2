// What a dispatch step's recipients came to, written to D1 together: the step keeps each attempt's
// outcome and records them all at once (recordSendOutcomes: one statement per kind of outcome) every
// FLUSH_MS, every FLUSH_ROWS outcomes, at once when one needs a retry or a report, and at the step's
// end. Recording one recipient at a time cost a statement each.
//
// Nothing is lost or sent twice meanwhile: an outcome not yet written leaves its row `sending` under
// the step's claim. Should the step die first, the claim runs out, the sweeper hands the row to the
// per-email queue, and that settles it from SES's Send event before anything is sent again (as for a
// step that died mid-send); the wait for that is at most FLUSH_MS of outcomes.
import type { SendQueueMessage } from '@mailgrid/contracts';
import type { SendOutcome } from '@mailgrid/db';
import { recordSendOutcomes } from '@mailgrid/db/cross-tenant';
import { reportFailed } from '../consumer';
import type { Env } from '../env';

const FLUSH_MS = 1000;
const FLUSH_ROWS = 100;
/** Messages per Queue.sendBatch call (Cloudflare's limit). */
const QUEUE_BATCH = 100;

interface Pending {
  outcome: SendOutcome;
  /** Seconds until the per-email queue tries again (null: nothing left to do). */
  retryInSeconds: number | null;
}

export class StepOutcomes {
  readonly #env: Env;
  readonly #d1: D1Database;
  #pending: Pending[] = [];
  #oldest = 0;
  #urgent = false;
  #writing: Promise<void> | null = null;

  constructor(env: Env, d1: D1Database) {
    this.#env = env;
    this.#d1 = d1;
  }

  add(outcome: SendOutcome, retryInSeconds: number | null): void {
    if (this.#pending.length === 0) this.#oldest = Date.now();
    this.#pending.push({ outcome, retryInSeconds });
    // A retry's queue message must find its row released (else it waits out the claim's lease).
    if (outcome.kind !== 'sent') this.#urgent = true;
  }

  get due(): boolean {
    return (
      this.#pending.length > 0 &&
      (this.#urgent || this.#pending.length >= FLUSH_ROWS || Date.now() - this.#oldest >= FLUSH_MS)
    );
  }

  /** Writes everything kept so far (one write at a time). On failure the outcomes are kept and it throws. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#urgent = false;
    this.#writing = this.#write(batch).finally(() => {
      this.#writing = null;
    });
    await this.#writing;
  }

  async #write(batch: Pending[]): Promise<void> {
    let failed: { tenant_id: string; id: string; error: string }[];
    try {
      ({ failed } = await recordSendOutcomes(
        this.#d1,
        batch.map((entry) => entry.outcome),
      ));
    } catch (err) {
      this.#pending = [...batch, ...this.#pending];
      this.#urgent = true;
      throw err;
    }
    const retries = batch.flatMap((entry) =>
      entry.retryInSeconds === null
        ? []
        : [
            {
              body: {
                kind: 'send',
                tenant_id: entry.outcome.tenant_id,
                email_id: entry.outcome.id,
              } satisfies SendQueueMessage,
              delaySeconds: entry.retryInSeconds,
            },
          ],
    );
    for (let i = 0; i < retries.length; i += QUEUE_BATCH) {
      await this.#env.SEND_QUEUE.sendBatch(retries.slice(i, i + QUEUE_BATCH));
    }
    for (const row of failed) {
      try {
        await reportFailed(this.#env, row.tenant_id, row.id, row.error);
      } catch (err) {
        // A broadcast recipient has no queue message of its own to report it again: give it one (the
        // consumer reports a failed email it is handed).
        console.error(JSON.stringify({ worker: 'send', email_id: row.id, error: String(err) }));
        await this.#env.SEND_QUEUE.send({ kind: 'send', tenant_id: row.tenant_id, email_id: row.id });
      }
    }
  }
}
