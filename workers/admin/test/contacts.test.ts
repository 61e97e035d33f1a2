// AudienceService's contact methods over real RPC, against the local D1: create/read/list/update/delete
// by id and by email, typed custom properties, segments and topic choices given at creation, a
// contact's segments and topics, tenants kept apart, and an audit entry in the same batch as each change.
import type { Caller, RpcResult } from '@mailgrid/contracts';
import { beforeEach, describe, expect, it } from 'vitest';
import { auditActions, auditOf, count, failure, later, value } from './audience-helpers';
import { audience, messaging, twoTenants } from './helpers';

let acme: Caller;
let globex: Caller;

beforeEach(async () => {
  ({ acme, globex } = await twoTenants());
});

async function declare(caller: Caller, key: string, type: 'string' | 'number', fallback?: string | number) {
  return value(await audience.createContactProperty(caller, { key, type, fallback_value: fallback })).id;
}

async function contact(caller: Caller, email: string, extra: Record<string, unknown> = {}) {
  return value(await audience.createContact(caller, { email, ...extra })).id;
}

describe('createContact and getContact', () => {
  it('stores the contact and answers it by id and by email alike', async () => {
    await declare(acme, 'company', 'string');
    await declare(acme, 'seats', 'number');
    const created = value(
      await audience.createContact(acme, {
        email: 'ada@example.com',
        first_name: 'Ada',
        last_name: 'Lovelace',
        properties: { company: 'Analytical', seats: 3 },
      }),
    );
    expect(created).toEqual({ object: 'contact', id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const byId = value(await audience.getContact(acme, created.id));
    expect(byId).toEqual({
      object: 'contact',
      id: created.id,
      email: 'ada@example.com',
      first_name: 'Ada',
      last_name: 'Lovelace',
      unsubscribed: false,
      created_at: expect.any(String),
      properties: { company: { type: 'string', value: 'Analytical' }, seats: { type: 'number', value: 3 } },
    });
    expect(value(await audience.getContact(acme, 'ADA@Example.com'))).toEqual(byId);
    expect(await auditOf(acme.tenant_id, created.id)).toEqual([
      expect.objectContaining({
        actor_type: 'api_key',
        actor_id: acme.key_prefix,
        action: 'contact.created',
        target_type: 'contact',
        request_id: acme.request_id,
        summary: { email: 'ada@example.com' },
      }),
    ]);
  });

  it('refuses a second contact with the same address with 409, changing nothing', async () => {
    await contact(acme, 'dup@example.com');
    const error = failure(
      await audience.createContact(acme, { email: 'dup@example.com', first_name: 'Again' }),
    );
    expect(error.code).toBe('conflict');
    expect(error.message).toContain('dup@example.com');
    expect(await count('SELECT count(*) AS n FROM contacts WHERE tenant_id = ?', acme.tenant_id)).toBe(1);
    // Another tenant may have the same address.
    await contact(globex, 'dup@example.com');
  });

  it.each([
    [{ plan: 'pro' }, 'properties.plan', 'create it first'],
    [{ seats: 'three' }, 'properties.seats', 'must be a number'],
    [{ company: 7 }, 'properties.company', 'must be a string'],
    [{ company: true }, 'properties.company', 'must be a string'],
    [{ company: 'x'.repeat(2001) }, 'properties.company', 'at most 2000'],
  ])('refuses properties %j with 422 naming %s', async (properties, field, detail) => {
    await declare(acme, 'company', 'string');
    await declare(acme, 'seats', 'number');
    const error = failure(await audience.createContact(acme, { email: 'p@example.com', properties }));
    expect(error.code).toBe('invalid_parameter');
    expect(error.message).toContain(field);
    expect(error.message).toContain(detail);
    expect(await count('SELECT count(*) AS n FROM contacts WHERE tenant_id = ?', acme.tenant_id)).toBe(0);
  });

  it('a property declared by another tenant does not count', async () => {
    await declare(globex, 'plan', 'string');
    const error = failure(
      await audience.createContact(acme, { email: 'p@example.com', properties: { plan: 'pro' } }),
    );
    expect(error).toMatchObject({
      code: 'invalid_parameter',
      message: expect.stringContaining('properties.plan'),
    });
  });

  it('joins the given segments and records the given topic choices in the same write', async () => {
    const vip = value(await audience.createSegment(acme, { name: 'VIP' })).id;
    const news = value(
      await audience.createTopic(acme, { name: 'News', default_subscription: 'opt_out' }),
    ).id;
    const id = await contact(acme, 'seg@example.com', {
      segments: [{ id: vip }],
      topics: [{ id: news, subscription: 'opt_in' }],
    });
    expect(value(await audience.listContactSegments(acme, id, { limit: 20 })).data).toEqual([
      { id: vip, name: 'VIP', created_at: expect.any(String) },
    ]);
    expect(value(await audience.listContactTopics(acme, id, { limit: 20 })).data).toEqual([
      { id: news, name: 'News', description: null, subscription: 'opt_in' },
    ]);
    expect((await auditOf(acme.tenant_id, id))[0]?.summary).toEqual({
      email: 'seg@example.com',
      segments: [vip],
      topics: [{ id: news, subscription: 'opt_in' }],
    });
  });

  it("refuses another tenant's segment or topic at creation as not_found, naming the field", async () => {
    const theirs = value(await audience.createSegment(globex, { name: 'Theirs' })).id;
    const theirTopic = value(
      await audience.createTopic(globex, { name: 'T', default_subscription: 'opt_in' }),
    ).id;
    const bySegment = failure(
      await audience.createContact(acme, { email: 'a@example.com', segments: [{ id: theirs }] }),
    );
    expect(bySegment).toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('segments[0].id'),
    });
    const byTopic = failure(
      await audience.createContact(acme, {
        email: 'a@example.com',
        topics: [{ id: theirTopic, subscription: 'opt_in' }],
      }),
    );
    expect(byTopic).toMatchObject({ code: 'not_found', message: expect.stringContaining('topics[0].id') });
    expect(await count('SELECT count(*) AS n FROM contacts WHERE tenant_id = ?', acme.tenant_id)).toBe(0);
  });
});

