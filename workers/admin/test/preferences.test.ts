// PreferencesService (the tracking worker's unsubscribe and preference pages) over
// real RPC: no caller, the tenant named explicitly, the contact created when missing, public topics
// on the page (private ones only for contacts opted in), and every change audited as the system's
// `unsubscribe`.
import type { Caller } from '@mailgrid/contracts';
import { beforeEach, describe, expect, it } from 'vitest';
import { auditOf, count, failure, later, value } from './audience-helpers';
import { audience, preferences, twoTenants } from './helpers';

let acme: Caller;
let globex: Caller;

beforeEach(async () => {
  ({ acme, globex } = await twoTenants());
});

async function topics(caller: Caller) {
  const news = value(
    await audience.createTopic(caller, {
      name: 'News',
      default_subscription: 'opt_in',
      visibility: 'public',
    }),
  ).id;
  await later();
  const offers = value(
    await audience.createTopic(caller, {
      name: 'Offers',
      description: 'Deals',
      default_subscription: 'opt_out',
      visibility: 'public',
    }),
  ).id;
  // Private (the default): shown only to a contact opted in to it.
  const hidden = value(
    await audience.createTopic(caller, { name: 'Beta', default_subscription: 'opt_out' }),
  ).id;
  return { news, offers, hidden };
}

describe('getPreferences', () => {
  it('answers defaults for an address without a contact, public topics only, creating nothing', async () => {
    const { news, offers } = await topics(acme);
    expect(value(await preferences.getPreferences(acme.tenant_id, ' Reader@Example.com '))).toEqual({
      // The tenant's name (the fixture names a tenant by its slug).
      sender: expect.stringMatching(/^acme-/),
      email: 'reader@example.com',
      unsubscribed: false,
      topics: [
        { id: offers, name: 'Offers', description: 'Deals', subscribed: false },
        { id: news, name: 'News', description: null, subscribed: true },
      ],
    });
    expect(await count('SELECT count(*) AS n FROM contacts WHERE tenant_id = ?', acme.tenant_id)).toBe(0);
  });

  it("reflects the contact's own choices and unsubscribe", async () => {
    const { news, offers } = await topics(acme);
    value(
      await audience.createContact(acme, {
        email: 'c@example.com',
        unsubscribed: true,
        topics: [
          { id: news, subscription: 'opt_out' },
          { id: offers, subscription: 'opt_in' },
        ],
      }),
    );
    const prefs = value(await preferences.getPreferences(acme.tenant_id, 'c@example.com'));
    expect(prefs.unsubscribed).toBe(true);
    expect(prefs.topics.map((t) => [t.name, t.subscribed])).toEqual([
      ['Offers', true],
      ['News', false],
    ]);
  });

  it('shows a private topic only while the contact is opted in to it', async () => {
    const { hidden } = await topics(acme);
    value(
      await audience.createContact(acme, {
        email: 'beta@example.com',
        topics: [{ id: hidden, subscription: 'opt_in' }],
      }),
    );
    const names = async () =>
      value(await preferences.getPreferences(acme.tenant_id, 'beta@example.com')).topics.map((t) => t.name);
    expect(await names()).toEqual(['Beta', 'Offers', 'News']);
    value(
      await preferences.updatePreferences(
        acme.tenant_id,
        'beta@example.com',
        { topics: [{ id: hidden, subscribed: false }] },
        null,
      ),
    );
    expect(await names()).toEqual(['Offers', 'News']);
  });

  it('refuses an address that is not one', async () => {
    expect(failure(await preferences.getPreferences(acme.tenant_id, 'not-an-address')).code).toBe(
      'invalid_parameter',
    );
  });
});

