// Keeps docs/resend-compatibility.md true. Its table has one row per method of the official `resend`
// SDK with the request(s) the method makes; this file checks each row against the SDK itself (by
// calling every method against a recording fetch) and against the running gateway's route table (its
// OpenAPI document): a method the SDK adds, a request that changes, a route we add or drop, or a row
// claiming support with no test that drives the method all fail here. It also drives, through the
// SDK, the few supported methods no other mesh test calls.
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { mesh } from './client';
import { resendWith } from './mail';
import { inventory, type SdkMethod } from './resend-inventory';

const STATUSES = ['supported', 'partial', 'not yet', 'client-side'] as const;
type Status = (typeof STATUSES)[number];

interface MethodRow {
  name: string;
  requests: string[];
  status: Status;
  testedIn: string | null;
}

const DOC_PATH = new URL('../../docs/resend-compatibility.md', import.meta.url);
const doc = readFileSync(DOC_PATH, 'utf8');
/** The cells of every table row (biome pads them; a cell never holds a `|`). */
const tableRows = doc
  .split('\n')
  .filter((line) => line.startsWith('|'))
  .map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );
const requestsIn = (cell: string) =>
  [...cell.matchAll(/`([A-Z]+ \/[^`]*)`/g)].map((match) => match[1] as string);

/** `| \`emails.send\` | \`POST /emails\` | supported | \`send.test.ts\` | … |` */
const methodRows: MethodRow[] = tableRows
  .filter(([name = '']) => /^`[a-zA-Z]+(\.[a-zA-Z]+)+`$/.test(name))
  .map(([name = '', requests = '', status = '', testedIn = '']) => ({
    name: name.replaceAll('`', ''),
    requests: requestsIn(requests),
    status: status as Status,
    testedIn: testedIn.startsWith('`') ? testedIn.replaceAll('`', '') : null,
  }));

/** Mailgrid's own routes, outside the SDK: `| \`POST /broadcasts/{}/pause\` | … |` */
const ownRoutes: string[] = tableRows
  .filter(([route = '']) => /^`[A-Z]+ \/[^`]*`$/.test(route))
  .map(([route = '']) => requestsIn(route)[0] as string);

let sdk: SdkMethod[];
/** The gateway's operations as `GET /emails/{}` (the `/api` prefix and parameter names dropped). */
let operations: Set<string>;

beforeAll(async () => {
  sdk = await inventory();
  const document = (await (await fetch(`${mesh.url}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  operations = new Set(
    Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((method) => ['get', 'post', 'patch', 'put', 'delete'].includes(method))
        .map(
          (method) =>
            `${method.toUpperCase()} ${path.replace(/^\/api(?=\/)/, '').replace(/\{[^}]+\}/g, '{}')}`,
        ),
    ),
  );
});

describe('docs/resend-compatibility.md', () => {
  it('has one row for every method of the resend SDK, and none for a method it lacks', () => {
    const documented = methodRows.map((row) => row.name);
    expect(new Set(documented).size, 'a method has two rows').toBe(documented.length);
    expect([...documented].sort()).toEqual(sdk.map((method) => method.name).sort());
    for (const row of methodRows) expect(STATUSES, row.name).toContain(row.status);
  });

  it('names the requests each method really makes', () => {
    const made = new Map(sdk.map((method) => [method.name, method.requests]));
    for (const row of methodRows) {
      expect([...row.requests].sort(), row.name).toEqual([...(made.get(row.name) ?? [])].sort());
      if (row.status === 'client-side') expect(row.requests, `${row.name} is client-side`).toEqual([]);
    }
  });

  it('says supported only where the gateway has the route and a mesh test drives the method', () => {
    for (const row of methodRows.filter((row) => row.status === 'supported' || row.status === 'partial')) {
      for (const request of row.requests) expect(operations, `${row.name}: ${request}`).toContain(request);
      expect(row.testedIn, `${row.name} names no test`).not.toBeNull();
      const file = new URL(row.testedIn as string, import.meta.url);
      expect(existsSync(file), `${row.name}: ${row.testedIn} does not exist`).toBe(true);
      // The test calls the method by its last two names (`attachments.list(`), as `resend.emails.attachments.list(`.
      const call = `${row.name.split('.').slice(-2).join('.')}(`;
      expect(readFileSync(file, 'utf8').includes(call), `${row.testedIn} never calls ${call}`).toBe(true);
    }
  });

  it('says not yet only where the gateway has no such route', () => {
    for (const row of methodRows.filter((row) => row.status === 'not yet')) {
      for (const request of row.requests)
        expect(operations, `${row.name}: ${request}`).not.toContain(request);
    }
  });

  it('lists every route of the gateway, under the SDK method that calls it or as Mailgrid’s own', () => {
    const documented = new Set([...methodRows.flatMap((row) => row.requests), ...ownRoutes]);
    const missing = [...operations].filter((operation) => !documented.has(operation));
    expect(missing.join('\n'), 'routes with no row').toBe('');
    const gone = ownRoutes.filter((route) => !operations.has(route));
    expect(gone.join('\n'), 'rows for routes the gateway does not have').toBe('');
  });

  it('states the counts of its own table', () => {
    const calling = methodRows.filter((row) => row.status !== 'client-side');
    const supported = calling.filter((row) => row.status === 'supported').length;
    const partial = calling.filter((row) => row.status === 'partial').length;
    expect(doc).toContain(
      `**${supported} of the ${calling.length}** SDK methods that make a request are supported` +
        (partial ? `, ${partial} partly` : ''),
    );
  });
});

