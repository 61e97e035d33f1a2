// The audience API through the resend SDK (fetch where the SDK has no call or hides the answer):
// contacts, contact properties, segments and topics, their 422s naming the field, another tenant's
// objects answering 404, a sending_access key refused everywhere, the audit log showing each change,
// and a deleted contact's address staying suppressed.
import { query } from '@mailgrid/stack';
import type { Resend } from 'resend';
import { describe, expect, it } from 'vitest';
import { api, errorOf, mesh } from './client';
import { delivered, postEmail, resendWith } from './mail';

const { audience, audienceOther } = mesh;
const resend = resendWith(audience.full.token);
const other = resendWith(audienceOther.full.token);

function unique(label: string): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}`;
}

/** The data of an SDK answer, failing the test with the error when there is one. */
function ok<T>(result: { data: T | null; error: unknown }): T {
  expect(result.error).toBeNull();
  return result.data as T;
}

/** Lets the clock move on, so objects created one after the other list in a known order. */
const later = () => new Promise((resolve) => setTimeout(resolve, 5));

function call(key: string, method: string, path: string, body?: unknown): Promise<Response> {
  return api(path, {
    method,
    key,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
}

async function audit(
  tenantId: string,
  targetId: string,
): Promise<{ action: string; actor_type: string; summary: string }[]> {
  return query(mesh.persistDir, {
    sql: 'SELECT action, actor_type, summary FROM audit_log WHERE tenant_id = ? AND target_id = ? ORDER BY created_at, rowid',
    params: [tenantId, targetId],
  });
}

async function property(client: Resend, key: string, type: 'string' | 'number') {
  return ok(
    await client.contactProperties.create({ key, type } as Parameters<
      Resend['contactProperties']['create']
    >[0]),
  ).id;
}

describe('contacts through the SDK', () => {
  it('creates, gets by id and email, updates and removes, with typed properties', async () => {
    const company = unique('company').replace(/-/g, '_');
    await property(resend, company, 'string');
    const seats = unique('seats').replace(/-/g, '_');
    await property(resend, seats, 'number');
    const email = `${unique('ada')}@example.com`;
    const created = ok(
      await resend.contacts.create({
        email: email.toUpperCase(),
        firstName: 'Ada',
        lastName: 'Lovelace',
        properties: { [company]: 'Analytical', [seats]: 3 },
      }),
    );
    expect(created).toEqual({ object: 'contact', id: expect.any(String) });
    const byId = ok(await resend.contacts.get(created.id));
    expect(byId).toEqual({
      object: 'contact',
      id: created.id,
      email,
      first_name: 'Ada',
      last_name: 'Lovelace',
      unsubscribed: false,
      created_at: expect.any(String),
      properties: {
        [company]: { type: 'string', value: 'Analytical' },
        [seats]: { type: 'number', value: 3 },
      },
    });
    expect(ok(await resend.contacts.get({ email }))).toEqual(byId);

    ok(await resend.contacts.update({ email, firstName: 'Augusta', properties: { [seats]: 4 } }));
    ok(await resend.contacts.update({ id: created.id, lastName: null, unsubscribed: true }));
    expect(ok(await resend.contacts.get(created.id))).toMatchObject({
      first_name: 'Augusta',
      last_name: null,
      unsubscribed: true,
      properties: { [seats]: { type: 'number', value: 4 } },
    });

    expect(ok(await resend.contacts.remove({ email }))).toEqual({
      object: 'contact',
      contact: created.id,
      deleted: true,
    });
    const gone = await resend.contacts.get(created.id);
    expect(gone.error).toMatchObject({ statusCode: 404, name: 'not_found' });

    const entries = await audit(audience.tenantId, created.id);
    expect(entries.map((entry) => entry.action)).toEqual([
      'contact.created',
      'contact.updated',
      'contact.updated',
      'contact.deleted',
    ]);
    expect(entries.every((entry) => entry.actor_type === 'api_key')).toBe(true);
  });

  it('refuses a second contact with the same address with 409', async () => {
    const email = `${unique('dup')}@example.com`;
    ok(await resend.contacts.create({ email }));
    const again = await resend.contacts.create({ email: email.toUpperCase() });
    expect(again.error).toMatchObject({ statusCode: 409, name: 'conflict' });
  });

  it('lists newest first with cursor pagination', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      ids.push(ok(await other.contacts.create({ email: `${unique(`page${n}`)}@example.com` })).id);
      await later();
    }
    const first = ok(await other.contacts.list({ limit: 2 }));
    expect(first.object).toBe('list');
    expect(first.data.map((contact) => contact.id).slice(0, 2)).toEqual([ids[2], ids[1]]);
    expect(first.has_more).toBe(true);
    const next = ok(await other.contacts.list({ limit: 2, after: ids[1] }));
    expect(next.data[0]?.id).toBe(ids[0]);
    const back = ok(await other.contacts.list({ limit: 2, before: ids[0] }));
    expect(back.data.map((contact) => contact.id)).toEqual([ids[2], ids[1]]);
  });

  it('creates a contact in segments with topic choices', async () => {
    const segment = ok(await resend.segments.create({ name: unique('vip') })).id;
    const topic = ok(await resend.topics.create({ name: 'Offers', defaultSubscription: 'opt_out' })).id;
    const id = ok(
      await resend.contacts.create({
        email: `${unique('joined')}@example.com`,
        segments: [{ id: segment }],
        topics: [{ id: topic, subscription: 'opt_in' }],
      }),
    ).id;
    const segments = ok(await resend.contacts.segments.list({ contactId: id }));
    expect(segments.data).toEqual([
      { id: segment, name: expect.any(String), created_at: expect.any(String) },
    ]);
    const topics = ok(await resend.contacts.topics.list({ id }));
    expect(topics.data).toContainEqual({
      id: topic,
      name: 'Offers',
      description: null,
      subscription: 'opt_in',
    });
    const members = ok(await resend.contacts.list({ segmentId: segment }));
    expect(members.data.map((contact) => contact.id)).toEqual([id]);
  });
});

describe('segments and topics through the SDK', () => {
  it('segments: create, get, list, rename, add and remove a contact, delete', async () => {
    const created = ok(await resend.segments.create({ name: 'Customers' }));
    expect(created).toEqual({ object: 'segment', id: expect.any(String), name: 'Customers' });
    expect(ok(await resend.segments.get(created.id))).toEqual({
      object: 'segment',
      id: created.id,
      name: 'Customers',
      created_at: expect.any(String),
    });
    expect(ok(await resend.segments.list({ limit: 100 })).data).toContainEqual(
      expect.objectContaining({ id: created.id }),
    );
    const rename = resend.segments.update as unknown as (
      id: string,
      body: { name: string },
    ) => Promise<{ error: unknown }>;
    expect((await rename.call(resend.segments, created.id, { name: 'Buyers' })).error).toBeNull();
    expect(ok(await resend.segments.get(created.id)).name).toBe('Buyers');

    const email = `${unique('member')}@example.com`;
    const contact = ok(await resend.contacts.create({ email })).id;
    const membership = {
      object: 'contact_segment',
      id: created.id,
      contact_id: contact,
      segment_id: created.id,
    };
    expect(ok(await resend.contacts.segments.add({ email, segmentId: created.id }))).toEqual(membership);
    expect(ok(await resend.contacts.list({ segmentId: created.id })).data.map((c) => c.id)).toEqual([
      contact,
    ]);
    expect(ok(await resend.contacts.segments.remove({ contactId: contact, segmentId: created.id }))).toEqual({
      ...membership,
      deleted: true,
    });
    expect(ok(await resend.contacts.segments.list({ contactId: contact })).data).toEqual([]);

    expect(ok(await resend.segments.remove(created.id))).toEqual({
      object: 'segment',
      id: created.id,
      deleted: true,
    });
    expect((await resend.segments.get(created.id)).error).toMatchObject({ statusCode: 404 });
    expect((await audit(audience.tenantId, created.id)).map((entry) => entry.action)).toEqual([
      'segment.created',
      'segment.updated',
      'segment.deleted',
    ]);
    expect((await audit(audience.tenantId, contact)).map((entry) => entry.action)).toEqual([
      'contact.created',
      'contact.segment_added',
      'contact.segment_removed',
    ]);
  });

  it("topics: create, get, list, update, a contact's subscriptions, delete", async () => {
    const created = ok(
      await resend.topics.create({ name: 'Product', description: 'Releases', defaultSubscription: 'opt_in' }),
    );
    expect(created).toEqual({ object: 'topic', id: expect.any(String) });
    expect(ok(await resend.topics.get(created.id))).toEqual({
      object: 'topic',
      id: created.id,
      name: 'Product',
      description: 'Releases',
      default_subscription: 'opt_in',
      // Resend's default.
      visibility: 'private',
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(ok(await resend.topics.list()).data).toContainEqual(expect.objectContaining({ id: created.id }));
    ok(await resend.topics.update({ id: created.id, name: 'Launches' }));
    expect(ok(await resend.topics.get(created.id)).name).toBe('Launches');

    const email = `${unique('reader')}@example.com`;
    const contact = ok(await resend.contacts.create({ email })).id;
    const before = ok(await resend.contacts.topics.list({ email }));
    expect(before.data).toContainEqual(expect.objectContaining({ id: created.id, subscription: 'opt_in' }));
    expect(
      ok(
        await resend.contacts.topics.update({ email, topics: [{ id: created.id, subscription: 'opt_out' }] }),
      ),
    ).toEqual({
      id: contact,
    });
    expect(ok(await resend.contacts.topics.list({ id: contact })).data).toContainEqual(
      expect.objectContaining({ id: created.id, subscription: 'opt_out' }),
    );

    expect(ok(await resend.topics.remove(created.id))).toEqual({
      object: 'topic',
      id: created.id,
      deleted: true,
    });
    expect((await audit(audience.tenantId, created.id)).map((entry) => entry.action)).toEqual([
      'topic.created',
      'topic.updated',
      'topic.deleted',
    ]);
    expect((await audit(audience.tenantId, contact)).map((entry) => entry.action)).toEqual([
      'contact.created',
      'contact.topics_updated',
    ]);
  });

  it('contact properties: create, get, list, update the fallback, delete', async () => {
    const key = unique('plan').replace(/-/g, '_');
    const created = ok(await resend.contactProperties.create({ key, type: 'string', fallbackValue: 'free' }));
    expect(created).toEqual({ object: 'contact_property', id: expect.any(String) });
    // The SDK turns the answer into camelCase.
    expect(ok(await resend.contactProperties.get(created.id))).toEqual({
      object: 'contact_property',
      id: created.id,
      key,
      type: 'string',
      fallbackValue: 'free',
      createdAt: expect.any(String),
    });
    expect(ok(await resend.contactProperties.list({ limit: 100 })).data).toContainEqual(
      expect.objectContaining({ id: created.id, key }),
    );
    ok(await resend.contactProperties.update({ id: created.id, fallbackValue: 'pro' }));
    expect(ok(await resend.contactProperties.get(created.id)).fallbackValue).toBe('pro');
    expect(ok(await resend.contactProperties.remove(created.id))).toEqual({
      object: 'contact_property',
      id: created.id,
      deleted: true,
    });
    expect((await audit(audience.tenantId, created.id)).map((entry) => entry.action)).toEqual([
      'contact_property.created',
      'contact_property.updated',
      'contact_property.deleted',
    ]);
  });
});

describe('validation: 422 naming the field, nothing changed', () => {
  const cases: [string, string, string, unknown, string][] = [
    ['contact email', 'POST', '/api/contacts', { email: 'not-an-address' }, 'email'],
    ['contact without email', 'POST', '/api/contacts', { first_name: 'X' }, 'email'],
    ['contact first_name', 'POST', '/api/contacts', { email: 'a@example.com', first_name: 5 }, 'first_name'],
    [
      'contact unsubscribed',
      'POST',
      '/api/contacts',
      { email: 'a@example.com', unsubscribed: 'yes' },
      'unsubscribed',
    ],
    [
      'undeclared property',
      'POST',
      '/api/contacts',
      { email: 'a@example.com', properties: { nope: 1 } },
      'properties.nope',
    ],
    ['unknown contact field', 'POST', '/api/contacts', { email: 'a@example.com', age: 3 }, 'age'],
    [
      'topic choice',
      'POST',
      '/api/contacts',
      { email: 'a@example.com', topics: [{ id: 'x', subscription: 'maybe' }] },
      'topics.0.subscription',
    ],
    ['list limit', 'GET', '/api/contacts?limit=0', undefined, 'limit'],
    ['property key', 'POST', '/api/contact-properties', { key: 'has space', type: 'string' }, 'key'],
    ['reserved property key', 'POST', '/api/contact-properties', { key: 'email', type: 'string' }, 'key'],
    ['property type', 'POST', '/api/contact-properties', { key: 'k', type: 'boolean' }, 'type'],
    [
      'property fallback type',
      'POST',
      '/api/contact-properties',
      { key: 'k_fallback', type: 'number', fallback_value: 'x' },
      'fallback_value',
    ],
    ['segment name', 'POST', '/api/segments', { name: '' }, 'name'],
    ['segment without name', 'POST', '/api/segments', {}, 'name'],
    [
      'topic default',
      'POST',
      '/api/topics',
      { name: 'T', default_subscription: 'always' },
      'default_subscription',
    ],
    [
      'topic name length',
      'POST',
      '/api/topics',
      { name: 'x'.repeat(51), default_subscription: 'opt_in' },
      'name',
    ],
    [
      'topic visibility',
      'POST',
      '/api/topics',
      { name: 'T', default_subscription: 'opt_in', visibility: 'secret' },
      'visibility',
    ],
  ];

  it.each(cases)('%s', async (_label, method, path, body, field) => {
    const response = await call(audience.full.token, method, path, body);
    expect(response.status).toBe(422);
    const error = await errorOf(response);
    expect(error.message).toContain(field);
  });

  it('on updates too: wrong property type, fixed fields, bad topic choices', async () => {
    const key = unique('n').replace(/-/g, '_');
    const propertyId = await property(resend, key, 'number');
    const email = `${unique('v')}@example.com`;
    const contact = ok(await resend.contacts.create({ email, properties: { [key]: 1 } })).id;
    const topic = ok(await resend.topics.create({ name: 'T', defaultSubscription: 'opt_in' })).id;
    const segment = ok(await resend.segments.create({ name: 'S' })).id;
    const updates: [string, string, unknown, string][] = [
      ['PATCH', `/api/contacts/${contact}`, { properties: { [key]: 'two' } }, `properties.${key}`],
      ['PATCH', `/api/contacts/${email}`, { first_name: 7 }, 'first_name'],
      ['PATCH', `/api/contact-properties/${propertyId}`, { fallback_value: 'x' }, 'fallback_value'],
      ['PATCH', `/api/contact-properties/${propertyId}`, { type: 'string' }, 'type'],
      ['PATCH', `/api/topics/${topic}`, { default_subscription: 'opt_out' }, 'default_subscription'],
      ['PATCH', `/api/topics/${topic}`, { name: '' }, 'name'],
      ['PATCH', `/api/segments/${segment}`, { name: 3 }, 'name'],
      [
        'PATCH',
        `/api/contacts/${contact}/topics`,
        [{ id: topic, subscription: 'sometimes' }],
        'subscription',
      ],
      ['PATCH', `/api/contacts/${contact}/topics`, [], 'at least one'],
    ];
    for (const [method, path, body, field] of updates) {
      const response = await call(audience.full.token, method, path, body);
      expect(response.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(422);
      expect((await errorOf(response)).message).toContain(field);
    }
    expect(ok(await resend.contacts.get(contact)).properties).toEqual({
      [key]: { type: 'number', value: 1 },
    });
    expect(ok(await resend.topics.get(topic))).toMatchObject({ name: 'T', default_subscription: 'opt_in' });
    expect((await audit(audience.tenantId, contact)).map((entry) => entry.action)).toEqual([
      'contact.created',
    ]);
  });
});

/** Every audience route, with the ids of objects that belong to `audience`. */
async function everyRoute() {
  const email = `${unique('owned')}@example.com`;
  const contact = ok(await resend.contacts.create({ email })).id;
  const segment = ok(await resend.segments.create({ name: 'Owned' })).id;
  const topic = ok(await resend.topics.create({ name: 'Owned', defaultSubscription: 'opt_in' })).id;
  const prop = await property(resend, unique('owned').replace(/-/g, '_'), 'string');
  ok(await resend.contacts.segments.add({ contactId: contact, segmentId: segment }));
  const byRef = (ref: string): [string, string, unknown?][] => [
    ['GET', `/api/contacts/${ref}`],
    ['PATCH', `/api/contacts/${ref}`, { first_name: 'Stolen' }],
    ['GET', `/api/contacts/${ref}/segments`],
    ['POST', `/api/contacts/${ref}/segments/${segment}`],
    ['DELETE', `/api/contacts/${ref}/segments/${segment}`],
    ['GET', `/api/contacts/${ref}/topics`],
    ['PATCH', `/api/contacts/${ref}/topics`, [{ id: topic, subscription: 'opt_out' }]],
    ['DELETE', `/api/contacts/${ref}`],
  ];
  const owned: [string, string, unknown?][] = [
    ...byRef(contact),
    ...byRef(email),
    ['GET', `/api/segments/${segment}`],
    ['PATCH', `/api/segments/${segment}`, { name: 'Stolen' }],
    ['GET', `/api/segments/${segment}/contacts`],
    ['DELETE', `/api/segments/${segment}`],
    ['GET', `/api/topics/${topic}`],
    ['PATCH', `/api/topics/${topic}`, { name: 'Stolen' }],
    ['DELETE', `/api/topics/${topic}`],
    ['GET', `/api/contact-properties/${prop}`],
    ['PATCH', `/api/contact-properties/${prop}`, { fallback_value: 'x' }],
    ['DELETE', `/api/contact-properties/${prop}`],
  ];
  const collections: [string, string, unknown?][] = [
    ['POST', '/api/contacts', { email: `${unique('new')}@example.com` }],
    ['GET', '/api/contacts'],
    ['POST', '/api/segments', { name: 'New' }],
    ['GET', '/api/segments'],
    ['POST', '/api/topics', { name: 'New', default_subscription: 'opt_in' }],
    ['GET', '/api/topics'],
    ['POST', '/api/contact-properties', { key: unique('new').replace(/-/g, '_'), type: 'string' }],
    ['GET', '/api/contact-properties'],
  ];
  return { contact, email, segment, topic, prop, owned, collections };
}

describe('tenants and permissions', () => {
  it("answers 404 to another tenant on every route for this tenant's objects, changing nothing", async () => {
    const { contact, segment, topic, prop, owned } = await everyRoute();
    for (const [method, path, body] of owned) {
      const response = await call(audienceOther.full.token, method, path, body);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect((await errorOf(response)).name).toBe('not_found');
    }
    expect(ok(await resend.contacts.get(contact)).first_name).toBeNull();
    expect(ok(await resend.contacts.list({ segmentId: segment })).data.map((c) => c.id)).toEqual([contact]);
    expect(ok(await resend.topics.get(topic)).name).toBe('Owned');
    expect(ok(await resend.contactProperties.get(prop)).fallbackValue).toBeNull();
    // Nor does the other tenant's list show them.
    expect(ok(await other.segments.list({ limit: 100 })).data.map((s) => s.id)).not.toContain(segment);
  });

  it('refuses a sending_access key with 403 on every audience route, changing nothing', async () => {
    const { contact, owned, collections } = await everyRoute();
    for (const [method, path, body] of [...owned, ...collections]) {
      const response = await call(audience.sending.token, method, path, body);
      expect(response.status, `${method} ${path}`).toBe(403);
      expect((await errorOf(response)).name).toBe('restricted_api_key');
    }
    expect((await audit(audience.tenantId, contact)).map((entry) => entry.action)).toEqual([
      'contact.created',
      'contact.segment_added',
    ]);
  });
});

describe('suppressions outlive contacts', () => {
  it("deleting a suppressed address's contact keeps the suppression, and sends still drop it", async () => {
    const email = `${unique('bounced')}@example.com`;
    const suppressed = await call(audience.full.token, 'POST', '/api/suppressions', {
      email,
      reason: 'bounced',
    });
    expect(suppressed.status).toBe(201);
    const contact = ok(await resend.contacts.create({ email })).id;
    ok(await resend.contacts.remove(contact));

    const list = await call(audience.full.token, 'GET', '/api/suppressions?limit=100');
    const { data } = (await list.json()) as { data: { email: string }[] };
    expect(data.map((entry) => entry.email)).toContain(email);

    const sent = await postEmail(audience.sending.token, {
      from: `hello@audience.mesh.test`,
      to: ['kept@example.com', email],
      subject: 'After the delete',
      text: 'Hi',
    });
    expect(sent.status).toBe(200);
    const { id } = (await sent.json()) as { id: string };
    const email_ = await call(audience.full.token, 'GET', `/api/emails/${id}`);
    expect(((await email_.json()) as { suppressed: string[] }).suppressed).toEqual([email]);
    const { record } = await delivered(id);
    expect(record.destination.ToAddresses).toEqual(['kept@example.com']);
  });
});
