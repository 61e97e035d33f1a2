// A crash of the whole mesh mid-send loses nothing and sends nothing twice. A stack of its own (the
// shared one must keep running): 300 emails accepted, the workers killed (SIGKILL) while the send
// queue is still draining, started again on the same state with the local SES kept alive. Nothing
// pokes the recovery: the gateway's cron, fired by the stack each minute, finds what the lost queue
// held and what a dead delivery held a claim on; SES's Send events, which the local SES goes on
// publishing until the gateway answers again, settle the copies SES took before the crash.
// Every recipient must be in the SES inbox exactly once and every email `sent` (or further).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeStatements, freePort, query, type Stack, startStack } from '@mailgrid/stack';
import { keyStatement, type SeededKey, tenantStatements } from '@mailgrid/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const EMAILS = 300;
const run = crypto.randomUUID().slice(0, 8);
const dir = mkdtempSync(join(tmpdir(), 'mailgrid-restart-'));
const persistDir = join(dir, 'state');
let stack: Stack;
let key: SeededKey;

beforeAll(async () => {
  const seeded = tenantStatements({
    slug: 'restart',
    domain: 'restart.mesh.test',
    rateLimit: { per_second: 1000, burst: 1000 },
  });
  const full = await keyStatement(seeded.tenant, { name: 'restart', permission: 'full_access' });
  key = full.key;
  stack = await startStack({
    persistDir,
    port: await freePort(),
    sesPort: await freePort(),
    output: join(dir, 'stack.log'),
    seed: (path) => executeStatements(path, [...seeded.statements, full.statement]),
    sesEventDelayMs: 250,
    vars: {
      // Slow enough that the kill lands mid-send (300 emails take ~15 s).
      SES_MAX_SEND_RATE: '20',
      // Recovery's thresholds shortened from minutes to seconds, so the test ends in about two.
      SEND_STRANDED_AFTER_SECONDS: '10',
      SEND_SETTLE_AFTER_SECONDS: '5',
    },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Our messages in the SES inbox (aws-ses-v2-local keeps every one it was given). */
async function inbox(): Promise<string[]> {
  const store = (await (await fetch(`${stack.sesUrl}/store`)).json()) as {
    emails: { subject: string; destination: { to: string[] } }[];
  };
  return store.emails
    .filter((email) => email.subject === `restart ${run}`)
    .flatMap((email) => email.destination.to);
}

async function statuses(): Promise<Record<string, number>> {
  const rows = await query<{ status: string; n: number }>(persistDir, {
    sql: 'SELECT status, count(*) AS n FROM emails GROUP BY status',
    params: [],
  });
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

describe('a restart of the whole mesh mid-send', () => {
  it('mails every recipient exactly once and leaves nothing queued', async () => {
    const recipients = Array.from({ length: EMAILS }, (_, i) => `r${i}-${run}@example.com`);
    for (let i = 0; i < EMAILS; i += 100) {
      const response = await fetch(`${stack.url}/api/emails/batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(
          recipients.slice(i, i + 100).map((to) => ({
            from: 'hello@restart.mesh.test',
            to,
            subject: `restart ${run}`,
            text: 'exactly once',
          })),
        ),
      });
      expect(response.status).toBe(200);
    }

    // Kill once some, but far from all, have reached SES.
    const deadline = Date.now() + 60_000;
    while ((await inbox()).length < 40 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await stack.killWorkers();
    const atKill = (await inbox()).length;
    // What the crash left: `sending` rows are claims a dead delivery held (SES may have them).
    const statusesAtKill = await statuses();
    expect(atKill).toBeGreaterThanOrEqual(40);
    expect(atKill).toBeLessThan(EMAILS);

    const restarted = Date.now();
    await stack.startWorkers();
    let done: Record<string, number> = {};
    while (Date.now() - restarted < 240_000) {
      done = await statuses();
      if ((done.sent ?? 0) === EMAILS) break;
      // Each look is a `wrangler d1 execute` of its own: not too often.
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    const recoveredInMs = Date.now() - restarted;
    console.log(
      JSON.stringify({
        restart: {
          emails: EMAILS,
          in_ses_at_kill: atKill,
          at_kill: statusesAtKill,
          recovered_in_ms: recoveredInMs,
        },
      }),
    );

    expect(done).toEqual({ sent: EMAILS });
    // Give a duplicate, were there one, time to show.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const mailed = await inbox();
    const counts = new Map<string, number>();
    for (const to of mailed) counts.set(to, (counts.get(to) ?? 0) + 1);
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
    expect(counts.size).toBe(EMAILS);
    expect(mailed).toHaveLength(EMAILS);
  }, 330_000);
});
