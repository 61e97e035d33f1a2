#!/usr/bin/env node
// Runs one project command with the toolchain it needs, on a machine that has only Node and npm.
//
//   node scripts/run.mjs <command> [args...]
//
// 1. Node >= 22.18 is required (wrangler and vitest-pool-workers need 22.12; the stack scripts use its built-in TypeScript stripping). When the machine's Node is older,
//    the pinned Node from tools/package.json (the npm registry's `node` package) is installed and used.
// 2. pnpm comes from tools/ too, at the version pinned by package.json's `packageManager`.
// 3. `pnpm install` brings the workspace up to date with pnpm-lock.yaml.
// 4. <command> runs with both on PATH, so `pnpm`, `node`, `wrangler`, `turbo` resolve to pinned copies.
// This file must keep working on old Node (no dependencies, no syntax newer than Node 18).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const toolsDir = join(root, 'tools');
const toolsBin = join(toolsDir, 'node_modules', '.bin');
const isWindows = process.platform === 'win32';

function fail(message) {
  console.error(`[mailgrid] ${message}`);
  process.exit(1);
}

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', shell: isWindows, ...options });
  if (result.error) fail(`could not run ${cmd}: ${result.error.message}`);
  return result.status ?? 1;
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function nodeIsRecentEnough(version) {
  const [major, minor] = version.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 18);
}

function ensureTools() {
  const lock = readFileSync(join(toolsDir, 'package-lock.json'));
  const stamp = join(toolsDir, 'node_modules', '.mailgrid-stamp');
  const digest = createHash('sha256').update(lock).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return;
  console.error('[mailgrid] installing the pinned toolchain (tools/package.json)…');
  const status = run('npm', ['ci', '--prefix', toolsDir, '--no-audit', '--no-fund', '--loglevel=error']);
  if (status !== 0) fail('installing tools/ failed');
  writeFileSync(stamp, digest);
}

function checkPins() {
  const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const toolsPkg = JSON.parse(readFileSync(join(toolsDir, 'package.json'), 'utf8'));
  const wanted = `pnpm@${toolsPkg.dependencies.pnpm}`;
  if (rootPkg.packageManager !== wanted) {
    fail(
      `package.json packageManager (${rootPkg.packageManager}) and tools/package.json (${wanted}) disagree`,
    );
  }
}

const [command, ...args] = process.argv.slice(2);
if (!command) fail('usage: node scripts/run.mjs <command> [args...]');

checkPins();
ensureTools();

const pathEntries = [join(root, 'node_modules', '.bin'), toolsBin];
const useToolsNode = !nodeIsRecentEnough(process.versions.node);
if (!useToolsNode) pathEntries.splice(1, 0, join(process.execPath, '..'));
const env = {
  ...process.env,
  PATH: [...pathEntries, process.env.PATH ?? ''].join(delimiter),
  // Keep pnpm from asking questions or fetching another pnpm: the pinned one is already here.
  COREPACK_ENABLE_STRICT: '0',
  npm_config_manage_package_manager_versions: 'false',
  // No network but the npm registry: keep turbo and wrangler from phoning home.
  TURBO_TELEMETRY_DISABLED: '1',
  WRANGLER_SEND_METRICS: 'false',
  DO_NOT_TRACK: '1',
};

// CI installs exactly the lockfile; a developer's checkout may update it after editing a package.json.
const lockMode = process.env.CI ? '--frozen-lockfile' : '--prefer-frozen-lockfile';
const install = run('pnpm', ['install', lockMode, '--prefer-offline', '--reporter=append-only'], {
  cwd: root,
  env,
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (install !== 0) fail('pnpm install failed');

// Not spawnSync: this process must pass SIGINT/SIGTERM on to the command (npm forwards them to us),
// so that stopping `npm start` stops the stack instead of orphaning it.
const child = spawn(command, args, { cwd: root, env, stdio: 'inherit', shell: isWindows });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
// npm does not always pass signals on (npm 11 does not for SIGTERM): when our parent is gone,
// stop the command rather than leave it running with nobody to stop it.
const parent = process.ppid;
setInterval(() => {
  if (!isAlive(parent)) child.kill('SIGTERM');
}, 1000).unref();
child.on('error', (err) => fail(`could not run ${command}: ${err.message}`));
child.on('exit', (code, signal) =>
  process.exit(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 1) : 1)),
);