describe('updatePreferences', () => {
  it('creates the contact when missing and audits as system/unsubscribe with the email id', async () => {
    const { news } = await topics(acme);
    const prefs = value(
      await preferences.updatePreferences(
        acme.tenant_id,
        'New@Example.com',
        { topics: [{ id: news, subscribed: false }] },
        'em_1',
      ),
    );
    expect(prefs).toMatchObject({
      email: 'new@example.com',
      unsubscribed: false,
      topics: expect.arrayContaining([expect.objectContaining({ id: news, subscribed: false })]),
    });
    const contact = value(await audience.getContact(acme, 'new@example.com'));
    const entries = await auditOf(acme.tenant_id, contact.id);
    expect(entries).toEqual([
      {
        actor_type: 'system',
        actor_id: 'unsubscribe',
        action: 'contact.preferences_updated',
        target_type: 'contact',
        target_id: contact.id,
        request_id: null,
        summary: {
          email: 'new@example.com',
          created: true,
          topics: [{ id: news, subscription: 'opt_out' }],
          email_id: 'em_1',
        },
      },
    ]);
  });

  it('unsubscribes an existing contact from everything, and subscribes again', async () => {
    const id = value(await audience.createContact(acme, { email: 'u@example.com', first_name: 'U' })).id;
    expect(
      value(
        await preferences.updatePreferences(acme.tenant_id, 'u@example.com', { unsubscribed: true }, null),
      ),
    ).toMatchObject({
      unsubscribed: true,
    });
    expect(value(await audience.getContact(acme, id))).toMatchObject({ unsubscribed: true, first_name: 'U' });
    // The same change again changes nothing and writes nothing.
    value(await preferences.updatePreferences(acme.tenant_id, 'u@example.com', { unsubscribed: true }, null));
    value(
      await preferences.updatePreferences(acme.tenant_id, 'u@example.com', { unsubscribed: false }, null),
    );
    expect(value(await audience.getContact(acme, id)).unsubscribed).toBe(false);
    const entries = await auditOf(acme.tenant_id, id);
    expect(entries.map((e) => [e.actor_type, e.action, e.summary.unsubscribed])).toEqual([
      ['api_key', 'contact.created', undefined],
      ['system', 'contact.preferences_updated', true],
      ['system', 'contact.preferences_updated', false],
    ]);
  });

  it('opts out of a private topic too (an email about it carries its id)', async () => {
    const { hidden } = await topics(acme);
    value(
      await preferences.updatePreferences(
        acme.tenant_id,
        'p@example.com',
        { topics: [{ id: hidden, subscribed: false }] },
        null,
      ),
    );
    const contact = value(await audience.getContact(acme, 'p@example.com'));
    expect(value(await audience.listContactTopics(acme, contact.id, { limit: 20 })).data).toContainEqual(
      expect.objectContaining({ id: hidden, subscription: 'opt_out' }),
    );
    // The same click again (the page cannot see a private topic's state) changes nothing and writes nothing.
    value(
      await preferences.updatePreferences(
        acme.tenant_id,
        'p@example.com',
        { topics: [{ id: hidden, subscribed: false }] },
        null,
      ),
    );
    expect((await auditOf(acme.tenant_id, contact.id)).map((e) => e.action)).toEqual([
      'contact.preferences_updated',
    ]);
  });

  it("refuses another tenant's topic and an unknown tenant, creating nothing", async () => {
    const theirs = await topics(globex);
    const error = failure(
      await preferences.updatePreferences(
        acme.tenant_id,
        'x@example.com',
        { topics: [{ id: theirs.news, subscribed: false }] },
        null,
      ),
    );
    expect(error.code).toBe('not_found');
    expect(
      failure(
        await preferences.updatePreferences('no-such-tenant', 'x@example.com', { unsubscribed: true }, null),
      ).code,
    ).toBe('not_found');
    expect(await count('SELECT count(*) AS n FROM contacts WHERE email = ?', 'x@example.com')).toBe(0);
  });

  it('refuses a malformed change', async () => {
    const bad = { unsubscribed: 'yes' } as unknown as { unsubscribed: boolean };
    expect(
      failure(await preferences.updatePreferences(acme.tenant_id, 'x@example.com', bad, null)).code,
    ).toBe('invalid_parameter');
  });
});
