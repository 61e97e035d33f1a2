// DomainsService's domain methods over real RPC against the real local D1. SES and the DNS resolver
// are a fake on globalThis.fetch (admin calls both from this isolate): it sees every request as it
// leaves the worker, SigV4-signed, and answers as SES v2 and a DNS-over-HTTPS JSON API would.
import type { Caller, DomainObject } from '@mailgrid/contracts';
import { callerFor, seedTenant } from '@mailgrid/testing/fixtures';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { account, domains, failure, realEnv, twoTenants, value } from './helpers';

interface FakeIdentity {
  tokens: string[];
  mailFrom: string | null;
  dkimStatus?: string;
}

/** SES's identities and the public DNS, as the fake holds them; `calls` is every request made. */
interface Fake {
  identities: Map<string, FakeIdentity>;
  dns: Map<string, string[]>;
  calls: { method: string; url: URL; body: string; authorization: string | null }[];
  sesDown: boolean;
  dohDown: boolean;
}

let fake: Fake;

beforeEach(() => {
  fake = { identities: new Map(), dns: new Map(), calls: [], sesDown: false, dohDown: false };
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = await request.text();
    fake.calls.push({
      method: request.method,
      url,
      body,
      authorization: request.headers.get('authorization'),
    });
    if (url.href.startsWith(realEnv.SES_ENDPOINT)) return ses(request.method, url.pathname, body);
    if (url.href.startsWith(realEnv.DOH_URL ?? '')) return doh(request, url);
    throw new Error(`unexpected fetch ${request.method} ${url}`);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

function sesError(status: number, type: string, message: string): Response {
  return Response.json({ message }, { status, headers: { 'x-amzn-ErrorType': type } });
}

function ses(method: string, path: string, body: string): Response {
  if (fake.sesDown) return sesError(503, 'ServiceUnavailable', 'down');
  const match = /^\/v2\/email\/identities(?:\/([^/]+))?(\/mail-from)?$/.exec(path);
  if (!match) throw new Error(`unexpected SES call ${method} ${path}`);
  const name = match[1] ? decodeURIComponent(match[1]) : (JSON.parse(body).EmailIdentity as string);
  const identity = fake.identities.get(name);
  if (method === 'POST') {
    if (identity) return sesError(400, 'AlreadyExistsException', `${name} already exists`);
    const tokens = [1, 2, 3].map(() => crypto.randomUUID().replaceAll('-', ''));
    fake.identities.set(name, { tokens, mailFrom: null });
    return Response.json({
      IdentityType: 'DOMAIN',
      VerifiedForSendingStatus: false,
      DkimAttributes: { SigningEnabled: true, Status: 'PENDING', Tokens: tokens },
    });
  }
  if (!identity) return sesError(404, 'NotFoundException', `${name} does not exist`);
  if (method === 'PUT' && match[2]) {
    identity.mailFrom = JSON.parse(body).MailFromDomain;
    return Response.json({});
  }
  if (method === 'DELETE') {
    fake.identities.delete(name);
    return Response.json({});
  }
  // GET: DKIM succeeds once every token's CNAME is in the fake DNS (as SES would find them).
  const published = identity.tokens.every((token) =>
    fake.dns.get(`CNAME ${token}._domainkey.${name}`)?.includes(`${token}.dkim.amazonses.com.`),
  );
  return Response.json({
    IdentityType: 'DOMAIN',
    DkimAttributes: {
      SigningEnabled: true,
      Status: identity.dkimStatus ?? (published ? 'SUCCESS' : 'PENDING'),
      Tokens: identity.tokens,
    },
    MailFromAttributes: identity.mailFrom
      ? {
          MailFromDomain: identity.mailFrom,
          MailFromDomainStatus: 'PENDING',
          BehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
        }
      : undefined,
  });
}

const TYPE_CODES: Record<string, number> = { CNAME: 5, MX: 15, TXT: 16 };

function doh(request: Request, url: URL): Response {
  expect(request.headers.get('accept')).toBe('application/dns-json');
  if (fake.dohDown) return Response.json({ Status: 2 });
  const name = url.searchParams.get('name') ?? '';
  const type = url.searchParams.get('type') ?? '';
  const values = fake.dns.get(`${type} ${name}`) ?? [];
  return Response.json({
    Status: values.length ? 0 : 3,
    Answer: values.map((data) => ({ name: `${name}.`, type: TYPE_CODES[type], TTL: 300, data })),
  });
}

/** Publishes every record the domain lists, as a DNS provider would serve them. */
function publish(domain: DomainObject, only?: (record: DomainObject['records'][number]) => boolean) {
  for (const record of domain.records.filter(only ?? (() => true))) {
    const fqdn = `${record.name}.${domain.name}`;
    const data =
      record.type === 'TXT'
        ? `"${record.value}"`
        : record.type === 'MX'
          ? `${record.priority} ${record.value}.`
          : `${record.value}.`;
    fake.dns.set(`${record.type} ${fqdn}`, [...(fake.dns.get(`${record.type} ${fqdn}`) ?? []), data]);
  }
}

function newName(label = 'mail'): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}.example.org`;
}

async function audit(targetId: string) {
  const { results } = await realEnv.DB.prepare(
    'SELECT action, actor_id, request_id, summary FROM audit_log WHERE target_id = ? ORDER BY created_at, rowid',
  )
    .bind(targetId)
    .all<{ action: string; actor_id: string; request_id: string; summary: string }>();
  return results;
}

async function created(caller: Caller, name = newName()): Promise<DomainObject> {
  return value(await domains.createDomain(caller, { name }));
}

describe('createDomain', () => {
  it('registers the SES identity, signed, and returns the records to publish', async () => {
    const { acme } = await twoTenants();
    const name = newName();
    const domain = await created(acme, name);

    const identity = fake.identities.get(name);
    expect(identity?.mailFrom).toBe(`send.${name}`);
    const sesCalls = fake.calls.filter((call) => call.url.href.startsWith(realEnv.SES_ENDPOINT));
    expect(sesCalls.map((call) => `${call.method} ${call.url.pathname}`)).toEqual([
      'POST /v2/email/identities',
      `PUT /v2/email/identities/${name}/mail-from`,
    ]);
    for (const call of sesCalls) {
      expect(call.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=local-dev\/\d{8}\/us-east-1\/ses\/aws4_request, SignedHeaders=\S+, Signature=[0-9a-f]{64}$/,
      );
    }
    expect(JSON.parse(sesCalls[1]?.body ?? '')).toEqual({
      MailFromDomain: `send.${name}`,
      BehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
    });

    expect(domain).toMatchObject({
      object: 'domain',
      name,
      status: 'not_started',
      region: 'us-east-1',
      capabilities: { sending: 'enabled', receiving: 'disabled' },
      open_tracking: false,
      click_tracking: false,
      tracking_hostname: null,
      custom_return_path: 'send',
    });
    expect(domain.records).toEqual([
      {
        record: 'SPF',
        name: 'send',
        type: 'MX',
        value: 'feedback-smtp.us-east-1.amazonses.com',
        priority: 10,
        ttl: 'Auto',
        status: 'not_started',
      },
      {
        record: 'SPF',
        name: 'send',
        type: 'TXT',
        value: 'v=spf1 include:amazonses.com ~all',
        ttl: 'Auto',
        status: 'not_started',
      },
      ...(identity?.tokens ?? []).map((token) => ({
        record: 'DKIM',
        name: `${token}._domainkey`,
        type: 'CNAME',
        value: `${token}.dkim.amazonses.com`,
        ttl: 'Auto',
        status: 'not_started',
      })),
      {
        record: 'DMARC',
        name: '_dmarc',
        type: 'TXT',
        value: 'v=DMARC1; p=none;',
        ttl: 'Auto',
        status: 'not_started',
      },
    ]);
    expect(await audit(domain.id)).toEqual([
      expect.objectContaining({
        action: 'domain.created',
        actor_id: acme.key_prefix,
        request_id: acme.request_id,
      }),
    ]);
    expect(value(await domains.getDomain(acme, domain.id))).toEqual(domain);
  });

  it('takes a custom return path and tracking settings', async () => {
    const { acme } = await twoTenants();
    const name = newName();
    const domain = value(
      await domains.createDomain(acme, {
        name,
        custom_return_path: 'bounces',
        open_tracking: true,
        click_tracking: false,
        tracking_subdomain: 'links',
      }),
    );
    expect(fake.identities.get(name)?.mailFrom).toBe(`bounces.${name}`);
    expect(domain).toMatchObject({
      custom_return_path: 'bounces',
      open_tracking: true,
      click_tracking: false,
      tracking_subdomain: 'links',
      tracking_hostname: `links.${name}`,
    });
    expect(domain.records.filter((record) => record.record === 'SPF').map((record) => record.name)).toEqual([
      'bounces',
      'bounces',
    ]);
    // The columns the send worker reads.
    const row = await realEnv.DB.prepare(
      'SELECT open_tracking, click_tracking, tracking_hostname, custom_return_path FROM domains WHERE id = ?',
    )
      .bind(domain.id)
      .first();
    expect(row).toEqual({
      open_tracking: 1,
      click_tracking: 0,
      tracking_hostname: `links.${name}`,
      custom_return_path: 'bounces',
    });
  });

  it('asks for a CNAME from the custom tracking host to the tracking worker, checked but not required', async () => {
    const { acme } = await twoTenants();
    const name = newName();
    const domain = value(await domains.createDomain(acme, { name, tracking_subdomain: 'links' }));
    const tracking = domain.records.filter((record) => record.record === 'Tracking');
    expect(tracking).toEqual([
      {
        record: 'Tracking',
        name: 'links',
        type: 'CNAME',
        value: realEnv.TRACKING_CNAME_TARGET,
        ttl: 'Auto',
        status: 'not_started',
      },
    ]);
    // Sending needs SPF and DKIM only; the tracking record gets its own state.
    publish(domain, (record) => record.record !== 'Tracking');
    const withoutTracking = value(await domains.verifyDomain(acme, domain.id));
    expect(withoutTracking.status).toBe('verified');
    expect(withoutTracking.records.find((record) => record.record === 'Tracking')?.status).toBe('pending');
    publish(domain, (record) => record.record === 'Tracking');
    const withTracking = value(await domains.verifyDomain(acme, domain.id));
    expect(withTracking.records.find((record) => record.record === 'Tracking')?.status).toBe('verified');
    // Without a custom host there is nothing to point anywhere.
    const plain = await created(acme);
    expect(plain.records.some((record) => record.record === 'Tracking')).toBe(false);
  });

  it('refuses a tracking host outside the domain, a region SES is not in, and changes nothing', async () => {
    const { acme } = await twoTenants();
    const name = newName();
    expect(
      failure(await domains.createDomain(acme, { name, tracking_hostname: 'links.elsewhere.com' })),
    ).toEqual({
      code: 'invalid_parameter',
      message: `tracking_hostname must be a subdomain of ${name}, e.g. links.${name}.`,
    });
    const region = failure(await domains.createDomain(acme, { name, region: 'eu-west-1' }));
    expect(region.code).toBe('invalid_parameter');
    expect(region.message).toMatch(/^region: eu-west-1 is not available here/);
    const both = failure(
      await domains.createDomain(acme, { name, tracking_subdomain: 'a', tracking_hostname: `b.${name}` }),
    );
    expect(both.code).toBe('invalid_parameter');
    expect(fake.calls).toEqual([]);
    expect(value(await domains.listDomains(acme, { limit: 100 })).data.map((d) => d.name)).not.toContain(
      name,
    );
  });

  it('answers conflict for a name the tenant or another tenant already has', async () => {
    const { acme, globex } = await twoTenants();
    const name = newName();
    const first = await created(acme, name);
    const again = failure(await domains.createDomain(acme, { name }));
    expect(again).toEqual({
      code: 'conflict',
      message: `You already have the domain ${name} (${first.id}).`,
    });
    expect(failure(await domains.createDomain(globex, { name })).code).toBe('conflict');
    expect(fake.identities.size).toBe(1);
  });

  it('adopts an identity SES already has (a create that failed half-way before)', async () => {
    const { acme } = await twoTenants();
    const name = newName();
    fake.identities.set(name, { tokens: ['aaa', 'bbb', 'ccc'], mailFrom: null });
    const domain = await created(acme, name);
    expect(domain.records.filter((r) => r.record === 'DKIM').map((r) => r.name)).toEqual([
      'aaa._domainkey',
      'bbb._domainkey',
      'ccc._domainkey',
    ]);
  });

  it('is a 503 with nothing stored when SES is down', async () => {
    const { acme } = await twoTenants();
    fake.sesDown = true;
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const name = newName();
    expect(failure(await domains.createDomain(acme, { name })).code).toBe('service_unavailable');
    fake.sesDown = false;
    expect((await created(acme, name)).name).toBe(name);
  });
});

describe('listDomains and getDomain', () => {
  it('lists only the tenant own domains, newest first, and pages', async () => {
    const { acme, globex } = await twoTenants();
    const a = await created(acme);
    const b = await created(acme);
    await created(globex);
    const list = value(await domains.listDomains(acme, { limit: 20 }));
    expect(list.object).toBe('list');
    // The seeded verified domain is there too, created first.
    expect(list.data.map((d) => d.id).slice(0, 2)).toEqual([b.id, a.id]);
    expect(list.data).toHaveLength(3);
    expect(list.data[0]).not.toHaveProperty('records');
    const page = value(await domains.listDomains(acme, { limit: 1, after: b.id }));
    expect(page).toMatchObject({ has_more: true, data: [{ id: a.id }] });
  });

  it('answers not_found for another tenant domain', async () => {
    const { acme, globex } = await twoTenants();
    const domain = await created(acme);
    expect(failure(await domains.getDomain(globex, domain.id)).code).toBe('not_found');
  });

  it('shows a seeded verified domain (from before the Domains API) as verified, without DKIM records', async () => {
    const tenant = await seedTenant(realEnv.DB, {
      slug: `legacy-${crypto.randomUUID().slice(0, 8)}`,
      domain: newName('legacy'),
    });
    const caller = callerFor(tenant.tenantId, tenant.fullKey);
    const domain = value(await domains.getDomain(caller, tenant.domainId));
    expect(domain).toMatchObject({ name: tenant.domain, status: 'verified', custom_return_path: 'send' });
    expect(domain.records.map((record) => record.record)).toEqual(['SPF', 'SPF', 'DMARC']);
  });
});

describe('updateDomain', () => {
  it('changes tracking settings, with an audit entry', async () => {
    const { acme } = await twoTenants();
    const domain = await created(acme);
    const updated = value(
      await domains.updateDomain(acme, domain.id, {
        open_tracking: true,
        click_tracking: true,
        tracking_subdomain: 'go',
      }),
    );
    expect(updated).toMatchObject({
      open_tracking: true,
      click_tracking: true,
      tracking_hostname: `go.${domain.name}`,
    });
    const cleared = value(
      await domains.updateDomain(acme, domain.id, { tracking_hostname: null, open_tracking: null }),
    );
    expect(cleared).toMatchObject({ open_tracking: false, click_tracking: true, tracking_hostname: null });
    const entries = await audit(domain.id);
    expect(entries.map((entry) => entry.action)).toEqual([
      'domain.created',
      'domain.updated',
      'domain.updated',
    ]);
    expect(JSON.parse(entries[1]?.summary ?? '')).toEqual({
      open_tracking: 1,
      click_tracking: 1,
      tracking_hostname: `go.${domain.name}`,
    });
  });

  it('moves the MAIL FROM at SES when the return path changes', async () => {
    const { acme } = await twoTenants();
    const domain = await created(acme);
    const updated = value(await domains.updateDomain(acme, domain.id, { custom_return_path: 'mx' }));
    expect(fake.identities.get(domain.name)?.mailFrom).toBe(`mx.${domain.name}`);
    expect(updated.records.filter((r) => r.record === 'SPF').map((r) => r.name)).toEqual(['mx', 'mx']);
  });

  it('refuses an empty change, a foreign tracking host, and another tenant domain', async () => {
    const { acme, globex } = await twoTenants();
    const domain = await created(acme);
    expect(failure(await domains.updateDomain(acme, domain.id, {})).code).toBe('missing_required_field');
    const host = failure(await domains.updateDomain(acme, domain.id, { tracking_hostname: 'x.other.org' }));
    expect(host.message).toMatch(/^tracking_hostname must be a subdomain of/);
    expect(failure(await domains.updateDomain(globex, domain.id, { open_tracking: true })).code).toBe(
      'not_found',
    );
    expect((await audit(domain.id)).map((entry) => entry.action)).toEqual(['domain.created']);
  });
});

describe('verifyDomain', () => {
  it('stays pending with per-record states until the records are published, then is verified', async () => {
    const { acme } = await twoTenants();
    const domain = await created(acme);

    const before = value(await domains.verifyDomain(acme, domain.id));
    expect(before.status).toBe('pending');
    expect(before.records.map((record) => record.status)).toEqual(Array(6).fill('pending'));
    expect(before.last_checked_at).not.toBeNull();
    const lookups = fake.calls.filter((call) => call.url.href.startsWith(realEnv.DOH_URL ?? ''));
    expect(
      lookups.map((call) => `${call.url.searchParams.get('type')} ${call.url.searchParams.get('name')}`),
    ).toEqual(
      expect.arrayContaining([
        `MX send.${domain.name}`,
        `TXT send.${domain.name}`,
        `TXT _dmarc.${domain.name}`,
      ]),
    );

    // SPF only: DKIM still missing, so not verified.
    publish(domain, (record) => record.record === 'SPF');
    const partly = value(await domains.verifyDomain(acme, domain.id));
    expect(partly.status).toBe('pending');
    expect(partly.records.map((record) => `${record.record} ${record.status}`)).toEqual([
      'SPF verified',
      'SPF verified',
      'DKIM pending',
      'DKIM pending',
      'DKIM pending',
      'DMARC pending',
    ]);

    // DMARC is a suggestion: verified without it.
    publish(domain, (record) => record.record === 'DKIM');
    const verified = value(await domains.verifyDomain(acme, domain.id));
    expect(verified.status).toBe('verified');
    expect(verified.records.map((record) => record.status)).toEqual([
      ...Array(5).fill('verified'),
      'pending',
    ]);
    const row = await realEnv.DB.prepare('SELECT verified_at FROM domains WHERE id = ?')
      .bind(domain.id)
      .first();
    expect(row?.verified_at).toEqual(expect.any(String));

    const entries = await audit(domain.id);
    expect(entries.map((entry) => entry.action)).toEqual([
      'domain.created',
      'domain.verification_checked',
      'domain.verification_checked',
      'domain.verification_checked',
    ]);
    expect(JSON.parse(entries[3]?.summary ?? '').status).toEqual({ from: 'pending', to: 'verified' });
  });

  it('reports temporary_failure when the resolver cannot answer, and failed when SES gave up', async () => {
    const { acme } = await twoTenants();
    const domain = await created(acme);
    fake.dohDown = true;
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const unsure = value(await domains.verifyDomain(acme, domain.id));
    expect(unsure.status).toBe('temporary_failure');
    expect(new Set(unsure.records.map((record) => record.status))).toEqual(new Set(['temporary_failure']));
    fake.dohDown = false;
    const identity = fake.identities.get(domain.name);
    if (identity) identity.dkimStatus = 'FAILED';
    const failed = value(await domains.verifyDomain(acme, domain.id));
    expect(failed.status).toBe('failed');
    expect(failed.records.filter((r) => r.record === 'DKIM').map((r) => r.status)).toEqual(
      Array(3).fill('failed'),
    );
  });

  it('registers the identity of a domain from before the Domains API', async () => {
    const tenant = await seedTenant(realEnv.DB, {
      slug: `legacy-${crypto.randomUUID().slice(0, 8)}`,
      domain: newName('legacy'),
    });
    const caller = callerFor(tenant.tenantId, tenant.fullKey);
    const checked = value(await domains.verifyDomain(caller, tenant.domainId));
    expect(fake.identities.get(tenant.domain)).toMatchObject({ mailFrom: `send.${tenant.domain}` });
    expect(checked.records.filter((r) => r.record === 'DKIM')).toHaveLength(3);
    // Its records are not published in the fake DNS: it may no longer send until they are.
    expect(checked.status).toBe('pending');
  });

  it('answers not_found for another tenant domain', async () => {
    const { acme, globex } = await twoTenants();
    const domain = await created(acme);
    expect(failure(await domains.verifyDomain(globex, domain.id)).code).toBe('not_found');
  });
});

describe('deleteDomain', () => {
  it('removes the SES identity and the row, with an audit entry', async () => {
    const { acme } = await twoTenants();
    const domain = await created(acme);
    expect(value(await domains.deleteDomain(acme, domain.id))).toEqual({
      object: 'domain',
      id: domain.id,
      deleted: true,
    });
    expect(fake.identities.has(domain.name)).toBe(false);
    expect(
      await realEnv.DB.prepare('SELECT id FROM domains WHERE id = ?').bind(domain.id).first(),
    ).toBeNull();
    expect((await audit(domain.id)).map((entry) => entry.action)).toEqual([
      'domain.created',
      'domain.deleted',
    ]);
    expect(failure(await domains.getDomain(acme, domain.id)).code).toBe('not_found');
  });

  it('refuses while a live key may only send from it', async () => {
    const { acme } = await twoTenants();
    const domain = await created(acme);
    const key = value(
      await account.createApiKey(acme, {
        name: 'shop mailer',
        permission: 'sending_access',
        domain_id: domain.id,
      }),
    );
    expect(failure(await domains.deleteDomain(acme, domain.id))).toEqual({
      code: 'conflict',
      message: `API key "shop mailer" may only send from ${domain.name}; delete it first.`,
    });
    expect(fake.identities.has(domain.name)).toBe(true);
    value(await account.deleteApiKey(acme, key.id));
    // The revoked key still names the domain: the row stays as history, invisible.
    value(await domains.deleteDomain(acme, domain.id));
    expect(failure(await domains.getDomain(acme, domain.id)).code).toBe('not_found');
  });

  it('keeps a domain that sent as history, hidden and unable to send, and lets it be added again', async () => {
    const tenant = await seedTenant(realEnv.DB, {
      slug: `sent-${crypto.randomUUID().slice(0, 8)}`,
      domain: newName('sent'),
    });
    const caller = callerFor(tenant.tenantId, tenant.fullKey);
    const emailId = crypto.randomUUID();
    await realEnv.DB.prepare(
      "INSERT INTO emails (id, tenant_id, domain_id, from_address, to_addresses, subject, body_key, status, last_event, created_at) VALUES (?, ?, ?, ?, '[]', 's', 'k', 'sent', 'sent', ?)",
    )
      .bind(emailId, tenant.tenantId, tenant.domainId, `a@${tenant.domain}`, new Date().toISOString())
      .run();
    value(await domains.deleteDomain(caller, tenant.domainId));
    const row = await realEnv.DB.prepare('SELECT deleted_at, status FROM domains WHERE id = ?')
      .bind(tenant.domainId)
      .first<{ deleted_at: string | null; status: string }>();
    expect(row?.deleted_at).toEqual(expect.any(String));
    expect(row?.status).toBe('not_started');
    expect(value(await domains.listDomains(caller, { limit: 20 })).data).toEqual([]);
    expect(
      await realEnv.DB.prepare('SELECT id FROM emails WHERE id = ?').bind(emailId).first(),
    ).not.toBeNull();

    const again = value(await domains.createDomain(caller, { name: tenant.domain }));
    expect(again).toMatchObject({ id: tenant.domainId, status: 'not_started', name: tenant.domain });
  });

  it('answers not_found for another tenant domain and leaves it', async () => {
    const { acme, globex } = await twoTenants();
    const domain = await created(acme);
    expect(failure(await domains.deleteDomain(globex, domain.id)).code).toBe('not_found');
    expect(value(await domains.getDomain(acme, domain.id)).id).toBe(domain.id);
  });
});

describe('updateApiKey', () => {
  it('renames the key, with an audit entry', async () => {
    const { acme } = await twoTenants();
    const key = value(await account.createApiKey(acme, { name: 'old', permission: 'full_access' }));
    expect(value(await account.updateApiKey(acme, key.id, { name: 'new' }))).toEqual({
      object: 'api_key',
      id: key.id,
    });
    const listed = value(await account.listApiKeys(acme)).find((k) => k.id === key.id);
    expect(listed?.name).toBe('new');
    const entries = await audit(key.id);
    expect(entries.map((entry) => entry.action)).toEqual(['api_key.created', 'api_key.updated']);
    expect(JSON.parse(entries[1]?.summary ?? '').name).toEqual({ from: 'old', to: 'new' });
  });

  it('answers not_found for another tenant key and a revoked key', async () => {
    const { acme, globex } = await twoTenants();
    const key = value(await account.createApiKey(acme, { name: 'mine', permission: 'full_access' }));
    expect(failure(await account.updateApiKey(globex, key.id, { name: 'theirs' })).code).toBe('not_found');
    value(await account.deleteApiKey(acme, key.id));
    expect(failure(await account.updateApiKey(acme, key.id, { name: 'late' })).code).toBe('not_found');
    expect((await audit(key.id)).map((entry) => entry.action)).toEqual([
      'api_key.created',
      'api_key.revoked',
    ]);
  });
});
