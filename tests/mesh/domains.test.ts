// Domains and API-key management through the resend SDK against the real mesh. SES's identity API
// and the public DNS are the stack's stand-ins (aws-standins.ts), reached by the admin worker over
// real SigV4-signed HTTP and DNS-over-HTTPS; the test "publishes" records through the stand-in's
// control route, as a customer would at their DNS provider.
import { describe, expect, it } from 'vitest';
import { api, errorOf, mesh } from './client';
import { delivered, resendWith } from './mail';

const { domains: tenant, other } = mesh;
const resend = resendWith(tenant.full.token);
const otherResend = resendWith(other.full.token);

function newName(): string {
  return `d${crypto.randomUUID().slice(0, 8)}.example.org`;
}

/** The stand-in's pretend DNS: publish every record SES asks of the identity. */
async function publishAll(domain: string) {
  const response = await fetch(`${mesh.sesProxyUrl}/__standin/publish`, {
    method: 'POST',
    body: JSON.stringify({ domain }),
  });
  expect(response.status).toBe(200);
}

async function setDns(name: string, type: string, values: string[]) {
  const response = await fetch(`${mesh.sesProxyUrl}/__standin/dns`, {
    method: 'POST',
    body: JSON.stringify({ name, type, values }),
  });
  expect(response.status).toBe(200);
}

