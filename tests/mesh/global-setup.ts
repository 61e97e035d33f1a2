// Boots the real mesh once for all mesh tests: the five workers with their real wrangler configs
// under `wrangler dev`, the local SES, and a fresh persistence folder seeded with test tenants.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  executeStatements,
  freePort,
  jwtSignIn,
  newJwtSecret,
  startStack,
  userStatement,
} from '@mailgrid/stack';
import {
  keyStatement,
  type SeededKey,
  type SqlStatement,
  tenantStatements,
} from '@mailgrid/testing/fixtures';
import type { TestProject } from 'vitest/node';
import { startSesProxy } from './ses-proxy';

export interface MeshContext {
  url: string;
  /** aws-ses-v2-local itself: its /store lists every delivered message. */
  sesUrl: string;
  /** The SES stand-in the send worker talks to (records raw messages, injects faults). */
  sesProxyUrl: string;
  logFile: string;
  /** The stack's persistence folder: tests read D1 with `query` from @mailgrid/stack (e.g. the audit log). */
  persistDir: string;
  /** Default limits (10/s, burst 20), one key of each permission: the auth and health tests' tenant. */
  main: { tenantId: string; full: SeededKey; sending: SeededKey };
  /** A second tenant, for isolation. */
  other: { tenantId: string; full: SeededKey; sending: SeededKey };
  /** A tenant limited to 1 request/s with bursts of 3. */
  limited: { tenantId: string; full: SeededKey };
  /** Default limits, used only to measure them. */
  defaults: { tenantId: string; full: SeededKey };
  /** A generous limit, for tests that make many requests about something else. */
  roomy: { tenantId: string; full: SeededKey };
  /** Streams and files (streams-files.test.ts): a generous limit, a verified domain, both keys. */
  files: { tenantId: string; full: SeededKey; sending: SeededKey };
  /** Domains and API-key management (domains.test.ts): a generous limit, both keys. */
  domains: { tenantId: string; full: SeededKey; sending: SeededKey };
  /** The preference page (preferences.browser.test.ts): a tenant whose only topics are that test's. */
  prefs: { tenantId: string; full: SeededKey; sending: SeededKey };
  /** The local SES feedback loop (ses-loop.test.ts): a tenant of its own, so its stats are its alone. */
  loop: { tenantId: string; full: SeededKey; sending: SeededKey };
  /** The README's quickstart (quickstart.test.ts), run as a reader would with its own key. */
  quickstart: { tenantId: string; full: SeededKey; sending: SeededKey };
  /** Broadcasts (broadcasts.test.ts): a tenant of its own, so its contacts are that test's alone. */
  broadcaster: { tenantId: string; full: SeededKey; sending: SeededKey };
  /** Resend API coverage, one tenant per area so each file's lists are its own. */
  sdkWebhooks: { tenantId: string; full: SeededKey; sending: SeededKey };
  sdkEmails: { tenantId: string; full: SeededKey; sending: SeededKey };
  sdkAudience: { tenantId: string; full: SeededKey; sending: SeededKey };
  sdkDomains: { tenantId: string; full: SeededKey; sending: SeededKey };
  /** The SDK method inventory (resend-compat.test.ts). */
  sdkCompat: { tenantId: string; full: SeededKey; sending: SeededKey };
  /** MCP: Mailgrid's /mcp endpoint and Resend's own MCP server against the API. */
  mcp: { tenantId: string; full: SeededKey; sending: SeededKey };
  /** The dashboard (dashboard.browser.test.ts): its own tenant, with an owner and a viewer who have joined. */
  dashboard: { tenantId: string; full: SeededKey; sending: SeededKey; owner: string; viewer: string };
  /** The sending tenant: verified domains, a pending one, a domain-restricted key, a suppressed address. */
  sender: Sender;
  /** The audience API (audience.test.ts): generous limits, a verified domain, both keys; a second such tenant. */
  audience: { tenantId: string; full: SeededKey; sending: SeededKey };
  audienceOther: { tenantId: string; full: SeededKey; sending: SeededKey };
  /** CSV imports (import.test.ts): declared properties `plan` (string) and `age` (number), one segment. */
  importer: { tenantId: string; full: SeededKey; sending: SeededKey; segmentId: string };
  /** Tenants and users (tenants-users.test.ts): the operator's secret and the JWT secret users sign in with. */
  auth: {
    operatorSecret: string;
    /** HS256, audience `authenticated` (as Supabase's). */
    jwtSecret: string;
    /** The tenant invitation emails are sent as (PLATFORM_TENANT_ID), from `inviteFrom`. */
    platform: { tenantId: string; full: SeededKey };
    inviteFrom: string;
    /** A generous tenant for the route sweep: its sending key is refused on every management route. */
    sweep: { tenantId: string; full: SeededKey; sending: SeededKey };
  };
}

