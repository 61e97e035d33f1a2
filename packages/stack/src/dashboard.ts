// The dashboard on the local stack: its build (the gateway serves packages/dashboard/dist, which a
// clean clone does not have), the users who sign in to it, and the one-time sign-in link.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlStatement } from '@mailgrid/testing/fixtures';
import { localSubject, signLocalToken } from './jwt.ts';
import { repoRoot } from './paths.ts';

const dashboardDir = join(repoRoot, 'packages', 'dashboard');
/** How long a sign-in link works (the gateway refuses link tokens that live over 15 minutes). */
export const LINK_SECONDS = 600;

/**
 * Builds the dashboard when dist/ is missing or older than any of its sources (a second or two);
 * otherwise leaves it. turbo builds it first in `npm test`, so this is then a no-op.
 */
export function ensureDashboard(log: (line: string) => void): void {
  const built = join(dashboardDir, 'dist', 'index.html');
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  const sources = ['index.html', 'vite.config.ts', 'package.json', 'src'].map((name) =>
    join(dashboardDir, name),
  );
  if (builtAt > 0 && sources.every((path) => newestIn(path) <= builtAt)) return;
  log('building the dashboard (packages/dashboard)…');
  const vite = join(dashboardDir, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: dashboardDir,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`the dashboard's build failed:\n${result.stdout}${result.stderr}`);
  }
}

function newestIn(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestIn(join(path, name))));
}

/**
 * A user of `tenantId` who has joined with the local identity of `email` (the subject token.ts and
 * the sign-in link use). Seeding twice keeps the first row.
 */
export function userStatement(
  tenantId: string,
  email: string,
  role: 'owner' | 'admin' | 'developer' | 'viewer',
): SqlStatement {
  const now = new Date().toISOString();
  return {
    sql: 'INSERT OR IGNORE INTO users (id, tenant_id, email, role, auth_subject, created_at, updated_at, joined_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    params: [randomUUID(), tenantId, email.toLowerCase(), role, localSubject(email), now, now, now],
  };
}

/**
 * A link that signs `email`'s identity in to the dashboard once, within ten minutes: the token is in
 * the fragment (never sent to a server or written to its logs); the page exchanges it for the
 * session cookie and the gateway spends its `jti`.
 */
export function dashboardLink(baseUrl: string, jwtSecret: string, email: string): string {
  const token = signLocalToken(jwtSecret, {
    subject: localSubject(email),
    email,
    expiresIn: LINK_SECONDS,
    tokenId: randomUUID(),
  });
  return `${baseUrl}/sign-in#access_token=${token}`;
}
