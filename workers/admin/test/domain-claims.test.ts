// Domains' TLS policy and capabilities, domain claims and usage, over real RPC against the real local
// D1. SES (identities and configuration sets) and the DNS-over-HTTPS resolver are a fake on
// globalThis.fetch, which sees every request as it leaves the worker.
import type { Caller } from '@mailgrid/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { account, domains, failure, realEnv, twoTenants, value } from './helpers';

interface Fake {
  identities: Map<string, { tokens: string[]; mailFrom: string | null }>;
  /** Configuration set name → its TLS policy. */
  sets: Map<string, string>;
  dns: Map<string, string[]>;
}

let fake: Fake;

beforeEach(() => {
  fake = { identities: new Map(), sets: new Map(), dns: new Map() };
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = await request.text();
    if (url.href.startsWith(realEnv.SES_ENDPOINT)) return ses(request.method, url.pathname, body);
    if (url.href.startsWith(realEnv.DOH_URL ?? '')) {
      const values = fake.dns.get(`${url.searchParams.get('type')} ${url.searchParams.get('name')}`) ?? [];
      return Response.json({
        Status: values.length ? 0 : 3,
        Answer: values.map((data) => ({ name: 'x.', type: 16, TTL: 300, data })),
      });
    }
    throw new Error(`unexpected fetch ${request.method} ${url}`);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

function sesError(status: number, type: string): Response {
  return Response.json({ message: type }, { status, headers: { 'x-amzn-ErrorType': type } });
}

function ses(method: string, path: string, body: string): Response {
  const set = /^\/v2\/email\/configuration-sets(?:\/([^/]+))?(\/delivery-options)?$/.exec(path);
  if (set) {
    const name = set[1] ? decodeURIComponent(set[1]) : JSON.parse(body).ConfigurationSetName;
    if (method === 'POST') {
      fake.sets.set(name, JSON.parse(body).DeliveryOptions?.TlsPolicy ?? 'OPTIONAL');
      return Response.json({});
    }
    if (!fake.sets.has(name)) return sesError(404, 'NotFoundException');
    if (method === 'PUT') fake.sets.set(name, JSON.parse(body).TlsPolicy);
    if (method === 'DELETE') fake.sets.delete(name);
    return Response.json({ DeliveryOptions: { TlsPolicy: fake.sets.get(name) } });
  }
  const match = /^\/v2\/email\/identities(?:\/([^/]+))?(\/mail-from)?$/.exec(path);
  if (!match) throw new Error(`unexpected SES call ${method} ${path}`);
  const name = match[1] ? decodeURIComponent(match[1]) : (JSON.parse(body).EmailIdentity as string);
  const identity = fake.identities.get(name);
  if (method === 'POST') {
    if (identity) return sesError(400, 'AlreadyExistsException');
    const tokens = [1, 2, 3].map(() => crypto.randomUUID().replaceAll('-', ''));
    fake.identities.set(name, { tokens, mailFrom: null });
    return Response.json({ DkimAttributes: { Status: 'PENDING', Tokens: tokens } });
  }
  if (!identity) return sesError(404, 'NotFoundException');
  if (method === 'PUT') identity.mailFrom = JSON.parse(body).MailFromDomain;
  if (method === 'DELETE') fake.identities.delete(name);
  return Response.json({ DkimAttributes: { Status: 'PENDING', Tokens: identity.tokens } });
}

function newName(): string {
  return `claim-${crypto.randomUUID().slice(0, 8)}.example.org`;
}

async function actions(tenantId: string, targetId: string): Promise<string[]> {
  const { results } = await realEnv.DB.prepare(
    'SELECT action FROM audit_log WHERE tenant_id = ? AND target_id = ? ORDER BY created_at, rowid',
  )
    .bind(tenantId, targetId)
    .all<{ action: string }>();
  return results.map((row) => row.action);
}

async function queueEmail(caller: Caller, domainId: string, status: string) {
  await realEnv.DB.prepare(
    `INSERT INTO emails (id, tenant_id, domain_id, from_address, to_addresses, subject, body_key, status, last_event, created_at)
     VALUES (?, ?, ?, 'a@x', '["b@y"]', 's', 'k', ?, ?, ?)`,
  )
    .bind(crypto.randomUUID(), caller.tenant_id, domainId, status, status, new Date().toISOString())
    .run();
}

describe('tls and capabilities', () => {
  it('gives an enforced domain a configuration set with TLS required, and takes it away again', async () => {
    const { acme } = await twoTenants();
    const domain = value(await domains.createDomain(acme, { name: newName(), tls: 'enforced' }));
    expect(domain).toMatchObject({
      tls: 'enforced',
      capabilities: { sending: 'enabled', receiving: 'disabled' },
    });
    expect(fake.sets.get(`mailgrid-domain-${domain.id}`)).toBe('REQUIRE');

    const back = value(await domains.updateDomain(acme, domain.id, { tls: 'opportunistic' }));
    expect(back.tls).toBe('opportunistic');
    expect(fake.sets.has(`mailgrid-domain-${domain.id}`)).toBe(false);
    expect(value(await domains.getDomain(acme, domain.id)).tls).toBe('opportunistic');
  });

  it('switches sending off and on, and refuses receiving (Mailgrid receives no mail)', async () => {
    const { acme } = await twoTenants();
    const domain = value(await domains.createDomain(acme, { name: newName() }));
    const off = value(await domains.updateDomain(acme, domain.id, { capabilities: { sending: 'disabled' } }));
    expect(off.capabilities).toEqual({ sending: 'disabled', receiving: 'disabled' });
    const refused = failure(
      await domains.updateDomain(acme, domain.id, { capabilities: { receiving: 'enabled' } }),
    );
    expect(refused.code).toBe('invalid_parameter');
    expect(refused.message).toContain('capabilities.receiving');
    expect(value(await domains.getDomain(acme, domain.id)).capabilities.sending).toBe('disabled');
  });
});

describe('domain claims', () => {
  it('refuses a claim on a name nobody else holds', async () => {
    const { acme } = await twoTenants();
    expect(failure(await domains.claimDomain(acme, { name: newName() })).code).toBe('conflict');
  });

  it('stays pending until the TXT record is published, then moves the domain to the claimant', async () => {
    const { acme, globex } = await twoTenants();
    const name = newName();
    const owned = value(await domains.createDomain(acme, { name }));
    const oldTokens = fake.identities.get(name)?.tokens;

    const claim = value(await domains.claimDomain(globex, { name }));
    expect(claim).toMatchObject({ object: 'domain_claim', name, status: 'pending', blocked_reason: null });
    expect(claim.record).toMatchObject({ type: 'TXT', name, ttl: 'Auto' });
    expect(claim.record.value).toMatch(/^mailgrid-domain-verification=[0-9a-f]{32}$/);
    const placeholder = claim.domain_id as string;
    // The placeholder can be read, but not verified or changed, and it cannot send.
    expect(failure(await domains.verifyDomain(globex, placeholder)).code).toBe('conflict');

    const early = value(await domains.verifyDomainClaim(globex, placeholder));
    expect(early.status).toBe('pending');
    expect(early.failure_reason).toContain(claim.record.value);
    expect(value(await domains.getDomain(acme, owned.id)).id).toBe(owned.id);

    fake.dns.set(`TXT ${name}`, [`"${claim.record.value}"`]);
    const done = value(await domains.verifyDomainClaim(globex, placeholder));
    expect(done).toMatchObject({ status: 'completed', failure_reason: null });
    expect(value(await domains.getDomainClaim(globex, placeholder)).status).toBe('completed');

    // The previous owner no longer has it; its audit log says why. The claimant's domain has fresh DKIM.
    expect(failure(await domains.getDomain(acme, owned.id)).code).toBe('not_found');
    expect(await actions(acme.tenant_id, owned.id)).toEqual(['domain.created', 'domain.claimed_away']);
    const moved = value(await domains.getDomain(globex, placeholder));
    expect(moved).toMatchObject({ name, status: 'not_started' });
    const tokens = moved.records.filter((r) => r.record === 'DKIM').map((r) => r.name.split('.')[0]);
    expect(tokens).toHaveLength(3);
    expect(tokens).not.toEqual(oldTokens);
    expect(await actions(globex.tenant_id, placeholder)).toEqual([
      'domain.created',
      'domain.claim_started',
      'domain.claim_completed',
    ]);
    // Verifying again is harmless.
    expect(value(await domains.verifyDomainClaim(globex, placeholder)).status).toBe('completed');
  });

  it('is blocked while the owner has mail from the domain that has not gone to SES', async () => {
    const { acme, globex } = await twoTenants();
    const name = newName();
    const owned = value(await domains.createDomain(acme, { name }));
    await queueEmail(acme, owned.id, 'scheduled');
    const claim = value(await domains.claimDomain(globex, { name }));
    fake.dns.set(`TXT ${name}`, [`"${claim.record.value}"`]);
    const blocked = value(await domains.verifyDomainClaim(globex, claim.domain_id as string));
    expect(blocked).toMatchObject({ status: 'blocked', blocked_reason: 'pending_scheduled_emails' });
    expect(value(await domains.getDomain(acme, owned.id)).name).toBe(name);
  });

  it('answers not_found for another tenant’s claim, and deleting the placeholder cancels it', async () => {
    const { acme, globex } = await twoTenants();
    const name = newName();
    value(await domains.createDomain(acme, { name }));
    const claim = value(await domains.claimDomain(globex, { name }));
    const placeholder = claim.domain_id as string;
    expect(failure(await domains.getDomainClaim(acme, placeholder)).code).toBe('not_found');
    value(await domains.deleteDomain(globex, placeholder));
    expect(fake.identities.has(name)).toBe(true);
  });
});

describe('getUsage', () => {
  it('counts today’s and this month’s accepted emails against the daily limit', async () => {
    const { acme } = await twoTenants();
    const today = new Date().toISOString().slice(0, 10);
    await realEnv.DB.batch([
      realEnv.DB.prepare('UPDATE tenants SET daily_send_limit = 100 WHERE id = ?').bind(acme.tenant_id),
      realEnv.DB.prepare('INSERT INTO daily_usage (tenant_id, day, accepted) VALUES (?, ?, 7)').bind(
        acme.tenant_id,
        today,
      ),
    ]);
    const usage = value(await account.getUsage(acme));
    expect(usage.object).toBe('usage');
    expect(usage.emails.daily).toMatchObject({ used: 7, limit: 100, sent: 7, received: 0 });
    expect(usage.emails.monthly.used).toBeGreaterThanOrEqual(7);
    expect(Date.parse(usage.emails.daily.resets_at)).toBeGreaterThan(Date.now());
    expect(usage.domains.used).toBe(1);
  });
});