describe('listContacts', () => {
  it('pages newest first with after and before', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3, 4, 5]) {
      ids.push(await contact(acme, `c${n}@example.com`));
      await later();
    }
    await contact(globex, 'not-listed@example.com');
    const first = value(await audience.listContacts(acme, { limit: 2 }));
    expect(first).toMatchObject({ object: 'list', has_more: true });
    expect(first.data.map((c) => c.email)).toEqual(['c5@example.com', 'c4@example.com']);
    expect(first.data[0]).toEqual({
      id: ids[4],
      email: 'c5@example.com',
      first_name: null,
      last_name: null,
      unsubscribed: false,
      created_at: expect.any(String),
    });
    const next = value(await audience.listContacts(acme, { limit: 2, after: first.data[1]?.id }));
    expect(next.data.map((c) => c.email)).toEqual(['c3@example.com', 'c2@example.com']);
    const last = value(await audience.listContacts(acme, { limit: 2, after: next.data[1]?.id }));
    expect(last).toMatchObject({ has_more: false, data: [{ email: 'c1@example.com' }] });
    const back = value(await audience.listContacts(acme, { limit: 2, before: last.data[0]?.id }));
    expect(back.data.map((c) => c.email)).toEqual(['c3@example.com', 'c2@example.com']);
  });

  it("refuses a cursor that is not one of the tenant's contacts", async () => {
    const theirs = await contact(globex, 'x@example.com');
    expect(failure(await audience.listContacts(acme, { limit: 2, after: theirs })).code).toBe(
      'invalid_parameter',
    );
  });
});

