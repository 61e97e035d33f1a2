// Resend's audience-era routes (aliases of segments, audience-scoped contacts) and the SDK's multipart
// import form, on the gateway's side: what reaches admin, what the caller gets back, and bad input
// refused before admin is asked. AUDIENCE is a recording stub; admin's tests and the mesh do the rest.
import type { AudienceRpc, RpcResult } from '@mailgrid/contracts';
import { seedTenant } from '@mailgrid/testing/fixtures';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../src/env';
import { call, realEnv, recordingAdmin, testEnv, uniqueSlug } from './helpers';

const AUDIENCE_ID = '7a1c2e3f-0000-4000-8000-0000000000a1';
const CONTACT_ID = '7a1c2e3f-0000-4000-8000-0000000000c1';
const IMPORT_ID = '7a1c2e3f-0000-4000-8000-0000000000e1';
const TOPIC_ID = '7a1c2e3f-0000-4000-8000-0000000000b1';

function recordingAudience(segmentExists = true) {
  const ok = <T>(value: T): Promise<RpcResult<T>> => Promise.resolve({ ok: true, value });
  return {
    ...recordingAdmin(),
    createSegment: vi.fn<AudienceRpc['createSegment']>(() =>
      ok({ object: 'segment', id: AUDIENCE_ID, name: 'Newsletter' }),
    ),
    getSegment: vi.fn<AudienceRpc['getSegment']>(async () =>
      segmentExists
        ? { ok: true, value: { object: 'segment', id: AUDIENCE_ID, name: 'Newsletter', created_at: 'x' } }
        : { ok: false, error: { code: 'not_found', message: `Segment ${AUDIENCE_ID} not found.` } },
    ),
    deleteSegment: vi.fn<AudienceRpc['deleteSegment']>(() =>
      ok({ object: 'segment', id: AUDIENCE_ID, deleted: true }),
    ),
    createContact: vi.fn<AudienceRpc['createContact']>(() => ok({ object: 'contact', id: CONTACT_ID })),
    deleteContact: vi.fn<AudienceRpc['deleteContact']>(() =>
      ok({ object: 'contact', contact: CONTACT_ID, deleted: true } as never),
    ),
    listSegmentContacts: vi.fn<AudienceRpc['listSegmentContacts']>(() =>
      ok({ object: 'list', has_more: false, data: [] }),
    ),
    createContactImport: vi.fn<AudienceRpc['createContactImport']>(() =>
      ok({ object: 'contact_import', id: IMPORT_ID, status: 'queued' }),
    ),
  };
}

let token: string;
let audience: ReturnType<typeof recordingAudience>;
let env: Env;

beforeAll(async () => {
  const tenant = await seedTenant(realEnv.DB, {
    slug: uniqueSlug('gw-audiences'),
    domain: 'audiences.example.test',
    rateLimit: { per_second: 1000, burst: 1000 },
  });
  token = tenant.fullKey.token;
});

beforeEach(() => {
  audience = recordingAudience();
  env = testEnv({ ADMIN: audience });
});

function send(method: string, path: string, body?: unknown, target = env) {
  return call(
    path,
    {
      method,
      key: token,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    },
    target,
  );
}

