// The gateway's side of the audience API: what it passes to admin (the contact ref decoded, the
// normalized input, the SDK's bare list for topics), and that bad input is a 422 naming the field
// before admin is asked. ADMIN is a recording stub; admin's tests and the mesh cover the rest.
import type { AudienceRpc, RpcResult } from '@mailgrid/contracts';
import { seedTenant } from '@mailgrid/testing/fixtures';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../src/env';
import { call, realEnv, recordingAdmin, testEnv, uniqueSlug } from './helpers';

const CONTACT_ID = '7a1c2e3f-0000-4000-8000-0000000000c1';
const SEGMENT_ID = '7a1c2e3f-0000-4000-8000-0000000000f1';

function recordingAudienceAdmin() {
  const contact = async (): Promise<RpcResult<{ object: 'contact'; id: string }>> => ({
    ok: true,
    value: { object: 'contact', id: CONTACT_ID },
  });
  return {
    ...recordingAdmin(),
    createContact: vi.fn<AudienceRpc['createContact']>(contact),
    updateContact: vi.fn<AudienceRpc['updateContact']>(contact),
    getContact: vi.fn<AudienceRpc['getContact']>(async () => ({
      ok: false,
      error: { code: 'not_found', message: 'Contact x not found.' },
    })),
    addContactToSegment: vi.fn<AudienceRpc['addContactToSegment']>(async () => ({
      ok: true,
      value: { object: 'contact_segment', id: SEGMENT_ID, contact_id: CONTACT_ID, segment_id: SEGMENT_ID },
    })),
    updateContactTopics: vi.fn<AudienceRpc['updateContactTopics']>(async () => ({
      ok: true,
      value: { id: CONTACT_ID },
    })),
    listContacts: vi.fn<AudienceRpc['listContacts']>(async () => ({
      ok: true,
      value: { object: 'list', has_more: false, data: [] },
    })),
    createTopic: vi.fn<AudienceRpc['createTopic']>(async () => ({
      ok: true,
      value: { object: 'topic', id: 't' },
    })),
  };
}

let token: string;
let admin: ReturnType<typeof recordingAudienceAdmin>;
let adminEnv: Env;

beforeAll(async () => {
  const tenant = await seedTenant(realEnv.DB, {
    slug: uniqueSlug('gw-aud'),
    domain: 'aud.example.test',
    rateLimit: { per_second: 1000, burst: 1000 },
  });
  token = tenant.fullKey.token;
});

beforeEach(() => {
  admin = recordingAudienceAdmin();
  adminEnv = testEnv({ ADMIN: admin });
});

function send(method: string, path: string, body?: unknown) {
  return call(
    path,
    {
      method,
      key: token,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    },
    adminEnv,
  );
}

describe('contacts', () => {
  it('passes the normalized input on and answers 201', async () => {
    const response = await send('POST', '/api/contacts', {
      email: '  Ada@Example.COM ',
      first_name: 'Ada',
      last_name: undefined,
      unsubscribed: null,
      properties: { plan: 'pro' },
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ object: 'contact', id: CONTACT_ID });
    expect(admin.createContact.mock.calls[0]?.[1]).toEqual({
      email: 'ada@example.com',
      first_name: 'Ada',
      unsubscribed: null,
      properties: { plan: 'pro' },
    });
  });

  it('hands admin the email in the path decoded, and admin’s not_found as 404', async () => {
    const response = await send('GET', '/api/contacts/a%2Bb%40example.com');
    expect(response.status).toBe(404);
    expect(admin.getContact.mock.calls[0]?.[1]).toBe('a+b@example.com');
    await send('PATCH', '/api/contacts/c@example.com', { first_name: null });
    expect(admin.updateContact.mock.calls[0]?.slice(1)).toEqual(['c@example.com', { first_name: null }]);
  });

  it('joins a segment without a body, as the SDK posts it', async () => {
    const response = await call(
      `/api/contacts/${CONTACT_ID}/segments/${SEGMENT_ID}`,
      { method: 'POST', key: token, headers: { 'content-type': 'application/json' } },
      adminEnv,
    );
    expect(response.status).toBe(200);
    expect(admin.addContactToSegment.mock.calls[0]?.slice(1)).toEqual([CONTACT_ID, SEGMENT_ID]);
  });

  it("takes the SDK's bare list of topic choices, or { topics }", async () => {
    const choices = [{ id: 't1', subscription: 'opt_out' }];
    expect((await send('PATCH', `/api/contacts/${CONTACT_ID}/topics`, choices)).status).toBe(200);
    expect((await send('PATCH', `/api/contacts/${CONTACT_ID}/topics`, { topics: choices })).status).toBe(200);
    expect(admin.updateContactTopics.mock.calls.map((args) => args[2])).toEqual([choices, choices]);
  });

  it.each([
    ['POST', '/api/contacts', { email: 'nope' }, 'email'],
    ['POST', '/api/contacts', { email: 'a@example.com', segments: [{}] }, 'segments.0.id'],
    ['POST', '/api/contacts', { email: 'a@example.com', properties: [1] }, 'properties'],
    ['PATCH', `/api/contacts/${CONTACT_ID}`, { unsubscribed: 1 }, 'unsubscribed'],
    [
      'PATCH',
      `/api/contacts/${CONTACT_ID}/topics`,
      [{ id: 't', subscription: 'no' }],
      'topics.0.subscription',
    ],
    ['PATCH', `/api/contacts/${CONTACT_ID}/topics`, { topics: [] }, 'topics'],
    ['GET', '/api/contacts?limit=101', undefined, 'limit'],
    ['POST', '/api/topics', { name: 'T' }, 'default_subscription'],
  ])('%s %s %j is a 422 naming %s, admin not asked', async (method, path, body, field) => {
    const response = await send(method, path, body);
    expect(response.status).toBe(422);
    expect(((await response.json()) as { message: string }).message).toContain(field);
    const asked = [
      admin.createContact,
      admin.updateContact,
      admin.updateContactTopics,
      admin.listContacts,
      admin.createTopic,
    ];
    expect(asked.every((fn) => fn.mock.calls.length === 0)).toBe(true);
  });
});