describe('updateContact', () => {
  it('changes the given fields by id or email, merges properties, and audits the fields', async () => {
    await declare(acme, 'company', 'string');
    await declare(acme, 'seats', 'number');
    const id = await contact(acme, 'up@example.com', {
      first_name: 'Old',
      last_name: 'Name',
      properties: { company: 'A', seats: 1 },
    });
    expect(
      value(
        await audience.updateContact(acme, 'UP@example.com', { first_name: 'New', properties: { seats: 2 } }),
      ),
    ).toEqual({ object: 'contact', id });
    value(
      await audience.updateContact(acme, id, {
        last_name: null,
        unsubscribed: true,
        properties: { company: null },
      }),
    );
    expect(value(await audience.getContact(acme, id))).toMatchObject({
      first_name: 'New',
      last_name: null,
      unsubscribed: true,
      properties: { seats: { type: 'number', value: 2 } },
    });
    const entries = await auditOf(acme.tenant_id, id);
    expect(entries.map((entry) => entry.action)).toEqual([
      'contact.created',
      'contact.updated',
      'contact.updated',
    ]);
    expect(entries[1]?.summary).toEqual({ fields: ['first_name', 'properties'], properties: ['seats'] });
    expect(entries[2]?.summary).toMatchObject({ unsubscribed: true, properties: ['company'] });
  });

  it('refuses a wrong property type naming the key, and changes nothing', async () => {
    await declare(acme, 'seats', 'number');
    const id = await contact(acme, 'typed@example.com', { first_name: 'Keep', properties: { seats: 1 } });
    const error = failure(
      await audience.updateContact(acme, id, { first_name: 'Lost', properties: { seats: '2' } }),
    );
    expect(error).toMatchObject({
      code: 'invalid_parameter',
      message: expect.stringContaining('properties.seats'),
    });
    expect(value(await audience.getContact(acme, id))).toMatchObject({
      first_name: 'Keep',
      properties: { seats: { type: 'number', value: 1 } },
    });
    expect(await auditActions(acme, id)).toEqual(['contact.created']);
  });
});

describe('deleteContact', () => {
  it('deletes by id or email, with its memberships and choices, and audits it', async () => {
    const segment = value(await audience.createSegment(acme, { name: 'S' })).id;
    const topic = value(await audience.createTopic(acme, { name: 'T', default_subscription: 'opt_in' })).id;
    const id = await contact(acme, 'gone@example.com', {
      segments: [{ id: segment }],
      topics: [{ id: topic, subscription: 'opt_out' }],
    });
    expect(value(await audience.deleteContact(acme, 'gone@example.com'))).toEqual({
      object: 'contact',
      contact: id,
      deleted: true,
    });
    expect(failure(await audience.getContact(acme, id)).code).toBe('not_found');
    expect(await count('SELECT count(*) AS n FROM segment_contacts WHERE contact_id = ?', id)).toBe(0);
    expect(await count('SELECT count(*) AS n FROM contact_topics WHERE contact_id = ?', id)).toBe(0);
    expect(await auditActions(acme, id)).toEqual(['contact.created', 'contact.deleted']);
    const again = await contact(acme, 'gone2@example.com');
    expect(value(await audience.deleteContact(acme, again)).contact).toBe(again);
  });

  it("keeps the address's suppression: suppressions are keyed by address, not by contact", async () => {
    value(await messaging.addSuppression(acme, { email: 'bounced@example.com', reason: 'bounce:Permanent' }));
    const id = await contact(acme, 'bounced@example.com');
    value(await audience.deleteContact(acme, id));
    const list = value(await messaging.listSuppressions(acme, { limit: 20 }));
    expect(list.data.map((s) => s.email)).toEqual(['bounced@example.com']);
  });
});

describe("a contact's segments", () => {
  it('adds (idempotently), lists and removes, auditing each change once', async () => {
    const a = value(await audience.createSegment(acme, { name: 'A' })).id;
    await later();
    const b = value(await audience.createSegment(acme, { name: 'B' })).id;
    const id = await contact(acme, 'member@example.com');
    const added = (segment: string) => ({
      object: 'contact_segment',
      id: segment,
      contact_id: id,
      segment_id: segment,
    });
    expect(value(await audience.addContactToSegment(acme, id, a))).toEqual(added(a));
    expect(value(await audience.addContactToSegment(acme, 'member@example.com', b))).toEqual(added(b));
    expect(value(await audience.addContactToSegment(acme, id, b))).toEqual(added(b));
    const listed = value(await audience.listContactSegments(acme, id, { limit: 1 }));
    expect(listed).toMatchObject({ has_more: true, data: [{ id: b, name: 'B' }] });
    expect(value(await audience.listContactSegments(acme, id, { limit: 1, after: b })).data).toMatchObject([
      { id: a },
    ]);
    expect(value(await audience.listSegmentContacts(acme, a, { limit: 20 })).data).toMatchObject([{ id }]);

    expect(value(await audience.removeContactFromSegment(acme, id, a))).toEqual({
      ...added(a),
      deleted: true,
    });
    expect(failure(await audience.removeContactFromSegment(acme, id, a)).code).toBe('not_found');
    expect(value(await audience.listContactSegments(acme, id, { limit: 20 })).data).toMatchObject([
      { id: b },
    ]);
    const entries = await auditOf(acme.tenant_id, id);
    expect(entries.map((entry) => [entry.action, entry.summary])).toEqual([
      ['contact.created', { email: 'member@example.com' }],
      ['contact.segment_added', { segment_id: a }],
      ['contact.segment_added', { segment_id: b }],
      ['contact.segment_removed', { segment_id: a }],
    ]);
  });
});

