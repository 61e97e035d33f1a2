// AudienceService's topic methods over real RPC, against the local D1: CRUD with audit entries, the
// default subscription fixed at creation, deleting a topic dropping contacts' choices about it, and
// tenants kept apart.
import type { Caller } from '@mailgrid/contracts';
import { beforeEach, describe, expect, it } from 'vitest';
import { auditOf, count, failure, later, value } from './audience-helpers';
import { audience, twoTenants } from './helpers';

let acme: Caller;
let globex: Caller;

beforeEach(async () => {
  ({ acme, globex } = await twoTenants());
});

describe('topics', () => {
  it('creates, reads, lists, updates and deletes, auditing each change', async () => {
    const created = value(
      await audience.createTopic(acme, {
        name: 'Product',
        description: 'Releases',
        default_subscription: 'opt_in',
      }),
    );
    await later();
    expect(created).toEqual({ object: 'topic', id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const other = value(
      await audience.createTopic(acme, {
        name: 'Internal',
        default_subscription: 'opt_out',
        visibility: 'private',
      }),
    ).id;
    expect(value(await audience.getTopic(acme, created.id))).toEqual({
      object: 'topic',
      id: created.id,
      name: 'Product',
      description: 'Releases',
      default_subscription: 'opt_in',
      // Resend's default when none is given.
      visibility: 'private',
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(value(await audience.listTopics(acme))).toEqual({
      object: 'list',
      has_more: false,
      data: [
        expect.objectContaining({ id: other, visibility: 'private', default_subscription: 'opt_out' }),
        expect.objectContaining({ id: created.id, name: 'Product' }),
      ],
    });
    expect(
      value(
        await audience.updateTopic(acme, created.id, { id: created.id, name: 'Launches', description: null }),
      ),
    ).toEqual({ object: 'topic', id: created.id });
    value(await audience.updateTopic(acme, created.id, { visibility: 'public' }));
    expect(value(await audience.getTopic(acme, created.id))).toMatchObject({
      name: 'Launches',
      description: null,
      visibility: 'public',
      default_subscription: 'opt_in',
    });
    expect(value(await audience.deleteTopic(acme, created.id))).toEqual({
      object: 'topic',
      id: created.id,
      deleted: true,
    });
    expect(failure(await audience.getTopic(acme, created.id)).code).toBe('not_found');
    expect((await auditOf(acme.tenant_id, created.id)).map((e) => [e.action, e.summary])).toEqual([
      [
        'topic.created',
        { name: 'Product', description: 'Releases', default_subscription: 'opt_in', visibility: 'private' },
      ],
      ['topic.updated', { name: 'Launches', description: null }],
      ['topic.updated', { visibility: 'public' }],
      ['topic.deleted', { name: 'Launches' }],
    ]);
  });

  it('an update that changes nothing writes nothing', async () => {
    const id = value(await audience.createTopic(acme, { name: 'Same', default_subscription: 'opt_in' })).id;
    value(await audience.updateTopic(acme, id, { name: 'Same' }));
    expect((await auditOf(acme.tenant_id, id)).map((e) => e.action)).toEqual(['topic.created']);
  });

  it("deleting a topic drops contacts' choices about it", async () => {
    const id = value(await audience.createTopic(acme, { name: 'T', default_subscription: 'opt_in' })).id;
    value(
      await audience.createContact(acme, {
        email: 'c@example.com',
        topics: [{ id, subscription: 'opt_out' }],
      }),
    );
    expect(await count('SELECT count(*) AS n FROM contact_topics WHERE topic_id = ?', id)).toBe(1);
    value(await audience.deleteTopic(acme, id));
    expect(await count('SELECT count(*) AS n FROM contact_topics WHERE topic_id = ?', id)).toBe(0);
  });

  it("answers not_found for another tenant's topic on every method", async () => {
    const id = value(await audience.createTopic(acme, { name: 'Mine', default_subscription: 'opt_in' })).id;
    expect(failure(await audience.getTopic(globex, id)).code).toBe('not_found');
    expect(failure(await audience.updateTopic(globex, id, { name: 'X' })).code).toBe('not_found');
    expect(failure(await audience.deleteTopic(globex, id)).code).toBe('not_found');
    expect(value(await audience.listTopics(globex)).data).toEqual([]);
    expect(value(await audience.getTopic(acme, id)).name).toBe('Mine');
  });
});
