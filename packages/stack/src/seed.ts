// The dev tenant: a verified sending domain and a full_access key, kept across restarts.
// The key's plain text lives only in .mailgrid/dev.env; D1 keeps its hash. If that file's key is
// still live in D1 it is kept; otherwise (first run, wiped data, revoked key) a new one is issued.
import { existsSync, readFileSync } from 'node:fs';
import { hashApiKey, parseApiKey } from '@mailgrid/api-keys';
import { keyStatement, tenantStatements } from '@mailgrid/testing/fixtures';
import { executeStatements, query } from './d1.ts';
import { userStatement } from './dashboard.ts';

export const DEV_TENANT_ID = '00000000-0000-4000-8000-0000000de7e1';
export const DEV_DOMAIN = 'dev.mailgrid.test';
/** A bare address, so dev.env stays sourceable by a shell as well as readable by dotenv. */
export const DEV_FROM = `hello@${DEV_DOMAIN}`;
/** The dev tenant's owner: the dashboard's sign-in link (MAILGRID_DASHBOARD_URL) signs this identity in. */
export const DEV_OWNER = `owner@${DEV_DOMAIN}`;

export async function seedDevTenant(
  persistDir: string,
  envFile: string,
): Promise<{ apiKey: string; reused: boolean }> {
  const { tenant, statements } = tenantStatements({
    id: DEV_TENANT_ID,
    slug: 'dev',
    name: 'Dev',
    domain: DEV_DOMAIN,
  });
  statements.push(userStatement(tenant.tenantId, DEV_OWNER, 'owner'));
  const previous = readEnvFile(envFile).MAILGRID_API_KEY;
  if (previous && (await isLiveKey(persistDir, previous))) {
    await executeStatements(persistDir, statements);
    return { apiKey: previous, reused: true };
  }
  const { key, statement } = await keyStatement(tenant, { name: 'dev', permission: 'full_access' });
  await executeStatements(persistDir, [...statements, statement]);
  return { apiKey: key.token, reused: false };
}

async function isLiveKey(persistDir: string, token: string): Promise<boolean> {
  const parsed = parseApiKey(token);
  if (!parsed) return false;
  const rows = await query<{ hash: string }>(persistDir, {
    sql: 'SELECT hash FROM api_keys WHERE prefix = ? AND tenant_id = ? AND revoked_at IS NULL',
    params: [parsed.prefix, DEV_TENANT_ID],
  });
  return rows[0]?.hash === (await hashApiKey(token));
}

export function readEnvFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const entries = readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => /^([A-Z0-9_]+)=(.*)$/.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => [match[1], match[2]] as [string, string]);
  return Object.fromEntries(entries);
}
