// Child processes the stack starts: each in its own process group, so stopping the stack stops
// everything they started too (wrangler's workerd, for one).
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Child {
  name: string;
  process: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  /** Where output goes: a file path, or 'inherit' to prefix and print it. */
  output: string | 'inherit';
}

export function startChild(name: string, command: string, args: string[], options: SpawnOptions): Child {
  const child = spawn(command, args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (options.output === 'inherit') {
    const prefix = `[${name}] `;
    const relay = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n'))
        if (line.trim()) process.stdout.write(`${prefix}${line}\n`);
    };
    child.stdout?.on('data', relay);
    child.stderr?.on('data', relay);
  } else {
    const file = createWriteStream(options.output, { flags: 'a' });
    child.stdout?.pipe(file);
    child.stderr?.pipe(file);
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, process: child, exited };
}

/** SIGTERM to the child's whole process group, SIGKILL if it is still there after `graceMs`. */
export async function stopChild(child: Child, graceMs = 5000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  signalGroup(child, 'SIGTERM');
  const stopped = await Promise.race([child.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!stopped) {
    signalGroup(child, 'SIGKILL');
    await child.exited;
  }
}

/** SIGKILL to whatever is left of the child's process group (the child itself may be gone). */
export function killGroup(child: Child): void {
  signalGroup(child, 'SIGKILL');
}

function signalGroup(child: Child, signal: NodeJS.Signals) {
  try {
    if (child.process.pid) process.kill(-child.process.pid, signal);
  } catch {
    // Already gone.
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Polls until `check` returns true, or throws after `timeoutMs` naming what it waited for. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(250);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
