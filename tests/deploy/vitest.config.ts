import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Each dry run bundles a worker (esbuild) in its own process: a minute is plenty on two cores.
    testTimeout: 120_000,
    // The JSON report feeds the summary line of `npm test` (scripts/test.mjs).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results.json' },
  },
});
