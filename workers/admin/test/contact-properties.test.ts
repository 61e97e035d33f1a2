// AudienceService's contact-property methods over real RPC, against the local D1: declarations with
// typed fallbacks, keys unique per tenant, only the fallback changing, deleting a property removing
// its values from contacts, tenants kept apart, and the audit entries.
import type { Caller } from '@mailgrid/contracts';
import { beforeEach, describe, expect, it } from 'vitest';
import { auditOf, count, failure, later, value } from './audience-helpers';
import { audience, twoTenants } from './helpers';

let acme: Caller;
let globex: Caller;

beforeEach(async () => {
  ({ acme, globex } = await twoTenants());
});

describe('contact properties', () => {
  it('creates, reads, lists, updates the fallback and deletes, auditing each change', async () => {
    const created = value(
      await audience.createContactProperty(acme, { key: 'company', type: 'string', fallback_value: 'Acme' }),
    );
    await later();
    expect(created).toEqual({ object: 'contact_property', id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const seats = value(await audience.createContactProperty(acme, { key: 'seats', type: 'number' })).id;
    expect(value(await audience.getContactProperty(acme, created.id))).toEqual({
      object: 'contact_property',
      id: created.id,
      key: 'company',
      type: 'string',
      fallback_value: 'Acme',
      created_at: expect.any(String),
    });
    const list = value(await audience.listContactProperties(acme, { limit: 1 }));
    expect(list).toMatchObject({
      object: 'list',
      has_more: true,
      data: [{ id: seats, key: 'seats', type: 'number', fallback_value: null }],
    });
    expect(value(await audience.listContactProperties(acme, { limit: 1, after: seats })).data).toMatchObject([
      { id: created.id },
    ]);

    value(await audience.updateContactProperty(acme, seats, { fallback_value: 5 }));
    expect(value(await audience.getContactProperty(acme, seats)).fallback_value).toBe(5);
    value(await audience.updateContactProperty(acme, seats, { fallback_value: null }));
    expect(value(await audience.getContactProperty(acme, seats)).fallback_value).toBeNull();

    expect(value(await audience.deleteContactProperty(acme, created.id))).toEqual({
      object: 'contact_property',
      id: created.id,
      deleted: true,
    });
    expect(failure(await audience.getContactProperty(acme, created.id)).code).toBe('not_found');
    expect((await auditOf(acme.tenant_id, created.id)).map((e) => [e.action, e.summary])).toEqual([
      ['contact_property.created', { key: 'company', type: 'string' }],
      ['contact_property.deleted', { key: 'company' }],
    ]);
    expect((await auditOf(acme.tenant_id, seats)).map((e) => e.action)).toEqual([
      'contact_property.created',
      'contact_property.updated',
      'contact_property.updated',
    ]);
  });

  it.each([
    ['string', 3, 'must be a string'],
    ['number', '3', 'must be a number'],
  ] as const)(
    'refuses a %s property with fallback %j, naming fallback_value',
    async (type, fallback, detail) => {
      const error = failure(
        await audience.createContactProperty(acme, { key: 'k', type, fallback_value: fallback }),
      );
      expect(error.code).toBe('invalid_parameter');
      expect(error.message).toContain('fallback_value');
      expect(error.message).toContain(detail);
      expect(
        await count('SELECT count(*) AS n FROM contact_properties WHERE tenant_id = ?', acme.tenant_id),
      ).toBe(0);
    },
  );

  it("refuses an update's fallback of the wrong type, keeping the old one", async () => {
    const id = value(
      await audience.createContactProperty(acme, { key: 'seats', type: 'number', fallback_value: 1 }),
    ).id;
    const error = failure(await audience.updateContactProperty(acme, id, { fallback_value: 'many' }));
    expect(error).toMatchObject({
      code: 'invalid_parameter',
      message: expect.stringContaining('fallback_value'),
    });
    expect(value(await audience.getContactProperty(acme, id)).fallback_value).toBe(1);
  });

  it('refuses a key the tenant already has with 409; another tenant may use it', async () => {
    value(await audience.createContactProperty(acme, { key: 'plan', type: 'string' }));
    const error = failure(await audience.createContactProperty(acme, { key: 'plan', type: 'number' }));
    expect(error).toMatchObject({ code: 'conflict', message: expect.stringContaining('plan') });
    value(await audience.createContactProperty(globex, { key: 'plan', type: 'number' }));
  });

  it("removes a deleted property's values from every contact of the tenant only", async () => {
    const plan = value(await audience.createContactProperty(acme, { key: 'plan', type: 'string' })).id;
    const digits = value(await audience.createContactProperty(acme, { key: '2fa', type: 'number' })).id;
    value(await audience.createContactProperty(acme, { key: 'seats', type: 'number' }));
    value(await audience.createContactProperty(globex, { key: 'plan', type: 'string' }));
    const mine = value(
      await audience.createContact(acme, {
        email: 'a@example.com',
        properties: { plan: 'pro', seats: 2, '2fa': 1 },
      }),
    ).id;
    const theirs = value(
      await audience.createContact(globex, { email: 'a@example.com', properties: { plan: 'pro' } }),
    ).id;
    value(await audience.deleteContactProperty(acme, plan));
    value(await audience.deleteContactProperty(acme, digits));
    expect(value(await audience.getContact(acme, mine)).properties).toEqual({
      seats: { type: 'number', value: 2 },
    });
    expect(value(await audience.getContact(globex, theirs)).properties).toEqual({
      plan: { type: 'string', value: 'pro' },
    });
    // The key is undeclared now: writing it again is refused.
    const error = failure(await audience.updateContact(acme, mine, { properties: { plan: 'pro' } }));
    expect(error.message).toContain('properties.plan');
  });

  it("answers not_found for another tenant's property on every method", async () => {
    const id = value(await audience.createContactProperty(acme, { key: 'plan', type: 'string' })).id;
    expect(failure(await audience.getContactProperty(globex, id)).code).toBe('not_found');
    expect(failure(await audience.updateContactProperty(globex, id, { fallback_value: 'x' })).code).toBe(
      'not_found',
    );
    expect(failure(await audience.deleteContactProperty(globex, id)).code).toBe('not_found');
    expect(value(await audience.listContactProperties(globex, { limit: 20 })).data).toEqual([]);
    expect(value(await audience.getContactProperty(acme, id)).fallback_value).toBeNull();
  });
});
