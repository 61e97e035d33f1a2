import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The JSON report feeds the summary line of `npm test` (scripts/test.mjs).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results.json' },
  },
});
