// Boots the real mesh once for all mesh tests: the five workers with their real wrangler configs
// under `wrangler dev`, the local SES, and a fresh persistence folder seeded with test tenants.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeStatements, freePort, startStack } from '@mailgrid/stack';
import {
  keyStatement,
  type SeededKey,
  type SqlStatement,
  tenantStatements,
} from '@mailgrid/testing/fixtures';
import type { TestProject } from 'vitest/node';

export interface MeshContext {
  url: string;
  sesUrl: string;
  logFile: string;
  /** Default limits (10/s, burst 20), one key of each permission: the auth and health tests' tenant. */
  main: { tenantId: string; full: SeededKey; sending: SeededKey };
  /** A second tenant, for isolation. */
  other: { tenantId: string; full: SeededKey; sending: SeededKey };
  /** A tenant limited to 1 request/s with bursts of 3. */
  limited: { tenantId: string; full: SeededKey };
  /** Default limits, used only to measure them. */
  defaults: { tenantId: string; full: SeededKey };
  /** A generous limit, for tests that make many requests about something else. */
  roomy: { tenantId: string; full: SeededKey };
}

declare module 'vitest' {
  export interface ProvidedContext {
    mesh: MeshContext;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'mailgrid-mesh-'));
  const logFile = join(dir, 'stack.log');
  const statements: SqlStatement[] = [];
  const tenant = async (slug: string, rateLimit?: { per_second: number; burst: number }) => {
    const seeded = tenantStatements({ slug, domain: `${slug}.mesh.test`, rateLimit });
    statements.push(...seeded.statements);
    const full = await keyStatement(seeded.tenant, { name: `${slug} full`, permission: 'full_access' });
    const sending = await keyStatement(seeded.tenant, {
      name: `${slug} sending`,
      permission: 'sending_access',
    });
    statements.push(full.statement, sending.statement);
    return { tenantId: seeded.tenant.tenantId, full: full.key, sending: sending.key };
  };
  const main = await tenant('main');
  const other = await tenant('other');
  const limited = await tenant('limited', { per_second: 1, burst: 3 });
  const defaults = await tenant('defaults');
  const roomy = await tenant('roomy', { per_second: 1000, burst: 1000 });

  const stack = await startStack({
    persistDir: join(dir, 'state'),
    port: await freePort(),
    sesPort: await freePort(),
    output: logFile,
    seed: (persistDir) => executeStatements(persistDir, statements),
  }).catch((err: Error) => {
    throw new Error(`${err.message}; the stack's output is in ${logFile}`);
  });

  project.provide('mesh', {
    url: stack.url,
    sesUrl: stack.sesUrl,
    logFile,
    main,
    other,
    limited,
    defaults,
    roomy,
  });
  return async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
