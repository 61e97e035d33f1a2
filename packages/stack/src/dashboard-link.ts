// Prints a new one-time dashboard sign-in link for the dev owner (or another local identity) of a
// running `npm start` stack:
//
//   node scripts/run.mjs node packages/stack/src/dashboard-link.ts [email]
//
// The link works once, for ten minutes; `npm start` prints one too (MAILGRID_DASHBOARD_URL).
import { dashboardLink } from './dashboard.ts';
import { devEnvFile } from './paths.ts';
import { DEV_OWNER, readEnvFile } from './seed.ts';

const env = { ...readEnvFile(devEnvFile), ...process.env };
if (!env.MAILGRID_AUTH_JWT_SECRET || !env.MAILGRID_URL) {
  console.error(
    `[mailgrid] no MAILGRID_URL / MAILGRID_AUTH_JWT_SECRET in ${devEnvFile}: run \`npm start\` first.`,
  );
  process.exit(1);
}
console.log(dashboardLink(env.MAILGRID_URL, env.MAILGRID_AUTH_JWT_SECRET, process.argv[2] ?? DEV_OWNER));
