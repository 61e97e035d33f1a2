// vitest setup file for worker tests: the real migrations, applied to the test's local D1.
// Workers without a D1 binding (tracking never touches D1) have nothing to migrate.
import { applyD1Migrations, type D1Migration } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

const testEnv = env as unknown as { DB?: D1Database; TEST_MIGRATIONS: D1Migration[] };
if (testEnv.DB) await applyD1Migrations(testEnv.DB, testEnv.TEST_MIGRATIONS);
