// Reads a worker's wrangler.jsonc. Our configs use whole-line `//` comments only, so dropping those
// lines leaves plain JSON.
import { readFileSync } from 'node:fs';

export interface WranglerConfig {
  name: string;
  main: string;
  compatibility_date: string;
  compatibility_flags?: string[];
  vars?: Record<string, string>;
  d1_databases?: { migrations_dir?: string }[];
  services?: { binding: string; service: string; entrypoint?: string }[];
  durable_objects?: { bindings: { name: string; class_name: string; script_name?: string }[] };
  queues?: { producers?: { binding: string; queue: string }[] };
  /** Static assets (the gateway's dashboard): `directory` is relative to the config. */
  assets?: { directory: string; [key: string]: unknown };
  [key: string]: unknown;
}

export function readWranglerConfig(path: string): WranglerConfig {
  const text = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => !line.trim().startsWith('//'))
    .join('\n');
  return JSON.parse(text) as WranglerConfig;
}