export interface Sender {
  tenantId: string;
  domain: string;
  otherDomain: string;
  pendingDomain: string;
  suppressed: string;
  full: SeededKey;
  sending: SeededKey;
  /** A sending_access key that may only send from `domain`. */
  restricted: SeededKey;
  /** An Idempotency-Key held by a request that is still in flight, and that request's body. */
  inFlight: { key: string; body: string };
}

/** A tenant that sends: generous limits, two verified domains, one pending, one suppressed address. */
async function senderTenant(statements: SqlStatement[]): Promise<Sender> {
  const domain = 'sender.mesh.test';
  const otherDomain = 'other-sender.mesh.test';
  const pendingDomain = 'pending.mesh.test';
  const suppressed = 'bounced@example.com';
  const seeded = tenantStatements({
    slug: 'sender',
    domain,
    rateLimit: { per_second: 1000, burst: 1000 },
    extraDomains: [
      { name: otherDomain, verified: true },
      { name: pendingDomain, verified: false },
    ],
    suppressed: [suppressed],
  });
  const full = await keyStatement(seeded.tenant, { name: 'sender full', permission: 'full_access' });
  const sending = await keyStatement(seeded.tenant, { name: 'sender sending', permission: 'sending_access' });
  const restricted = await keyStatement(seeded.tenant, {
    name: 'sender restricted',
    permission: 'sending_access',
    domainRestricted: true,
  });
  statements.push(...seeded.statements, full.statement, sending.statement, restricted.statement);
  // A claim made "now" by a request that has not finished (dated ahead so it never goes stale mid-run).
  const inFlight = {
    key: 'still-running-0001',
    body: JSON.stringify({ from: `hello@${domain}`, to: 'slow@example.com', subject: 'slow', text: 'x' }),
  };
  const later = new Date(Date.now() + 3_600_000);
  statements.push({
    sql: "INSERT INTO idempotency_keys (tenant_id, key, request_hash, status, response, created_at, expires_at) VALUES (?, ?, ?, 'in_flight', NULL, ?, ?)",
    params: [
      seeded.tenant.tenantId,
      inFlight.key,
      createHash('sha256').update(inFlight.body).digest('hex'),
      later.toISOString(),
      new Date(later.getTime() + 86_400_000).toISOString(),
    ],
  });
  return {
    tenantId: seeded.tenant.tenantId,
    domain,
    otherDomain,
    pendingDomain,
    suppressed,
    full: full.key,
    sending: sending.key,
    restricted: restricted.key,
    inFlight,
  };
}

const persistDirOf = (dir: string) => join(dir, 'state');