describe('audiences (segments under their former name)', () => {
  it('creates, reads and deletes a segment, answering as an audience', async () => {
    const created = await send('POST', '/api/audiences', { name: 'Newsletter' });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ object: 'audience', id: AUDIENCE_ID, name: 'Newsletter' });
    expect(audience.createSegment).toHaveBeenCalledWith(expect.anything(), { name: 'Newsletter' });

    const got = await send('GET', `/api/audiences/${AUDIENCE_ID}`);
    expect(await got.json()).toMatchObject({ object: 'audience', id: AUDIENCE_ID, name: 'Newsletter' });
    const deleted = await send('DELETE', `/api/audiences/${AUDIENCE_ID}`);
    expect(await deleted.json()).toEqual({ object: 'audience', id: AUDIENCE_ID, deleted: true });
  });

  it('creates a contact in the audience by adding it to that segment', async () => {
    const response = await send('POST', `/api/audiences/${AUDIENCE_ID}/contacts`, {
      email: 'ada@example.com',
      first_name: 'Ada',
      unsubscribed: false,
    });
    expect(response.status).toBe(201);
    expect(audience.createContact).toHaveBeenCalledWith(expect.anything(), {
      email: 'ada@example.com',
      first_name: 'Ada',
      unsubscribed: false,
      segments: [{ id: AUDIENCE_ID }],
    });
  });

  it('refuses segments or topics in the audience form, which the old API never had', async () => {
    const response = await send('POST', `/api/audiences/${AUDIENCE_ID}/contacts`, {
      email: 'ada@example.com',
      segments: [{ id: AUDIENCE_ID }],
    });
    expect(response.status).toBe(422);
    expect(audience.createContact).not.toHaveBeenCalled();
  });

  it('answers 404 for an audience that is not there, and touches no contact', async () => {
    const missing = recordingAudience(false);
    const target = testEnv({ ADMIN: missing });
    for (const [method, path, body] of [
      ['POST', `/api/audiences/${AUDIENCE_ID}/contacts`, { email: 'ada@example.com' }],
      ['DELETE', `/api/audiences/${AUDIENCE_ID}/contacts/ada@example.com`, undefined],
      ['PATCH', `/api/audiences/${AUDIENCE_ID}/contacts/${CONTACT_ID}`, { first_name: 'A' }],
    ] as const) {
      const response = await send(method, path, body, target);
      expect(response.status).toBe(404);
    }
    expect(missing.createContact).not.toHaveBeenCalled();
    expect(missing.deleteContact).not.toHaveBeenCalled();
  });

  it('deletes the contact named by address within a found audience', async () => {
    const response = await send('DELETE', `/api/audiences/${AUDIENCE_ID}/contacts/Ada@Example.com`);
    expect(response.status).toBe(200);
    expect(audience.deleteContact).toHaveBeenCalledWith(
      expect.anything(),
      expect.stringMatching(/ada@example\.com/i),
    );
  });

  it('is marked deprecated in the OpenAPI document', async () => {
    const document = (await (await call('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { deprecated?: boolean }>>;
    };
    expect(document.paths['/api/audiences']?.post?.deprecated).toBe(true);
    expect(document.paths['/api/audiences/{id}/contacts/{contact_id}']?.delete?.deprecated).toBe(true);
    expect(document.paths['/api/segments']?.post?.deprecated).toBeUndefined();
  });
});

describe('imports as the SDK sends them (multipart/form-data)', () => {
  function form(fields: Record<string, string>, csv: string | null = 'email\nada@example.com\n') {
    const body = new FormData();
    if (csv !== null) body.append('file', new Blob([csv], { type: 'text/csv' }), 'contacts.csv');
    for (const [name, value] of Object.entries(fields)) body.append(name, value);
    return call('/api/contacts/imports', { method: 'POST', key: token, body }, env);
  }

  it('hands the file and the decoded options to admin, and answers 202', async () => {
    const response = await form({
      column_map: JSON.stringify({
        email: 'E-mail',
        first_name: 'Name',
        properties: { plan: { column: 'Tier' } },
      }),
      on_conflict: 'skip',
      segments: JSON.stringify([{ id: AUDIENCE_ID.toUpperCase() }]),
      topics: JSON.stringify([{ id: TOPIC_ID, subscription: 'opt_out' }]),
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ object: 'contact_import', id: IMPORT_ID, status: 'queued' });
    const [, csv, query, options] = audience.createContactImport.mock.calls[0] ?? [];
    expect(new TextDecoder().decode(csv)).toBe('email\nada@example.com\n');
    expect(query).toEqual({});
    expect(options).toEqual({
      column_map: { email: 'E-mail', first_name: 'Name', properties: { plan: { column: 'Tier' } } },
      on_conflict: 'skip',
      segments: [{ id: AUDIENCE_ID }],
      topics: [{ id: TOPIC_ID, subscription: 'opt_out' }],
    });
  });

  it('still takes the raw CSV body, with no options', async () => {
    const response = await call(
      '/api/contacts/imports',
      { method: 'POST', key: token, headers: { 'content-type': 'text/csv' }, body: 'email\na@example.com\n' },
      env,
    );
    expect(response.status).toBe(202);
    expect(audience.createContactImport.mock.calls[0]).toHaveLength(3);
  });

  it.each([
    [{}, null, 'file'],
    [{ column_map: '{not json' }, undefined, 'column_map: must be JSON'],
    [{ on_conflict: 'merge' }, undefined, "on_conflict must be 'upsert' or 'skip'"],
    [{ segments: JSON.stringify([{ id: 'vip' }]) }, undefined, 'segments'],
    [{ topics: JSON.stringify([{ id: TOPIC_ID, subscription: 'maybe' }]) }, undefined, 'topics'],
    [{ column_map: JSON.stringify({ mail: 'E-mail' }) }, undefined, 'Unknown field: mail'],
    [{ audience_id: AUDIENCE_ID }, undefined, 'audience_id: not a field of an import'],
  ] as [Record<string, string>, string | null | undefined, string][])(
    'refuses %j before admin is asked',
    async (fields, csv, message) => {
      const response = await form(fields, csv === undefined ? 'email\na@example.com\n' : csv);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(((await response.json()) as { message: string }).message).toContain(message);
      expect(audience.createContactImport).not.toHaveBeenCalled();
    },
  );
});
