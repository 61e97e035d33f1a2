// Resend's domain extras (tls, capabilities), domain claims, request logs and usage, driven through
// the official `resend` SDK against the real mesh. SES (identities, configuration sets) and the public
// DNS are the stack's stand-ins (packages/stack/src/aws-standins.ts), which admin reaches over real
// SigV4-signed HTTP and DNS-over-HTTPS; the test publishes the claim's TXT record there, as the
// claimant would at its DNS provider.
import { describe, expect, it } from 'vitest';
import { mesh } from './client';
import { delivered, resendWith } from './mail';

const { sdkDomains: tenant, domains: firstOwner } = mesh;
const resend = resendWith(tenant.full.token);
const ownerResend = resendWith(firstOwner.full.token);

function newName(label: string): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}.example.org`;
}

/** The TLS policy the SES stand-in holds for a configuration set (OPTIONAL when there is none). */
async function tlsPolicy(setName: string): Promise<string> {
  const response = await fetch(`${mesh.sesProxyUrl}/v2/email/configuration-sets/${setName}`, {
    headers: { authorization: 'AWS4-HMAC-SHA256 Credential=mesh-test' },
  });
  if (response.status === 404) return 'OPTIONAL';
  return ((await response.json()) as { DeliveryOptions: { TlsPolicy: string } }).DeliveryOptions.TlsPolicy;
}

async function setDns(name: string, type: string, values: string[]) {
  const response = await fetch(`${mesh.sesProxyUrl}/__standin/dns`, {
    method: 'POST',
    body: JSON.stringify({ name, type, values }),
  });
  expect(response.status).toBe(200);
}

/** Polls until the request log has an entry matching `match` (it is written after the answer). */
async function logEntry(match: (entry: { endpoint: string; method: string }) => boolean) {
  for (let tries = 0; tries < 50; tries++) {
    const { data, error } = await resend.logs.list({ limit: 100 });
    expect(error).toBeNull();
    const found = data?.data.find(match);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no such log entry');
}

describe('domains: tls and capabilities', () => {
  it('creates, reads and updates them, SES holding the TLS policy, and refuses unknown values', async () => {
    const name = newName('tls');
    const created = await resend.domains.create({
      name,
      tls: 'enforced',
      capabilities: { sending: 'enabled' },
    });
    expect(created.error).toBeNull();
    const id = created.data?.id as string;
    expect(created.data?.capabilities).toEqual({ sending: 'enabled', receiving: 'disabled' });
    expect(await tlsPolicy(`mailgrid-domain-${id}`)).toBe('REQUIRE');

    const updated = await resend.domains.update({
      id,
      tls: 'opportunistic',
      capabilities: { sending: 'disabled' },
    });
    expect(updated.error).toBeNull();
    expect(updated.data).toMatchObject({ object: 'domain', id });
    const got = await resend.domains.get(id);
    expect(got.data).toMatchObject({
      id,
      name,
      capabilities: { sending: 'disabled', receiving: 'disabled' },
    });
    expect(await tlsPolicy(`mailgrid-domain-${id}`)).toBe('OPTIONAL');

    const badTls = await resend.domains.update({ id, tls: 'strict' as 'enforced' });
    expect(badTls.error?.statusCode).toBe(422);
    expect(badTls.error?.message).toContain('tls');
    const badCapability = await resend.domains.create({
      name: newName('cap'),
      capabilities: { sending: 'on' as 'enabled' },
    });
    expect(badCapability.error?.statusCode).toBe(422);
    expect(badCapability.error?.message).toContain('capabilities.sending');
    // Refused input changed nothing.
    expect((await resend.domains.get(id)).data?.capabilities.sending).toBe('disabled');
  });

  it('sends mail of a TLS-enforced domain with its own configuration set', async () => {
    const list = await resend.domains.list();
    const seeded = list.data?.data.find((domain) => domain.name === 'sdk-domains.mesh.test');
    if (!seeded) throw new Error('the seeded domain is missing');
    expect((await resend.domains.update({ id: seeded.id, tls: 'enforced' })).error).toBeNull();
    try {
      const sent = await resendWith(tenant.sending.token).emails.send({
        from: 'hello@sdk-domains.mesh.test',
        to: 'tls@example.com',
        subject: 'over TLS only',
        text: 'x',
      });
      expect(sent.error).toBeNull();
      const { record } = await delivered(sent.data?.id as string);
      expect(record.configuration_set).toBe(`mailgrid-domain-${seeded.id}`);
    } finally {
      await resend.domains.update({ id: seeded.id, tls: 'opportunistic' });
    }
  });
});

describe('domain claims', () => {
  it('proves a domain over DNS and takes it from the tenant that registered it', async () => {
    const name = newName('claimed');
    const owned = await ownerResend.domains.create({ name });
    expect(owned.error).toBeNull();
    const ownedId = owned.data?.id as string;

    // Adding it is refused, and points at claiming.
    const taken = await resend.domains.create({ name });
    expect(taken.error?.statusCode).toBe(409);
    expect(taken.error?.message).toContain('claim');

    const claim = await resend.domains.claims.create({ name });
    expect(claim.error).toBeNull();
    expect(claim.data).toMatchObject({
      object: 'domain_claim',
      name,
      status: 'pending',
      region: 'us-east-1',
      blocked_reason: null,
      record: { type: 'TXT', name, ttl: 'Auto' },
    });
    const placeholder = claim.data?.domain_id as string;
    const txt = claim.data?.record.value as string;
    expect(Date.parse(claim.data?.expires_at as string)).toBeGreaterThan(Date.now());

    // Not published yet: still pending, and still the owner's.
    const early = await resend.domains.claims.verify(placeholder);
    expect(early.data).toMatchObject({ status: 'pending' });
    expect(early.data?.failure_reason).toContain(txt);
    expect((await ownerResend.domains.get(ownedId)).data?.name).toBe(name);

    await setDns(name, 'TXT', [`"${txt}"`]);
    const verified = await resend.domains.claims.verify(placeholder);
    expect(verified.error).toBeNull();
    expect(verified.data).toMatchObject({
      object: 'domain_claim',
      status: 'completed',
      domain_id: placeholder,
    });
    expect((await resend.domains.claims.get(placeholder)).data?.status).toBe('completed');

    // The domain moved: the owner lost it, the claimant has it with fresh DKIM records to publish.
    const gone = await ownerResend.domains.get(ownedId);
    expect(gone.error?.statusCode).toBe(404);
    const mine = await resend.domains.get(placeholder);
    expect(mine.data).toMatchObject({ id: placeholder, name, status: 'not_started' });
    expect(mine.data?.records.filter((record) => record.record === 'DKIM')).toHaveLength(3);
    const ownerNames = (await ownerResend.domains.list()).data?.data.map((domain) => domain.name);
    expect(ownerNames).not.toContain(name);
  });
});

describe('logs and usage', () => {
  it('logs each request, its secrets redacted, readable by the tenant', async () => {
    const created = await resend.apiKeys.create({ name: `logged-${crypto.randomUUID().slice(0, 6)}` });
    expect(created.error).toBeNull();
    const token = created.data?.token as string;
    const entry = await logEntry((e) => e.endpoint === '/api-keys' && e.method === 'POST');
    expect(entry).toMatchObject({ method: 'POST', response_status: 201 });
    expect(entry.user_agent).toMatch(/^resend-node/);
    const log = await resend.logs.get(entry.id);
    expect(log.error).toBeNull();
    expect(log.data).toMatchObject({
      object: 'log',
      id: entry.id,
      endpoint: '/api-keys',
      response_body: { id: created.data?.id, token: '[redacted]' },
    });
    expect(JSON.stringify(log.data)).not.toContain(token);
    // Another tenant cannot read it.
    expect((await ownerResend.logs.get(entry.id)).error?.statusCode).toBe(404);
    await resend.apiKeys.remove(created.data?.id as string);
  });

  it('answers usage with the day against the daily quota', async () => {
    const usage = await resend.usage.get();
    expect(usage.error).toBeNull();
    const data = usage.data;
    if (!data) throw new Error('no usage');
    expect(data.object).toBe('usage');
    expect(data.emails.daily.used).toBeGreaterThanOrEqual(1);
    expect(data.emails.daily.sent).toBe(data.emails.daily.used);
    expect(data.emails.daily.limit).toBeNull();
    expect(Date.parse(data.emails.daily.resets_at)).toBeGreaterThan(Date.now());
    expect(data.emails.monthly.used).toBeGreaterThanOrEqual(data.emails.daily.used);
    expect(typeof data.emails.monthly.limit).toBe('number');
    expect(data.domains.used).toBeGreaterThanOrEqual(1);
    expect(data.rate_limit).toEqual({ limit: 1000, duration: '1s' });
  });
});
