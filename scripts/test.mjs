// `npm test` (through scripts/run.mjs): lint and format check, type checks, every package's tests
// (worker tests in workerd, then the mesh tests against the real stack), and one closing summary.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = 'test-results.json';

/** Every workspace package with a `test` script writes vitest's JSON report to RESULTS. */
const testedPackages = ['workers', 'packages', 'tests']
  .flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name)))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .filter((dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts?.test);

for (const dir of testedPackages) rmSync(join(dir, RESULTS), { force: true });

const step = (name, command, args) => {
  console.log(`\n[test] ${name}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const { status } = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  console.log(
    `[test] ${name}: ${status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return status === 0;
};

const lintOk = step('lint and format', 'biome', ['ci', '.']);

// The mesh's browser tests drive Debian's chromium. Install it where this process may (CI runs as
// root with the Debian mirror reachable); where it may not, those tests fail saying what is missing.
const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  const canInstall =
    process.getuid?.() === 0 &&
    spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (canInstall) {
    step('install chromium for the browser tests', 'sh', [
      '-c',
      'export DEBIAN_FRONTEND=noninteractive; apt-get update && apt-get install -y --no-install-recommends chromium',
    ]);
  } else {
    console.log(
      `\n[test] ${CHROMIUM} is missing and this process cannot install it (needs root and apt-get): the browser tests will fail. Install Debian's chromium package first.`,
    );
  }
}
// Worker tests and the mesh each start workerd; two at a time is what two cores carry.
const turboOk = step('types and tests', 'turbo', [
  'run',
  'typecheck',
  'test',
  '--concurrency=2',
  '--continue',
  '--output-logs=errors-only',
]);

let passed = 0;
let failed = 0;
let missing = 0;
console.log('\n[test] results');
for (const dir of testedPackages) {
  const file = join(dir, RESULTS);
  const name = dir.slice(root.length);
  if (!existsSync(file)) {
    missing++;
    console.log(`  ${name}: no results (did not run)`);
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  console.log(`  ${name}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(lintOk && turboOk && failed === 0 && missing === 0 && passed > 0 ? 0 : 1);
