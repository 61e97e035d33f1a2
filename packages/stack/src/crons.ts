// Cron triggers do not fire under `wrangler dev`; the stack fires them, on the schedules the configs
// declare, through wrangler's local trigger endpoint (/cdn-cgi/local/scheduled). That endpoint reaches
// the primary worker only, so only the gateway may declare crons (its scheduled handler asks the
// other workers over RPC); a cron elsewhere would never fire locally, and starting the stack says so.

import { readWranglerConfig } from '@mailgrid/testing/wrangler-config';
import { Cron } from 'croner';
import { WORKERS, wranglerConfig } from './paths.ts';

export interface CronDriver {
  /** Fires every cron of the gateway once now (tests that cannot wait for the minute). */
  fireNow(): Promise<void>;
  stop(): void;
}

/** The crons the workers declare, checked: the gateway's, and none anywhere else. */
export function declaredCrons(): string[] {
  const crons = (worker: (typeof WORKERS)[number]) =>
    (readWranglerConfig(wranglerConfig(worker)) as { triggers?: { crons?: string[] } }).triggers?.crons ?? [];
  for (const worker of WORKERS.slice(1)) {
    if (crons(worker).length > 0) {
      throw new Error(
        `workers/${worker}/wrangler.jsonc declares crons; locally only the gateway's can fire. Give the work a recover() RPC method and call it from workers/gateway/src/recovery.ts.`,
      );
    }
  }
  return crons('gateway');
}

export function driveCrons(gatewayUrl: string, log: (line: string) => void): CronDriver {
  const fire = async (cron: string) => {
    try {
      const response = await fetch(`${gatewayUrl}/cdn-cgi/local/scheduled?cron=${encodeURIComponent(cron)}`);
      if (!response.ok) log(`cron ${cron}: the gateway answered ${response.status}`);
    } catch (err) {
      // The gateway restarting, or the stack stopping: the next tick tries again.
      log(`cron ${cron}: ${String(err)}`);
    }
  };
  const crons = declaredCrons();
  // protect: a tick still running when the next is due is not started twice.
  const jobs = crons.map((cron) => new Cron(cron, { protect: true }, () => fire(cron)));
  return {
    fireNow: async () => {
      await Promise.all(crons.map(fire));
    },
    stop: () => {
      for (const job of jobs) job.stop();
    },
  };
}
