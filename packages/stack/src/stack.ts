// The whole local mesh in one call: migrations, then the local SES and the five workers under one
// `wrangler dev` (one workerd, one persistence folder, so D1/R2/KV/Queues/DOs are shared exactly as
// they are between deployed workers). Used by `npm start`, the mesh tests and the benchmarks.
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startAwsStandins } from './aws-standins.ts';
import { configsWithVars } from './configs.ts';
import { driveCrons } from './crons.ts';
import { applyMigrations, wranglerEnv } from './d1.ts';
import { ensureDashboard } from './dashboard.ts';
import { wranglerBin } from './paths.ts';
import { type Child, freePort, killGroup, startChild, stopChild, waitFor } from './processes.ts';
import { startLocalSes, waitForSes } from './ses.ts';

export interface StackOptions {
  /** Folder for all local state (D1, R2, KV, Queues, DOs); kept between runs. */
  persistDir: string;
  /** The gateway's port. */
  port: number;
  sesPort: number;
  /** 'inherit' prints every process's output with a prefix; a path appends it to that file. */
  output: string | 'inherit';
  /** Variables to override in every worker, e.g. SES_ENDPOINT for a test's own SES stand-in. */
  vars?: Record<string, string>;
  /**
   * The port of the SES-identity and DNS-over-HTTPS stand-ins (aws-standins.ts), which forward the
   * rest to the local SES; they are the workers' SES_ENDPOINT and DOH_URL unless `vars` says else.
   */
  standinsPort?: number;
  /** Publish a new domain's DNS records in the stand-in's pretend DNS at once (npm start). */
  autoPublishDns?: boolean;
  /** Between one SES event of a message and the next (ses-events.ts; default 1000 ms). */
  sesEventDelayMs?: number;
  /**
   * Secrets for every worker (OPERATOR_SECRET, say): written to a `.dev.vars` beside the configs,
   * which wrangler shows as "(hidden)" where it prints plain vars' values.
   */
  secrets?: Record<string, string>;
  /** Rows to write before the workers start (tenants and keys for tests). */
  seed?: (persistDir: string) => Promise<void> | void;
  startTimeoutMs?: number;
  /**
   * Start the workers again, on the same state, when `wrangler dev` exits by itself. It does when
   * workerd dies under a request in flight: miniflare starts a new workerd, but wrangler's proxy
   * reports the lost request as an error (with an empty message) and wrangler exits with it.
   */
  restartOnExit?: boolean;
}

export interface Stack {
  url: string;
  sesUrl: string;
  /** The SES-identity + DNS-over-HTTPS stand-ins (control routes under /__standin/). */
  standinsUrl: string;
  /** Fires the gateway's crons now (recovery), instead of at the next minute. */
  fireCrons(): Promise<void>;
  /**
   * Kills the workers at once (SIGKILL: no graceful end, as a crash), leaving the local SES and the
   * stand-ins running; `startWorkers` brings them back on the same state.
   */
  killWorkers(): Promise<void>;
  startWorkers(): Promise<void>;
  /**
   * Kills wrangler alone (SIGKILL), as when it exits on a crash of workerd, for a stack started with
   * restartOnExit to notice; resolves once the workers it starts again answer.
   */
  crashWorkers(): Promise<void>;
  stop(): Promise<void>;
}

/** Crashes of the workers a stack started with restartOnExit recovers from before it gives up. */
const MAX_RESTARTS = 5;

/** How long a notification may wait on the local events queue before the events worker takes it. */
const LOST_QUEUE_WINDOW_MS = 30_000;

