import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./global-setup.ts'],
    // One stack for every file; files run one after another so their traffic does not mix.
    fileParallelism: false,
    testTimeout: 30_000,
    // A test that failed only because the mesh was unreachable (workerd crashed and the stack is
    // starting the workers again: restartOnExit in global-setup.ts) runs again once it is back. Any
    // other failure fails at once: a retry must never hide a wrong answer, a lost or a doubled email.
    retry: {
      count: 2,
      delay: 20_000,
      condition:
        /ECONNREFUSED|fetch failed|Unable to fetch data|ERR_CONNECTION_REFUSED|Network connection lost|socket hang up|other side closed/,
    },
    hookTimeout: 120_000,
    // The JSON report feeds the summary line of `npm test` (scripts/test.mjs).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results.json' },
  },
});
