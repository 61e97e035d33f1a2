// Recovery for broadcasts (SendService.recover, every minute): a broadcast whose chain went quiet —
// its step message lost (a platform fault; `wrangler dev` keeps no queue messages across restarts) or
// the worker that ran it gone — gets a new chain. The old token is replaced first, conditionally, so
// a late message of the old chain stops and only one chain runs. Recipients a dead step had claimed
// are the email sweeper's (expired claims, settled from SES's Send event before anything is resent).
import { createDb, replaceChain } from '@mailgrid/db';
import { findStalledBroadcasts } from '@mailgrid/db/cross-tenant';
import { config, type Env } from '../env';
import { enqueueStep } from './steps';

export async function sweepStalledBroadcasts(env: Env, now = new Date()): Promise<number> {
  const db = createDb(env.DB);
  const stalledAfterMs = config(env).SEND_STRANDED_AFTER_SECONDS * 1000;
  const stalled = await findStalledBroadcasts(db, new Date(now.getTime() - stalledAfterMs), 100);
  let restarted = 0;
  for (const broadcast of stalled) {
    const token = crypto.randomUUID();
    if (
      !(await replaceChain(
        db,
        broadcast.tenant_id,
        broadcast.id,
        broadcast.dispatch_token,
        token,
        now.toISOString(),
      ))
    ) {
      continue;
    }
    await enqueueStep(
      env,
      { step: 'freeze', tenant_id: broadcast.tenant_id, broadcast_id: broadcast.id, token },
      0,
    );
    restarted++;
  }
  if (restarted > 0) console.log(JSON.stringify({ event: 'broadcast.restarted', broadcasts: restarted }));
  return restarted;
}
