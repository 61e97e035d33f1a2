import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** `npm start`'s folder: its state, and `dev.env` with the URL, key and secrets it wrote. */
export const devStateDir = `${repoRoot}.mailgrid`;
export const devEnvFile = `${devStateDir}/dev.env`;

/** The primary (gateway) comes first: `wrangler dev` serves the first config on the HTTP port. */
export const WORKERS = ['gateway', 'send', 'events', 'tracking', 'admin'] as const;

export function wranglerConfig(worker: (typeof WORKERS)[number]): string {
  return `${repoRoot}workers/${worker}/wrangler.jsonc`;
}

export const wranglerBin = `${repoRoot}node_modules/.bin/wrangler`;