describe("a contact's topics", () => {
  it('lists every topic with the explicit choice or the default, and updates choices', async () => {
    const optIn = value(
      await audience.createTopic(acme, {
        name: 'Product',
        description: 'Releases',
        default_subscription: 'opt_in',
      }),
    ).id;
    await later();
    const optOut = value(
      await audience.createTopic(acme, { name: 'Offers', default_subscription: 'opt_out' }),
    ).id;
    const id = await contact(acme, 'topics@example.com');
    expect(value(await audience.listContactTopics(acme, id, { limit: 20 }))).toEqual({
      object: 'list',
      has_more: false,
      data: [
        { id: optOut, name: 'Offers', description: null, subscription: 'opt_out' },
        { id: optIn, name: 'Product', description: 'Releases', subscription: 'opt_in' },
      ],
    });
    expect(
      value(
        await audience.updateContactTopics(acme, 'topics@example.com', [
          { id: optIn, subscription: 'opt_out' },
          { id: optOut, subscription: 'opt_in' },
        ]),
      ),
    ).toEqual({ id });
    const after = value(await audience.listContactTopics(acme, id, { limit: 1 }));
    expect(after).toMatchObject({ has_more: true, data: [{ id: optOut, subscription: 'opt_in' }] });
    expect(value(await audience.listContactTopics(acme, id, { limit: 1, after: optOut })).data).toMatchObject(
      [{ id: optIn, subscription: 'opt_out' }],
    );
    expect((await auditOf(acme.tenant_id, id)).at(-1)).toMatchObject({
      action: 'contact.topics_updated',
      summary: {
        topics: [
          { id: optIn, subscription: 'opt_out' },
          { id: optOut, subscription: 'opt_in' },
        ],
      },
    });
  });

  it("refuses another tenant's topic, changing nothing", async () => {
    const theirs = value(
      await audience.createTopic(globex, { name: 'T', default_subscription: 'opt_in' }),
    ).id;
    const id = await contact(acme, 't@example.com');
    const error = failure(
      await audience.updateContactTopics(acme, id, [{ id: theirs, subscription: 'opt_out' }]),
    );
    expect(error).toMatchObject({ code: 'not_found', message: expect.stringContaining('[0].id') });
    expect(await count('SELECT count(*) AS n FROM contact_topics WHERE contact_id = ?', id)).toBe(0);
  });
});

describe('tenants', () => {
  it("answers not_found for every method on another tenant's contact, by id and by email", async () => {
    const id = await contact(acme, 'mine@example.com');
    const segment = value(await audience.createSegment(acme, { name: 'S' })).id;
    const theirSegment = value(await audience.createSegment(globex, { name: 'S' })).id;
    for (const ref of [id, 'mine@example.com']) {
      const results: RpcResult<unknown>[] = [
        await audience.getContact(globex, ref),
        await audience.updateContact(globex, ref, { first_name: 'X' }),
        await audience.deleteContact(globex, ref),
        await audience.listContactSegments(globex, ref, { limit: 20 }),
        await audience.addContactToSegment(globex, ref, theirSegment),
        await audience.removeContactFromSegment(globex, ref, theirSegment),
        await audience.listContactTopics(globex, ref, { limit: 20 }),
        await audience.updateContactTopics(globex, ref, [{ id: 'x', subscription: 'opt_in' }]),
      ];
      for (const result of results) expect(failure(result).code).toBe('not_found');
    }
    // Their own contact cannot join our segment either.
    await contact(globex, 'theirs@example.com');
    expect(failure(await audience.addContactToSegment(globex, 'theirs@example.com', segment)).code).toBe(
      'not_found',
    );
    expect(value(await audience.getContact(acme, id)).first_name).toBeNull();
    expect(await auditActions(acme, id)).toEqual(['contact.created']);
  });
});
