// `npm start`: the whole local stack, seeded, in the foreground until Ctrl-C or SIGTERM.
// Works without a terminal (background jobs, scripts); stops everything it started on exit.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardLink } from './dashboard.ts';
import { jwtSignIn, newJwtSecret } from './jwt.ts';
import { devEnvFile as envFile, devStateDir as stateDir } from './paths.ts';
import { DEV_FROM, DEV_OWNER, readEnvFile, seedDevTenant } from './seed.ts';
import { startStack } from './stack.ts';

/** Kept out of terminal scrollback and logs: they are in the file. */
const SECRETS = new Set(['MAILGRID_OPERATOR_SECRET', 'MAILGRID_AUTH_JWT_SECRET']);
const PORT = 8787;
const SES_PORT = 8005;
const STANDINS_PORT = 8006;

async function main() {
  const started = Date.now();
  mkdirSync(stateDir, { recursive: true });
  let apiKey = '';
  const previous = readEnvFile(envFile);
  const operatorSecret = previous.MAILGRID_OPERATOR_SECRET || newOperatorSecret();
  // Users sign in with a JWT signed with this (HS256) secret: token.ts prints one for an email.
  const jwtSecret = previous.MAILGRID_AUTH_JWT_SECRET || newJwtSecret();
  const signIn = jwtSignIn(jwtSecret);
  let reused = false;
  const stack = await startStack({
    persistDir: join(stateDir, 'state'),
    port: PORT,
    sesPort: SES_PORT,
    standinsPort: STANDINS_PORT,
    output: 'inherit',
    // The same host as the printed MAILGRID_URL, so tracked links in the SES inbox open as shown.
    vars: { TRACKING_BASE_URL: `http://localhost:${PORT}`, ...signIn.vars },
    // The platform operator's secret for /api/operator/* and the JWT secret: kept across restarts
    // like the API key.
    secrets: { OPERATOR_SECRET: operatorSecret, ...signIn.secrets },
    // A domain added through the API verifies at once: its records are "published" in the local DNS.
    autoPublishDns: true,
    // A crash of workerd would otherwise end `npm start` (see StackOptions.restartOnExit).
    restartOnExit: true,
    seed: async (persistDir) => {
      ({ apiKey, reused } = await seedDevTenant(persistDir, envFile));
    },
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n[mailgrid] ${signal}: stopping the local stack…`);
    await stack.stop();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => void shutdown(signal));

  const env = {
    MAILGRID_URL: `http://localhost:${PORT}`,
    MAILGRID_API_KEY: apiKey,
    MAILGRID_FROM: DEV_FROM,
    MAILGRID_OPERATOR_SECRET: operatorSecret,
    MAILGRID_AUTH_JWT_SECRET: jwtSecret,
    // Signs the dev owner in to the dashboard once, within ten minutes (dashboard-link.ts prints another).
    MAILGRID_DASHBOARD_URL: dashboardLink(`http://localhost:${PORT}`, jwtSecret, DEV_OWNER),
    SES_INBOX_URL: `http://localhost:${SES_PORT}`,
    SES_STANDIN_URL: `http://localhost:${STANDINS_PORT}`,
  };
  writeFileSync(
    envFile,
    `${Object.entries(env)
      .map(([name, value]) => `${name}=${value}`)
      .join('\n')}\n`,
  );
  chmodSync(envFile, 0o600);

  const health = await fetch(`${stack.url}/health`, { headers: { authorization: `Bearer ${apiKey}` } });
  const report = (await health.json()) as { ok: boolean; workers: Record<string, { ok: boolean }> };
  const workers = Object.entries(report.workers ?? {})
    .map(([name, worker]) => `${name} ${worker.ok ? 'ok' : 'FAILING'}`)
    .join(', ');

  console.log(`
[mailgrid] local stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${workers})
[mailgrid] ${reused ? 'kept the existing' : 'issued a new'} dev API key; written to ${envFile}:
${Object.entries(env)
  .map(([name, value]) => `  ${name}=${SECRETS.has(name) ? '(see the file)' : value}`)
  .join('\n')}
[mailgrid] the local SES inbox: $SES_INBOX_URL, and every message with all its headers at $SES_STANDIN_URL/inbox
[mailgrid] try: curl -H "Authorization: Bearer $MAILGRID_API_KEY" $MAILGRID_URL/health   (after: set -a; . ${envFile}; set +a)
[mailgrid] the dashboard: open MAILGRID_DASHBOARD_URL above (signs ${DEV_OWNER} in; works once, for ten minutes; another: node scripts/run.mjs node packages/stack/src/dashboard-link.ts)
[mailgrid] sign in as a user (README, "Users and invitations locally"): node scripts/run.mjs node packages/stack/src/token.ts you@example.com | tail -n 1
[mailgrid] Ctrl-C stops everything.`);
}

function newOperatorSecret(): string {
  return `mgop_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`;
}

main().catch((err) => {
  console.error('[mailgrid] the local stack failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
