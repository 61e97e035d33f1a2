// The platform's one cron (every minute, `triggers.crons` in wrangler.jsonc): each worker that owns
// queued work is asked to put back what a lost queue message or a crash left stranded — emails
// (send), webhook deliveries (events), CSV import chunks (admin). It lives here because the gateway
// is the one worker whose scheduled handler `wrangler dev` can fire (the local stack fires it on this
// same schedule), so recovery runs locally exactly as deployed. One worker failing does not stop the rest.
// The gateway's own share: request-log rows past their 30 days are deleted (request-log.ts).
import type { RecoveryReport, RecoveryRpc } from '@mailgrid/contracts';
import type { Env } from './env';
import { expireRequestLogs } from './request-log';

export async function runRecovery(env: Env): Promise<Record<string, RecoveryReport | { error: string }>> {
  const workers: Record<string, RecoveryRpc> = {
    send: env.SEND,
    events: env.EVENTS,
    admin: env.AUDIENCE,
    gateway: { recover: async () => ({ request_logs_expired: await expireRequestLogs(env) }) },
  };
  const names = Object.keys(workers);
  const results = await Promise.allSettled(names.map((name) => (workers[name] as RecoveryRpc).recover()));
  const report = Object.fromEntries(
    results.map((result, index) => [
      names[index],
      result.status === 'fulfilled' ? result.value : { error: String(result.reason) },
    ]),
  );
  const failed = results.some((result) => result.status === 'rejected');
  const recovered = results.some(
    (result) => result.status === 'fulfilled' && Object.values(result.value).some((count) => count > 0),
  );
  if (failed) console.error(JSON.stringify({ event: 'recovery.failed', report }));
  else if (recovered) console.log(JSON.stringify({ event: 'recovery.ran', report }));
  return report;
}
