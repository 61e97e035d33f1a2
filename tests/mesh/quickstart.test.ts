// The README's "Sending your first email", run as written: its code blocks between the
// `<!-- quickstart -->` markers, in order, in one bash session, from a folder whose `.mailgrid/dev.env`
// points at this mesh (as `npm start` writes it). A `sh` block is typed into the shell; a `js <file>`
// block is saved as that file, as the README asks the reader to. `npm install resend@6` comes from the
// npm registry, as it does for a reader.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api, mesh } from './client';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'mailgrid-quickstart-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The quickstart's blocks as one bash script. */
function quickstartScript(): string {
  const section = /<!-- quickstart -->([\s\S]*?)<!-- \/quickstart -->/.exec(readme)?.[1];
  if (!section) throw new Error('README.md has no <!-- quickstart --> section');
  const blocks = [...section.matchAll(/```(\w+)(?: ([^\n]+))?\n([\s\S]*?)```/g)];
  expect(blocks.length).toBeGreaterThanOrEqual(3);
  return blocks
    .map(([, lang, file, code]) => {
      if (lang === 'sh') return code;
      if (lang === 'js' && file) return `cat > ${file} <<'QUICKSTART_EOF'\n${code}QUICKSTART_EOF\n`;
      throw new Error(`a quickstart block the test cannot run: ${lang} ${file ?? ''}`);
    })
    .join('\n');
}

function bash(script: string, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // A reader's shell: none of the npm_config_* settings pnpm gives this process, but the registry
    // (and turbo passes the machine's CA and proxy settings through: see turbo.json). stdin is closed,
    // not a socket, so bash does not take itself for a remote shell and read bashrc.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !name.toLowerCase().startsWith('npm_') || name.toLowerCase() === 'npm_config_registry',
      ),
    );
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Ends a hung session with its output shown, inside the test's own timeout.
      timeout: 150_000,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.on('exit', (code, signal) =>
      resolve({ code, output: signal ? `${output}\n(killed: ${signal})` : output }),
    );
  });
}

describe("the README's quickstart", () => {
  it('prints an id, then the signed email.delivered webhook and last_event delivered', async () => {
    const { quickstart } = mesh;
    mkdirSync(join(dir, '.mailgrid'));
    writeFileSync(
      join(dir, '.mailgrid', 'dev.env'),
      [
        `MAILGRID_URL=${mesh.url}`,
        `MAILGRID_API_KEY=${quickstart.full.token}`,
        'MAILGRID_FROM=hello@quickstart.mesh.test',
        `SES_INBOX_URL=${mesh.sesUrl}`,
      ].join('\n'),
    );

    const { code, output } = await bash(quickstartScript(), dir);

    expect(code, output).toBe(0);
    const id = /^sent ([0-9a-f-]{36})$/m.exec(output)?.[1];
    expect(id, output).toBeDefined();
    expect(output).toContain(`webhook email.delivered for ${id}, signature verified`);
    expect(output).toContain(`GET /api/emails/${id}: last_event delivered`);
    // The script removed its webhook on the way out.
    const hooks = await api('/api/webhooks', { key: quickstart.full.token });
    expect(((await hooks.json()) as { data: unknown[] }).data).toEqual([]);
  }, 180_000);
});
