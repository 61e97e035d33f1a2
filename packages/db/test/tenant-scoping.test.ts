// Tenant scoping, checked on the source: every exported repository function that touches the
// database takes the tenant right after its db handles (`db: Db`, then `d1: D1Database` for batches),
// as `tenantId`/`tenant_id`, a `Caller` (which carries tenant_id) or a `Tenant`, so scoping happens
// in the data layer. The only exceptions live in repositories/cross-tenant.ts, which may export only
// the names below: adding one is a decision made here, in review.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(PACKAGE, 'src');
const REPOSITORIES = join(SRC, 'repositories');
const CROSS_TENANT = 'cross-tenant.ts';

/** Every function repositories/cross-tenant.ts may export, and why it may cross tenants. */
const CROSS_TENANT_ALLOWED: Record<string, string> = {
  findStalledBroadcasts: 'recovery restarts stalled broadcast fan-outs of every tenant',
  findApiKeyByPrefix: 'authentication: the key prefix is unique platform-wide and finds the tenant',
  findUserBySubject: 'sign-in: the identity subject is unique platform-wide and finds the tenant',
  isSubjectBound: 'an identity subject is one user of one tenant, platform-wide',
  findInvitationByTokenHash: 'accept: the token hash is unique and names the tenant',
  findTenant: "the operator's lookup of a tenant by id or slug",
  slugTaken: 'tenant slugs are unique platform-wide',
  listTenantsPage: "the operator's list of all tenants",
  domainNameTakenElsewhere: 'SES has one identity per domain name in the account',
  findDomainHeldElsewhere: 'a domain claim takes a name another tenant holds (one SES identity per name)',
  transferClaimedDomain: 'completing a claim moves a domain from one tenant to another in one batch',
  deleteExpiredRequestLogs: 'request-log expiry, a system job over all tenants',
  findStrandedEmails: 'the send sweeper, a system job over all tenants',
  claimStrandedWebhookDeliveries: 'the webhook sweeper, a system job over all tenants',
  claimWebhookDeliveryBatch: 'a webhooks queue batch mixes tenants; each ref names its tenant',
  recordWebhookAttempts: "a webhooks queue batch's attempts span tenants; each names its tenant",
  findStalledImports: 'the import sweeper, a system job over all tenants',
  readEventBatch: 'an events queue batch mixes tenants; each ref names its tenant, SES ids find theirs',
  insertEventRows: "a consumer batch's events span tenants; each row carries its tenant",
  advanceLastEvents: "a consumer batch's emails span tenants; each move names its tenant",
  countEventRows: "a consumer batch's events span tenants; each is counted under its own",
  insertSuppressionRows: "a consumer batch's bounces and complaints span tenants; each names its tenant",
  insertDeliveryRows: "a consumer batch's webhook deliveries span tenants; each names its tenant",
  readReputationInputs: 'the streams a consumer batch touched span tenants; each names its tenant',
  claimSendBatch: 'a send queue batch mixes tenants; each ref names its tenant',
  recordSendOutcomes: "a send queue batch's outcomes span tenants; each names its tenant and claim",
};

const TENANT_NAMES = new Set(['tenantId', 'tenant_id']);
const TENANT_TYPES = new Set(['Caller', 'Tenant']);
const HANDLE_TYPES = new Set(['Db', 'D1Database']);

interface ExportedFunction {
  file: string;
  name: string;
  params: { name: string; type: string }[];
  /** The JSDoc right above it, if any. */
  doc: string;
}

/** Exported functions (declarations and `export const f = (…) => …`), and anything exported another way. */
function exportedFunctions(
  file: string,
  source: string,
): { functions: ExportedFunction[]; unsupported: string[] } {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const functions: ExportedFunction[] = [];
  const unsupported: string[] = [];
  const isExported = (node: ts.Node) =>
    ts.canHaveModifiers(node) &&
    (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const paramsOf = (fn: ts.SignatureDeclarationBase) =>
    fn.parameters.map((p) => ({ name: p.name.getText(sourceFile), type: p.type?.getText(sourceFile) ?? '' }));
  const docOf = (node: ts.Node) =>
    (ts.getLeadingCommentRanges(source, node.getFullStart()) ?? [])
      .map((range) => source.slice(range.pos, range.end))
      .join('\n');
  for (const statement of sourceFile.statements) {
    if (ts.isFunctionDeclaration(statement) && isExported(statement)) {
      const name = statement.name?.text ?? 'default';
      functions.push({ file, name, params: paramsOf(statement), doc: docOf(statement) });
    } else if (ts.isVariableStatement(statement) && isExported(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const init = declaration.initializer;
        if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
          functions.push({
            file,
            name: declaration.name.getText(sourceFile),
            params: paramsOf(init),
            doc: docOf(statement),
          });
        } else {
          // An exported value that is not a function literal could still be one (`export const f = g`).
          unsupported.push(`${file}: export const ${declaration.name.getText(sourceFile)}`);
        }
      }
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) {
      unsupported.push(`${file}: ${statement.getText(sourceFile)}`);
    } else if (ts.isExportAssignment(statement)) {
      unsupported.push(`${file}: export default`);
    } else if (ts.isClassDeclaration(statement) && isExported(statement)) {
      unsupported.push(`${file}: export class ${statement.name?.text}`);
    }
  }
  return { functions, unsupported };
}