declare module 'vitest' {
  export interface ProvidedContext {
    mesh: MeshContext;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'mailgrid-mesh-'));
  // Kept after the run (overwritten by the next), so a failure can be read: tests/mesh/.logs/stack.log.
  const logDir = fileURLToPath(new URL('./.logs/', import.meta.url));
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, 'stack.log');
  rmSync(logFile, { force: true });
  const statements: SqlStatement[] = [];
  const tenant = async (slug: string, rateLimit?: { per_second: number; burst: number }) => {
    const seeded = tenantStatements({ slug, domain: `${slug}.mesh.test`, rateLimit });
    statements.push(...seeded.statements);
    const full = await keyStatement(seeded.tenant, { name: `${slug} full`, permission: 'full_access' });
    const sending = await keyStatement(seeded.tenant, {
      name: `${slug} sending`,
      permission: 'sending_access',
    });
    statements.push(full.statement, sending.statement);
    return { tenantId: seeded.tenant.tenantId, full: full.key, sending: sending.key };
  };
  const main = await tenant('main');
  const other = await tenant('other');
  const limited = await tenant('limited', { per_second: 1, burst: 3 });
  const defaults = await tenant('defaults');
  const roomy = await tenant('roomy', { per_second: 1000, burst: 1000 });
  const files = await tenant('files', { per_second: 1000, burst: 1000 });
  const domains = await tenant('domains', { per_second: 1000, burst: 1000 });
  const prefs = await tenant('prefs', { per_second: 1000, burst: 1000 });
  const loop = await tenant('loop', { per_second: 1000, burst: 1000 });
  const quickstart = await tenant('quickstart', { per_second: 1000, burst: 1000 });
  const audience = await tenant('audience', { per_second: 1000, burst: 1000 });
  const broadcaster = await tenant('broadcaster', { per_second: 1000, burst: 1000 });
  const sdkWebhooks = await tenant('sdk-webhooks', { per_second: 1000, burst: 1000 });
  const sdkEmails = await tenant('sdk-emails', { per_second: 1000, burst: 1000 });
  const sdkAudience = await tenant('sdk-audience', { per_second: 1000, burst: 1000 });
  const sdkDomains = await tenant('sdk-domains', { per_second: 1000, burst: 1000 });
  const sdkCompat = await tenant('sdk-compat', { per_second: 1000, burst: 1000 });
  const mcp = await tenant('mcp', { per_second: 1000, burst: 1000 });
  const audienceOther = await tenant('audience-other', { per_second: 1000, burst: 1000 });
  const importer = {
    ...(await tenant('importer', { per_second: 1000, burst: 1000 })),
    segmentId: crypto.randomUUID(),
  };
  statements.push(
    {
      sql: "INSERT INTO contact_properties (id, tenant_id, key, type, fallback_value, created_at) VALUES (?, ?, 'plan', 'string', NULL, ?), (?, ?, 'age', 'number', NULL, ?)",
      params: [
        crypto.randomUUID(),
        importer.tenantId,
        '2026-01-01T00:00:00.000Z',
        crypto.randomUUID(),
        importer.tenantId,
        '2026-01-01T00:00:00.000Z',
      ],
    },
    {
      sql: "INSERT INTO segments (id, tenant_id, name, created_at) VALUES (?, ?, 'Imported', ?)",
      params: [importer.segmentId, importer.tenantId, '2026-01-01T00:00:00.000Z'],
    },
  );
  const dashboard = {
    ...(await tenant('dashboard', { per_second: 1000, burst: 1000 })),
    owner: 'owner@dashboard.mesh.test',
    viewer: 'viewer@dashboard.mesh.test',
  };
  statements.push(
    userStatement(dashboard.tenantId, dashboard.owner, 'owner'),
    userStatement(dashboard.tenantId, dashboard.viewer, 'viewer'),
  );
  const sender = await senderTenant(statements);
  const auth = {
    operatorSecret: `mgop_${randomBytes(24).toString('base64url')}`,
    jwtSecret: newJwtSecret(),
    platform: await tenant('platform', { per_second: 1000, burst: 1000 }),
    inviteFrom: 'Mailgrid <no-reply@platform.mesh.test>',
    sweep: await tenant('sweep', { per_second: 1000, burst: 1000 }),
  };

  // JWT sign-in configured as `npm start` configures it (HS256, audience `authenticated`).
  const signIn = jwtSignIn(auth.jwtSecret);

  const sesPort = await freePort();
  // The proxy forwards to the stack's SES-identity/DNS stand-ins, which forward the rest to the local SES.
  const standinsPort = await freePort();
  const proxy = await startSesProxy(`http://127.0.0.1:${standinsPort}`, await freePort());
  const stack = await startStack({
    persistDir: persistDirOf(dir),
    port: await freePort(),
    sesPort,
    standinsPort,
    output: logFile,
    seed: (persistDir) => executeStatements(persistDir, statements),
    // SES's events for each message (Send, Delivery, …) a quarter of a second apart.
    sesEventDelayMs: 250,
    // One crash of workerd under the whole suite's load must not take every later file down with it.
    restartOnExit: true,
    secrets: { OPERATOR_SECRET: auth.operatorSecret, ...signIn.secrets },
    // The send worker talks to the stand-in; a hung call is abandoned after 2 s instead of 15, and
    // retries back off at a quarter of the production curve so the fault test ends in seconds.
    vars: {
      PLATFORM_TENANT_ID: auth.platform.tenantId,
      INVITE_FROM: auth.inviteFrom,
      // No test reads the cost meter's lines; off, they no longer double what wrangler dev relays.
      COST_LOG: 'off',
      ...signIn.vars,
      SES_ENDPOINT: proxy.url,
      SES_TIMEOUT_MS: '2000',
      SES_MAX_SEND_RATE: '50',
      SEND_BACKOFF_SCALE: '0.25',
      // After a timed-out SES call, the wait for SES's Send event before sending again (hung calls in
      // the fault test never reach SES, so they are sent again after this).
      SEND_SETTLE_AFTER_SECONDS: '3',
      // Signed SNS notifications from the tests name a certificate served on loopback by the stand-in.
      SNS_ALLOW_INSECURE_CERT_URL: 'true',
      // A 1 MiB body cap: `wrangler dev`'s proxy can crash when the gateway answers 413 while a
      // 40 MiB upload is still streaming in (a local-dev race, not the worker's).
      MAX_BODY_BYTES: String(1024 * 1024),
      // CSV imports have their own cap, so import.test.ts can upload a 100,000-row file (~4 MiB).
      MAX_IMPORT_BYTES: String(16 * 1024 * 1024),
    },
  }).catch(async (err: Error) => {
    await proxy.close();
    throw new Error(`${err.message}; the stack's output is in ${logFile}`);
  });

  project.provide('mesh', {
    url: stack.url,
    sesUrl: stack.sesUrl,
    sesProxyUrl: proxy.url,
    logFile,
    persistDir: persistDirOf(dir),
    main,
    other,
    limited,
    defaults,
    roomy,
    files,
    domains,
    prefs,
    loop,
    quickstart,
    audience,
    audienceOther,
    broadcaster,
    sdkWebhooks,
    sdkEmails,
    sdkAudience,
    sdkDomains,
    sdkCompat,
    mcp,
    importer,
    dashboard,
    sender,
    auth,
  });
  return async () => {
    await stack.stop();
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
  };
}
