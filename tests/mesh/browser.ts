// Debian's chromium for the mesh's browser tests: one launch per test file (a fresh temporary
// profile, removed on close), refusing to start without the binary, and where screenshots go.
import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
/** Screenshots land here (gitignored). */
export const artifacts = new URL('./.artifacts/', import.meta.url).pathname;

/** Launches chromium before the file's tests and closes it after; call at the top of a test file. */
export function useChromium(): { readonly browser: Browser } {
  const handle = {} as { browser: Browser };
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y --no-install-recommends chromium); \`npm test\` does this when it runs as root.`,
      );
    }
    mkdirSync(artifacts, { recursive: true });
    handle.browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await handle.browser?.close();
  });
  return handle;
}