describe('methods no other mesh test drives', () => {
  const { sdkCompat } = mesh;
  const resend = resendWith(sdkCompat.full.token);
  const from = 'Compat <hello@sdk-compat.mesh.test>';
  const ok = <T>(result: { data: T | null; error: unknown }): T => {
    expect(result.error).toBeNull();
    return result.data as T;
  };

  it('emails.create and batch.create send, as their aliases send and batch.send do', async () => {
    const single = ok(
      await resend.emails.create({ from, to: 'one@example.com', subject: 'One', text: 'Hi' }),
    );
    const batch = ok(
      await resend.batch.create([
        { from, to: 'two@example.com', subject: 'Two', text: 'Hi' },
        { from, to: 'three@example.com', subject: 'Three', text: 'Hi' },
      ]),
    );
    expect(batch.data).toHaveLength(2);
    const read = ok(await resend.emails.get(single.id));
    expect(read).toMatchObject({ id: single.id, subject: 'One', to: ['one@example.com'] });
  });

  it('segments.update renames a segment', async () => {
    const segment = ok(await resend.segments.create({ name: 'Before' }));
    ok(await resend.segments.update(segment.id, { name: 'After' }));
    expect(ok(await resend.segments.get(segment.id))).toMatchObject({ id: segment.id, name: 'After' });
  });

  it('audiences.* (the SDK sends them to /segments) create, list, get, update and remove', async () => {
    const audience = ok(await resend.audiences.create({ name: 'Old code' }));
    expect(ok(await resend.audiences.list()).data.map((item) => item.id)).toContain(audience.id);
    ok(await resend.audiences.update(audience.id, { name: 'Renamed' }));
    expect(ok(await resend.audiences.get(audience.id))).toMatchObject({ id: audience.id, name: 'Renamed' });
    ok(await resend.audiences.remove(audience.id));
    expect((await resend.audiences.get(audience.id)).error).toMatchObject({ name: 'not_found' });
  });

  it('broadcasts.duplicate copies a draft, and broadcasts.clickedLinks answers a list', async () => {
    const segment = ok(await resend.segments.create({ name: 'Readers' }));
    const original = ok(
      await resend.broadcasts.create({
        segmentId: segment.id,
        from,
        name: 'Spring',
        subject: 'News',
        text: 'Hi',
      }),
    );
    const copy = ok(await resend.broadcasts.duplicate(original.id));
    expect(copy.id).not.toBe(original.id);
    expect(ok(await resend.broadcasts.get(copy.id))).toMatchObject({ subject: 'News', status: 'draft' });
    const links = ok(await resend.broadcasts.clickedLinks(original.id));
    expect(links).toMatchObject({ object: 'list', data: [] });
  });

  it('templates: get by alias, list, duplicate and remove', async () => {
    const alias = `compat-${crypto.randomUUID().slice(0, 8)}`;
    const created = ok(
      await resend.templates.create({ name: 'Compat', alias, subject: 'Hello', html: '<p>Hi</p>' }),
    );
    expect(ok(await resend.templates.get(alias))).toMatchObject({ id: created.id, alias, name: 'Compat' });
    const listed = ok(await resend.templates.list());
    expect(listed.data.map((template) => template.id)).toContain(created.id);
    const copy = ok(await resend.templates.duplicate(created.id));
    expect(copy.id).not.toBe(created.id);
    ok(await resend.templates.remove(copy.id));
    expect((await resend.templates.get(copy.id)).error).toMatchObject({ name: 'not_found' });
  });
});