export async function startStack(options: StackOptions): Promise<Stack> {
  const persistDir = resolve(options.persistDir);
  mkdirSync(persistDir, { recursive: true });
  const timeout = options.startTimeoutMs ?? 60_000;
  const url = `http://127.0.0.1:${options.port}`;
  const sesUrl = `http://127.0.0.1:${options.sesPort}`;

  await applyMigrations(persistDir);
  // The gateway serves the dashboard's build (wrangler refuses to start without the folder).
  ensureDashboard((line) =>
    options.output === 'inherit'
      ? console.log(`[stack] ${line}`)
      : appendFileSync(options.output, `[stack] ${line}\n`),
  );
  // Written before workerd opens the database, so no two processes write it at once.
  await options.seed?.(persistDir);

  // TRACKING_BASE_URL: in dev the gateway forwards /o/, /c/ and /u/ to tracking (the only worker with
  // a port), so the links send writes point at the stack's own URL.
  // SES_ENDPOINT and DOH_URL: the stand-ins answer SES's identity API and DNS lookups (which
  // aws-ses-v2-local and a laptop cannot) and pass everything else to the local SES.
  const log = (line: string) => {
    if (options.output === 'inherit') console.log(`[stack] ${line}`);
    else appendFileSync(options.output, `[stack] ${line}\n`);
  };
  const standins = await startAwsStandins({
    port: options.standinsPort ?? (await freePort()),
    sesUrl,
    autoPublish: options.autoPublishDns ?? false,
    // SES's events (Send, Delivery, bounces…) come back through the gateway's SNS intake.
    gatewayUrl: url,
    sesEventDelayMs: options.sesEventDelayMs,
    log,
  });
  const vars = {
    SES_ENDPOINT: standins.url,
    DOH_URL: `${standins.url}/dns-query`,
    TRACKING_BASE_URL: url,
    // The stand-ins sign SES event notifications with a certificate they serve on loopback.
    SNS_ALLOW_INSECURE_CERT_URL: 'true',
    // Recovery after a restart (the local queues keep nothing) within a minute or two, not ten.
    SEND_STRANDED_AFTER_SECONDS: '60',
    SEND_SETTLE_AFTER_SECONDS: '30',
    WEBHOOK_STRANDED_AFTER_SECONDS: '60',
    IMPORT_STALLED_AFTER_SECONDS: '60',
    // Opens and clicks are recorded at a place that says it is none (wrangler dev would give a US city).
    LOCAL_GEO: JSON.stringify({ country: 'XX', region: 'Local', city: 'Local stack (no real location)' }),
    ...options.vars,
  };
  const configsDir = join(persistDir, '..', 'wrangler-configs');
  const configs = configsWithVars(configsDir, vars);
  // wrangler dev registers its workers in a registry shared by every wrangler dev on the machine
  // (for service bindings across sessions, which the stack does not use: all five run in one). Two
  // stacks at once (the restart test beside the mesh, a bench beside a test run) register the same
  // names, and one's kill changes what the other watches; each stack keeps a registry of its own.
  const workersEnv = { ...wranglerEnv, WRANGLER_REGISTRY_PATH: join(configsDir, 'registry') };
  const devVars = join(configsDir, '.dev.vars');
  rmSync(devVars, { force: true });
  if (options.secrets && Object.keys(options.secrets).length > 0) {
    const lines = Object.entries(options.secrets).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
    writeFileSync(devVars, `${lines.join('\n')}\n`, { mode: 0o600 });
  }
  const wranglerArgs = async () => [
    'dev',
    ...configs.flatMap((config) => ['--config', config]),
    '--persist-to',
    persistDir,
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    // Its own inspector port, so the stack can run beside another wrangler dev (or itself in tests).
    '--inspector-port',
    String(await freePort()),
    '--show-interactive-dev-session=false',
    ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
  ];
  let ses: Child | undefined;
  let workers: Child | undefined;
  /** Set while the stack itself stops the workers, so their exit is not taken for a crash. */
  let stopping = false;
  /** Restarts after a crash (restartOnExit) are for a stack that started, and few. */
  let started = false;
  let restarts = 0;
  /** The last restart after a crash, for crashWorkers to wait on. */
  let restarted: Promise<void> = Promise.resolve();
  const crons = driveCrons(url, log);
  const stop = async () => {
    stopping = true;
    crons.stop();
    await Promise.all([ses, workers].flatMap((child) => (child ? [stopChild(child)] : [])));
    await standins.close();
  };
  /** Resolves when every child in `watched` is up; rejects if one exits first. */
  const ready = async (watched: Child[], checks: Promise<void>[]) => {
    const exitedEarly = Promise.race(
      watched.map((child) =>
        child.exited.then((code) => Promise.reject(new Error(`${child.name} exited (${code})`))),
      ),
    );
    await Promise.race([Promise.all(checks), exitedEarly]);
    exitedEarly.catch(() => {});
  };
  // Any answer from the gateway's own code (401 without a key) means the workers are up.
  const gatewayUp = () =>
    waitFor('the gateway', async () => (await fetch(`${url}/health`)).status === 401, timeout);
  // When the workers were last killed: what the gateway took just before is replayed on restart
  // (the local queue it was on did not survive; see SesEvents.redeliverTakenSince).
  let killedAt: number | null = null;
  const spawnWorkers = async () => {
    const child = startChild('workers', wranglerBin, await wranglerArgs(), {
      env: workersEnv,
      output: options.output,
    });
    workers = child;
    if (options.restartOnExit) {
      void child.exited.then((code) => {
        if (stopping || workers !== child || !started || restarts >= MAX_RESTARTS) return;
        restarts++;
        killedAt = Date.now();
        log(`the workers exited by themselves (${code}); starting them again on the same state`);
        // What the dead wrangler left running in its process group (a workerd holding the port) goes first.
        killGroup(child);
        // Kept rejected for crashWorkers to report; logged here for a stack nobody awaits.
        restarted = startWorkers();
        restarted.catch((err: Error) => log(`the workers did not start again: ${err.message}`));
      });
    }
    return child;
  };
  const startWorkers = async () => {
    stopping = false;
    await ready([await spawnWorkers()], [gatewayUp()]);
    if (killedAt !== null) await standins.sesEvents?.redeliverTakenSince(killedAt - LOST_QUEUE_WINDOW_MS);
  };
  try {
    ses = startLocalSes(options.sesPort, options.output);
    await ready([ses, await spawnWorkers()], [waitForSes(sesUrl, timeout), gatewayUp()]);
    started = true;
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    sesUrl,
    standinsUrl: standins.url,
    fireCrons: crons.fireNow,
    killWorkers: async () => {
      stopping = true;
      if (workers) await stopChild(workers, 0);
      killedAt = Date.now();
    },
    startWorkers,
    crashWorkers: async () => {
      if (!options.restartOnExit || !workers)
        throw new Error('crashWorkers needs a started stack with restartOnExit');
      const child = workers;
      const before = restarts;
      child.process.kill('SIGKILL');
      await child.exited;
      // The exit handler ran on the same exit (it was attached first): it counted a restart and set
      // `restarted`, unless the stack has given up (MAX_RESTARTS), which the caller must hear of.
      if (restarts === before) throw new Error('the stack did not start the workers again');
      await restarted;
    },
    stop,
  };
}
