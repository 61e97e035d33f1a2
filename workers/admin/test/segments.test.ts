// AudienceService's segment methods over real RPC, against the local D1: CRUD with audit entries, a
// segment's contacts paged, deleting a segment keeping its contacts, and tenants kept apart.
import type { Caller } from '@mailgrid/contracts';
import { beforeEach, describe, expect, it } from 'vitest';
import { auditOf, count, failure, later, value } from './audience-helpers';
import { audience, twoTenants } from './helpers';

let acme: Caller;
let globex: Caller;

beforeEach(async () => {
  ({ acme, globex } = await twoTenants());
});

describe('segments', () => {
  it('creates, reads, lists, renames and deletes, auditing each change', async () => {
    const created = value(await audience.createSegment(acme, { name: 'Customers' }));
    await later();
    expect(created).toEqual({
      object: 'segment',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Customers',
    });
    const second = value(await audience.createSegment(acme, { name: 'Leads' })).id;
    expect(value(await audience.getSegment(acme, created.id))).toEqual({
      object: 'segment',
      id: created.id,
      name: 'Customers',
      created_at: expect.any(String),
    });
    const page = value(await audience.listSegments(acme, { limit: 1 }));
    expect(page).toMatchObject({ object: 'list', has_more: true, data: [{ id: second, name: 'Leads' }] });
    expect(value(await audience.listSegments(acme, { limit: 1, after: second }))).toMatchObject({
      has_more: false,
      data: [{ id: created.id }],
    });
    expect(value(await audience.updateSegment(acme, created.id, { name: 'Buyers' }))).toEqual({
      object: 'segment',
      id: created.id,
    });
    expect(value(await audience.getSegment(acme, created.id)).name).toBe('Buyers');
    expect(value(await audience.deleteSegment(acme, created.id))).toEqual({
      object: 'segment',
      id: created.id,
      deleted: true,
    });
    expect(failure(await audience.getSegment(acme, created.id)).code).toBe('not_found');
    expect((await auditOf(acme.tenant_id, created.id)).map((e) => [e.action, e.summary])).toEqual([
      ['segment.created', { name: 'Customers' }],
      ['segment.updated', { name: 'Buyers' }],
      ['segment.deleted', { name: 'Buyers' }],
    ]);
  });

  it("lists a segment's contacts newest first, and deleting it keeps the contacts", async () => {
    const segment = value(await audience.createSegment(acme, { name: 'S' })).id;
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      ids.push(
        value(await audience.createContact(acme, { email: `m${n}@example.com`, segments: [{ id: segment }] }))
          .id,
      );
      await later();
    }
    value(await audience.createContact(acme, { email: 'outside@example.com' }));
    const page = value(await audience.listSegmentContacts(acme, segment, { limit: 2 }));
    expect(page).toMatchObject({ object: 'list', has_more: true });
    expect(page.data.map((c) => c.email)).toEqual(['m3@example.com', 'm2@example.com']);
    expect(
      value(await audience.listSegmentContacts(acme, segment, { limit: 2, after: ids[1] })).data,
    ).toMatchObject([{ email: 'm1@example.com' }]);
    value(await audience.deleteSegment(acme, segment));
    expect(await count('SELECT count(*) AS n FROM contacts WHERE tenant_id = ?', acme.tenant_id)).toBe(4);
    expect(await count('SELECT count(*) AS n FROM segment_contacts WHERE segment_id = ?', segment)).toBe(0);
  });

  it("answers not_found for another tenant's segment on every method", async () => {
    const id = value(await audience.createSegment(acme, { name: 'Mine' })).id;
    expect(failure(await audience.getSegment(globex, id)).code).toBe('not_found');
    expect(failure(await audience.updateSegment(globex, id, { name: 'X' })).code).toBe('not_found');
    expect(failure(await audience.deleteSegment(globex, id)).code).toBe('not_found');
    expect(failure(await audience.listSegmentContacts(globex, id, { limit: 20 })).code).toBe('not_found');
    expect(value(await audience.listSegments(globex, { limit: 20 })).data).toEqual([]);
    expect(value(await audience.getSegment(acme, id)).name).toBe('Mine');
  });
});