function postJson(path: string, key: string, body: unknown, method = 'POST') {
  if (method === 'GET' || method === 'DELETE') return api(path, { key, method });
  return api(path, {
    key,
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('a domain from create to send to delete', () => {
  it('is pending until its records are published, then verified, sends, and is deleted', async () => {
    const name = newName();
    const created = await resend.domains.create({ name, customReturnPath: 'bounce', openTracking: true });
    expect(created.error).toBeNull();
    const domain = created.data;
    if (!domain) throw new Error('no domain');
    expect(domain).toMatchObject({ name, status: 'not_started', region: 'us-east-1', open_tracking: true });
    const records = domain.records;
    expect(records.map((record) => `${record.record} ${record.type} ${record.name}`)).toEqual([
      'SPF MX bounce',
      'SPF TXT bounce',
      ...records.filter((r) => r.record === 'DKIM').map((r) => `DKIM CNAME ${r.name}`),
      'DMARC TXT _dmarc',
    ]);
    const dkim = records.filter((record) => record.record === 'DKIM');
    expect(dkim).toHaveLength(3);
    for (const record of dkim) {
      const token = record.name.replace('._domainkey', '');
      expect(token).toMatch(/^[a-z0-9]{32}$/);
      expect(record.value).toBe(`${token}.dkim.amazonses.com`);
    }
    expect(records[0]).toMatchObject({ value: 'feedback-smtp.us-east-1.amazonses.com', priority: 10 });

    // Nothing published: not verified, each record pending, and the domain cannot send yet.
    const early = await resend.domains.verify(domain.id);
    expect(early.error).toBeNull();
    const pending = await resend.domains.get(domain.id);
    expect(pending.data?.status).toBe('pending');
    expect(pending.data?.records.map((record) => record.status)).toEqual(Array(6).fill('pending'));
    const refused = await postJson('/api/emails', tenant.sending.token, {
      from: `hello@${name}`,
      to: 'someone@example.com',
      subject: 'too early',
      text: 'x',
    });
    expect(refused.status).toBe(422);
    expect((await errorOf(refused)).message).toContain(`the ${name} domain is not verified`);

    // Half published (SPF only): DKIM still pending, not verified.
    await setDns(`bounce.${name}`, 'MX', ['10 feedback-smtp.us-east-1.amazonses.com.']);
    await setDns(`bounce.${name}`, 'TXT', ['"v=spf1 include:amazonses.com ~all"']);
    await resend.domains.verify(domain.id);
    const half = (await resend.domains.get(domain.id)).data;
    expect(half?.status).toBe('pending');
    expect(half?.records.map((record) => `${record.record} ${record.status}`)).toEqual([
      'SPF verified',
      'SPF verified',
      'DKIM pending',
      'DKIM pending',
      'DKIM pending',
      'DMARC pending',
    ]);

    // Everything published: SES sees DKIM and the domain is verified.
    await publishAll(name);
    const verify = await api(`/api/domains/${domain.id}/verify`, { key: tenant.full.token, method: 'POST' });
    expect(verify.status).toBe(200);
    const verified = (await verify.json()) as { status: string; records: { status: string }[] };
    expect(verified.status).toBe('verified');
    expect(verified.records.map((record) => record.status)).toEqual(Array(6).fill('verified'));

    // It sends now.
    const sent = await resendWith(tenant.sending.token).emails.send({
      from: `Shop <hello@${name}>`,
      to: 'customer@example.com',
      subject: 'from the new domain',
      text: 'It works.',
    });
    expect(sent.error).toBeNull();
    const { mail } = await delivered(sent.data?.id as string);
    expect(mail.subject).toBe('from the new domain');

    const listed = await resend.domains.list();
    expect(listed.data?.data.find((d) => d.id === domain.id)).toMatchObject({ name, status: 'verified' });

    const removed = await resend.domains.remove(domain.id);
    expect(removed.data).toEqual({ object: 'domain', id: domain.id, deleted: true });
    expect((await resend.domains.get(domain.id)).error?.statusCode).toBe(404);
    const after = await postJson('/api/emails', tenant.sending.token, {
      from: `hello@${name}`,
      to: 'someone@example.com',
      subject: 'after delete',
      text: 'x',
    });
    expect(after.status).toBe(422);
    // SES's identity is gone too: adding the domain again starts from new DKIM tokens.
    const again = await resend.domains.create({ name });
    expect(again.error).toBeNull();
    expect(again.data?.status).toBe('not_started');
    const newTokens = again.data?.records.filter((r) => r.record === 'DKIM').map((r) => r.name);
    expect(newTokens).not.toEqual(dkim.map((r) => r.name));
  });
});

describe('domain updates', () => {
  it('changes tracking settings through the SDK and the tracking_hostname extra', async () => {
    const name = newName();
    const { data } = await resend.domains.create({ name });
    const id = data?.id as string;
    const updated = await resend.domains.update({
      id,
      openTracking: true,
      clickTracking: true,
      trackingSubdomain: 'go',
    });
    expect(updated.error).toBeNull();
    expect((await resend.domains.get(id)).data).toMatchObject({
      open_tracking: true,
      click_tracking: true,
      tracking_subdomain: 'go',
    });
    const host = await postJson(
      `/api/domains/${id}`,
      tenant.full.token,
      { tracking_hostname: `t.${name}` },
      'PATCH',
    );
    expect(host.status).toBe(200);
    expect(await host.json()).toMatchObject({ tracking_hostname: `t.${name}`, tracking_subdomain: 't' });
  });
});

describe('domain validation', () => {
  it.each([
    [{ name: 'not a domain' }, 'name'],
    [{ name: 'localhost' }, 'name'],
    [{ name: newName(), region: 'mars-1' }, 'region'],
    [{ name: newName(), region: 'eu-west-1' }, 'region'],
    [{ name: newName(), custom_return_path: 'bad.label' }, 'custom_return_path'],
    [{ name: newName(), custom_return_path: '-x' }, 'custom_return_path'],
    [{ name: newName(), tracking_hostname: 'not a host' }, 'tracking_hostname'],
    [{ name: newName(), tracking_hostname: 'links.elsewhere.com' }, 'tracking_hostname'],
    [{ name: newName(), open_tracking: 'yes' }, 'open_tracking'],
    [{}, 'name'],
  ])('refuses %j with 422 naming %s', async (body, field) => {
    const response = await postJson('/api/domains', tenant.full.token, body);
    expect(response.status).toBe(422);
    expect((await errorOf(response)).message).toContain(field);
  });

  it('refuses bad updates with 422 naming the field', async () => {
    const { data } = await resend.domains.create({ name: newName() });
    const id = data?.id as string;
    for (const [body, field] of [
      [{ tracking_hostname: 'x..y' }, 'tracking_hostname'],
      [{ custom_return_path: 'a b' }, 'custom_return_path'],
      [{ click_tracking: 1 }, 'click_tracking'],
      [{ region: 'us-east-1' }, 'region'],
    ] as const) {
      const response = await postJson(`/api/domains/${id}`, tenant.full.token, body, 'PATCH');
      expect(response.status).toBe(422);
      expect((await errorOf(response)).message).toContain(field);
    }
  });

  it('answers 409 for a name the tenant already has', async () => {
    const name = newName();
    expect((await resend.domains.create({ name })).error).toBeNull();
    const again = await postJson('/api/domains', tenant.full.token, { name });
    expect(again.status).toBe(409);
    expect((await errorOf(again)).name).toBe('conflict');
  });
});

describe('domain access', () => {
  it('is not_found on every route for another tenant', async () => {
    const { data } = await resend.domains.create({ name: newName() });
    const id = data?.id as string;
    expect((await otherResend.domains.get(id)).error?.statusCode).toBe(404);
    expect((await otherResend.domains.update({ id, openTracking: true })).error?.statusCode).toBe(404);
    expect((await otherResend.domains.verify(id)).error?.statusCode).toBe(404);
    expect((await otherResend.domains.remove(id)).error?.statusCode).toBe(404);
    expect((await otherResend.domains.list()).data?.data.map((d) => d.id)).not.toContain(id);
    expect((await resend.domains.get(id)).data?.id).toBe(id);
  });

  it('refuses a sending_access key with 403 on every route', async () => {
    const { data } = await resend.domains.create({ name: newName() });
    const id = data?.id as string;
    const key = tenant.sending.token;
    const calls: [string, string][] = [
      ['POST', '/api/domains'],
      ['GET', '/api/domains'],
      ['GET', `/api/domains/${id}`],
      ['PATCH', `/api/domains/${id}`],
      ['POST', `/api/domains/${id}/verify`],
      ['DELETE', `/api/domains/${id}`],
      ['PATCH', `/api/api-keys/${tenant.full.id}`],
    ];
    for (const [method, path] of calls) {
      const response = await postJson(path, key, { name: newName() }, method);
      expect(response.status, `${method} ${path}`).toBe(403);
      expect((await errorOf(response)).name).toBe('restricted_api_key');
    }
  });

  it('refuses to delete a domain a live key is restricted to (409)', async () => {
    const { data } = await resend.domains.create({ name: newName() });
    const id = data?.id as string;
    const key = await resend.apiKeys.create({
      name: 'restricted',
      permission: 'sending_access',
      domain_id: id,
    });
    expect(key.error).toBeNull();
    const refused = await api(`/api/domains/${id}`, { key: tenant.full.token, method: 'DELETE' });
    expect(refused.status).toBe(409);
    expect((await errorOf(refused)).message).toContain('"restricted"');
    expect((await resend.apiKeys.remove(key.data?.id as string)).error).toBeNull();
    expect((await resend.domains.remove(id)).error).toBeNull();
  });
});

describe('API key rename', () => {
  it('renames a key through the SDK; another tenant and bad input are refused', async () => {
    const created = await resend.apiKeys.create({ name: 'before' });
    const id = created.data?.id as string;
    const updated = await resend.apiKeys.update(id, { name: 'after' });
    expect(updated.error).toBeNull();
    expect(updated.data).toEqual({ object: 'api_key', id });
    const listed = await resend.apiKeys.list();
    expect(listed.data?.data.find((key) => key.id === id)?.name).toBe('after');

    expect((await otherResend.apiKeys.update(id, { name: 'theirs' })).error?.statusCode).toBe(404);
    const empty = await postJson(`/api/api-keys/${id}`, tenant.full.token, { name: '  ' }, 'PATCH');
    expect(empty.status).toBe(422);
    expect((await errorOf(empty)).message).toContain('name');
    const extra = await postJson(
      `/api/api-keys/${id}`,
      tenant.full.token,
      { name: 'x', permission: 'full_access' },
      'PATCH',
    );
    expect(extra.status).toBe(422);
    expect((await errorOf(extra)).message).toContain('permission');
    // The key still works under its new name.
    const health = await api('/health', { key: created.data?.token as string });
    expect(health.status).toBe(200);
  });
});
