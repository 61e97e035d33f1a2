// aws-ses-v2-local: the local SES endpoint (v1 and v2 APIs), with a web inbox at / and every
// message so far at GET /store.
import { createRequire } from 'node:module';
import { type Child, startChild, waitFor } from './processes.ts';

const require = createRequire(import.meta.url);

export function startLocalSes(port: number, output: string | 'inherit'): Child {
  const cli = require.resolve('aws-ses-v2-local/dist/cli.js');
  return startChild('ses', process.execPath, [cli, '--host', '127.0.0.1', '--port', String(port)], {
    output,
  });
}

export async function waitForSes(url: string, timeoutMs: number): Promise<void> {
  await waitFor(`the local SES at ${url}`, async () => (await fetch(`${url}/store`)).ok, timeoutMs);
}