/** Why the function is not tenant-scoped by its signature, or null when it is (or touches no data). */
function scopingProblem(fn: ExportedFunction): string | null {
  const isHandle = (p: { name: string; type: string }) => HANDLE_TYPES.has(p.type) || /^Kysely</.test(p.type);
  const handles = fn.params.findIndex((p) => !isHandle(p));
  const leading = handles === -1 ? fn.params.length : handles;
  const laterHandle = fn.params.slice(leading).find(isHandle);
  if (laterHandle) return `db handle \`${laterHandle.name}\` is not before the tenant`;
  // No db handle: a pure helper (an error classifier, a key format), which reads and writes nothing.
  if (leading === 0) return null;
  const tenant = fn.params[leading];
  if (!tenant) return 'takes no tenant';
  if (TENANT_NAMES.has(tenant.name) || TENANT_TYPES.has(tenant.type)) return null;
  return `parameter ${leading + 1} is \`${tenant.name}${tenant.type ? `: ${tenant.type}` : ''}\`, not the tenant`;
}

function scan(dir: string, files: string[]) {
  return files.map((file) => exportedFunctions(file, readFileSync(join(dir, file), 'utf8')));
}

const repositoryFiles = readdirSync(REPOSITORIES)
  .filter((file) => file.endsWith('.ts'))
  .sort();
const scoped = [
  ...scan(
    REPOSITORIES,
    repositoryFiles.filter((file) => file !== CROSS_TENANT),
  ),
  ...scan(SRC, ['pagination.ts']),
];
const [crossTenant] = scan(REPOSITORIES, [CROSS_TENANT]);

describe('tenant scoping of the repositories', () => {
  it('reads every repository module and finds their functions', () => {
    expect(repositoryFiles).toContain(CROSS_TENANT);
    expect(repositoryFiles.length).toBeGreaterThan(15);
    // Guards against a scan that silently finds nothing and so passes.
    expect(scoped.flatMap((file) => file.functions).length).toBeGreaterThan(100);
  });

  it('every exported function outside cross-tenant.ts takes the tenant right after its db handles', () => {
    const offenders = scoped
      .flatMap((file) => file.functions)
      .flatMap((fn) => {
        const problem = scopingProblem(fn);
        return problem ? [`${fn.file}: ${fn.name}: ${problem}`] : [];
      });
    expect(offenders).toEqual([]);
  });

  it('exports functions only in forms the check can read', () => {
    expect([...scoped, crossTenant].flatMap((file) => file?.unsupported ?? [])).toEqual([]);
  });

  it('cross-tenant.ts exports exactly the allow-list, each function saying why', () => {
    const functions = crossTenant?.functions ?? [];
    expect(functions.map((fn) => fn.name).sort()).toEqual(Object.keys(CROSS_TENANT_ALLOWED).sort());
    expect(functions.filter((fn) => !fn.doc.includes('Why cross-tenant:')).map((fn) => fn.name)).toEqual([]);
  });

  it('cross-tenant functions are reached only through @mailgrid/db/cross-tenant', () => {
    const index = readFileSync(join(SRC, 'index.ts'), 'utf8');
    expect(index).not.toMatch(/cross-tenant/);
    const manifest = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8'));
    expect(manifest.exports['./cross-tenant']).toBe('./src/repositories/cross-tenant.ts');
    // Repository modules do not pass them on under another name either.
    for (const file of repositoryFiles.filter((name) => name !== CROSS_TENANT)) {
      expect(readFileSync(join(REPOSITORIES, file), 'utf8'), file).not.toMatch(/from '\.\/cross-tenant'/);
    }
  });
});

describe('the check itself', () => {
  const check = (source: string) =>
    exportedFunctions('sample.ts', source)
      .functions.map((fn) => [fn.name, scopingProblem(fn)] as const)
      .filter(([, problem]) => problem !== null)
      .map(([name]) => name);

  it('accepts the tenant (by name, as a Caller or a Tenant) after the handles, and pure helpers', () => {
    expect(
      check(`
        export async function a(db: Db, tenantId: string, id: string) {}
        export async function b(db: Db, d1: D1Database, caller: Caller, id: string) {}
        export function c(db: Db, tenant: Tenant) {}
        export const d = (db: Db, tenant_id: string) => db;
        export function isTaken(err: unknown): boolean { return false; }
        function notExported(db: Db, id: string) {}
      `),
    ).toEqual([]);
  });

  it('flags a missing, misplaced or unhandled tenant', () => {
    expect(
      check(`
        export async function byIdOnly(db: Db, id: string) {}
        export async function tenantSecond(db: Db, id: string, tenantId: string) {}
        export function tenantInRow(db: Db, row: NewEmailRow) {}
        export async function batchWithoutTenant(db: Db, d1: D1Database, requestId: string) {}
        export const arrow = async (db: Db, ids: string[]) => ids;
        export function handleLast(tenantId: string, db: Db) {}
        export function onlyDb(db: Db) {}
      `),
    ).toEqual([
      'byIdOnly',
      'tenantSecond',
      'tenantInRow',
      'batchWithoutTenant',
      'arrow',
      'handleLast',
      'onlyDb',
    ]);
  });

  it('reports exports it cannot check', () => {
    expect(
      exportedFunctions('sample.ts', `export { findX } from './x';\nexport const f = g;\nexport default h;`)
        .unsupported,
    ).toHaveLength(3);
  });
});
