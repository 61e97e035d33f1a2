// What the benchmarks that drive the whole local stack share: a throwaway state folder, a tenant with
// a limit no benchmark reaches and one full_access key, the stack started on free ports, its log file.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeStatements, freePort, startStack } from '@mailgrid/stack';
import { keyStatement, type SqlStatement, tenantStatements } from '@mailgrid/testing/fixtures';

type SeededTenant = ReturnType<typeof tenantStatements>['tenant'];

/** `seed` adds rows of the benchmark's own (e.g. a contact property) for the seeded tenant. */
export async function startBenchStack(
  name: string,
  seed: (tenant: SeededTenant) => SqlStatement[] = () => [],
) {
  const work = mkdtempSync(join(tmpdir(), `mailgrid-bench-${name}-`));
  const logFile = join(work, 'stack.log');
  const { tenant, statements } = tenantStatements({
    slug: 'bench',
    domain: 'bench.test',
    rateLimit: { per_second: 100000, burst: 100000 },
  });
  const { key, statement } = await keyStatement(tenant, { name: 'bench', permission: 'full_access' });
  const stack = await startStack({
    persistDir: join(work, 'state'),
    port: await freePort(),
    sesPort: await freePort(),
    output: logFile,
    seed: (dir) => executeStatements(dir, [...statements, statement, ...seed(tenant)]),
  });
  return { work, logFile, tenant, key, stack };
}
