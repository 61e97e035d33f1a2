import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./global-setup.ts'],
    // One stack for every file; files run one after another so their traffic does not mix.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // The JSON report feeds the summary line of `npm test` (scripts/test.mjs).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results.json' },
  },
});
