// MessagingService's template methods over a real RPC boundary (the worker's loopback binding in
// `exports`), against the real local D1: drafts, publishing, aliases, tenants and the audit log.
import type { Caller, CreateTemplateRequest, PublishedTemplate } from '@mailgrid/contracts';
import { render } from '@mailgrid/templates';
import { callerFor, seedTenant } from '@mailgrid/testing/fixtures';
import { beforeAll, describe, expect, it } from 'vitest';
import { messaging, realEnv, value } from './helpers';

type Tenant = Awaited<ReturnType<typeof seedTenant>>;

let acme: Tenant;
let globex: Tenant;

beforeAll(async () => {
  acme = await seedTenant(realEnv.DB, { slug: unique('acme'), domain: 'acme.example.test' });
  globex = await seedTenant(realEnv.DB, { slug: unique('globex'), domain: 'globex.example.test' });
});

function unique(label: string): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}`;
}

function callerOf(tenant: Tenant, requestId?: string): Caller {
  return callerFor(tenant.tenantId, tenant.fullKey, requestId);
}

const ORDER: CreateTemplateRequest = {
  name: 'Order confirmation',
  subject: 'Your {{{PRODUCT}}}',
  html: '<p>{{{PRODUCT}}} for {{PRICE}}</p>',
  text: '{{{PRODUCT}}} for {{{PRICE}}}',
  variables: [
    { key: 'PRODUCT', type: 'string', fallback_value: 'item' },
    { key: 'PRICE', type: 'number' },
  ],
};

async function create(tenant: Tenant, input: Partial<CreateTemplateRequest> = {}, requestId?: string) {
  return value(await messaging.createTemplate(callerOf(tenant, requestId), { ...ORDER, ...input })).id;
}

function templateRow(id: string) {
  return realEnv.DB.prepare('SELECT * FROM templates WHERE id = ?')
    .bind(id)
    .first<Record<string, string | null>>();
}

function templateCount(tenant: Tenant) {
  return realEnv.DB.prepare('SELECT count(*) AS n FROM templates WHERE tenant_id = ?')
    .bind(tenant.tenantId)
    .first<number>('n');
}

async function auditRows(targetId: string) {
  const { results } = await realEnv.DB.prepare(
    'SELECT * FROM audit_log WHERE target_id = ? ORDER BY created_at, rowid',
  )
    .bind(targetId)
    .all<Record<string, string | null>>();
  return results;
}

describe('createTemplate', () => {
  it('stores a draft and answers { object, id }', async () => {
    const result = value(await messaging.createTemplate(callerOf(acme), ORDER));
    expect(result).toEqual({ object: 'template', id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(await templateRow(result.id)).toMatchObject({
      tenant_id: acme.tenantId,
      status: 'draft',
      published: null,
      published_at: null,
      subject: 'Your {{{PRODUCT}}}',
    });
  });

  it('returns every field with get, by id and by alias alike', async () => {
    const alias = unique('order');
    const id = await create(acme, {
      alias,
      from: 'Acme <orders@acme.example.test>',
      reply_to: 'help@acme.example.test',
    });
    const byId = value(await messaging.getTemplate(callerOf(acme), id));
    expect(byId).toEqual({
      object: 'template',
      id,
      name: 'Order confirmation',
      alias,
      status: 'draft',
      from: 'Acme <orders@acme.example.test>',
      subject: 'Your {{{PRODUCT}}}',
      reply_to: ['help@acme.example.test'],
      html: '<p>{{{PRODUCT}}} for {{PRICE}}</p>',
      text: '{{{PRODUCT}}} for {{{PRICE}}}',
      variables: [
        { key: 'PRODUCT', type: 'string', fallback_value: 'item' },
        { key: 'PRICE', type: 'number', fallback_value: null },
      ],
      published_at: null,
      has_unpublished_versions: false,
      current_version_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(value(await messaging.getTemplate(callerOf(acme), alias))).toEqual(byId);
  });

  it('takes the minimum Resend requires: a name and html', async () => {
    const id = value(await messaging.createTemplate(callerOf(acme), { name: 'Bare', html: '<p>Hi</p>' })).id;
    expect(value(await messaging.getTemplate(callerOf(acme), id))).toMatchObject({
      alias: null,
      from: null,
      subject: null,
      reply_to: null,
      text: null,
      variables: [],
    });
  });

  it.each([
    [
      'an undeclared variable',
      { html: '<p>{{{COLOR}}}</p>' },
      /Variable 'COLOR' is used in the html but not defined/,
    ],
    [
      'a fallback of the wrong type',
      {
        variables: [
          { key: 'PRODUCT', type: 'string' as const },
          { key: 'PRICE', type: 'number' as const, fallback_value: 'cheap' },
        ],
      },
      /Variable 'PRICE' has type 'number' but its fallback_value is the string "cheap"/,
    ],
    [
      'a reserved key',
      {
        html: '<p>{{{EMAIL}}}</p>',
        text: null,
        subject: 'Hi',
        variables: [{ key: 'EMAIL', type: 'string' as const }],
      },
      /Variable 'EMAIL' is a reserved name/,
    ],
    [
      'a duplicate key',
      { variables: [...(ORDER.variables ?? []), { key: 'PRICE', type: 'number' as const }] },
      /Variable 'PRICE' is declared more than once/,
    ],
    ['a syntax error', { html: '<p>{{#each items}}</p>' }, /^html: /],
    [
      'a line break in the subject',
      { subject: 'Hello\r\nBcc: x@evil.test' },
      /^subject: must not contain line breaks/,
    ],
  ])('refuses %s with invalid_parameter naming it, and stores nothing', async (_label, input, message) => {
    const before = await templateCount(acme);
    const result = await messaging.createTemplate(callerOf(acme), { ...ORDER, ...input });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_parameter' } });
    if (!result.ok) expect(result.error.message).toMatch(message);
    expect(await templateCount(acme)).toBe(before);
  });

  it('refuses an alias the tenant already uses with conflict, and stores nothing', async () => {
    const alias = unique('welcome');
    await create(acme, { alias });
    const before = await templateCount(acme);
    const result = await messaging.createTemplate(callerOf(acme), { ...ORDER, alias });
    expect(result).toEqual({
      ok: false,
      error: { code: 'conflict', message: `Another template already has the alias ${alias}.` },
    });
    expect(await templateCount(acme)).toBe(before);
  });

  it('lets two tenants use the same alias, each reaching its own template', async () => {
    const alias = unique('shared');
    const acmeId = await create(acme, { alias, name: 'acme one' });
    const globexId = await create(globex, { alias, name: 'globex one' });
    expect(value(await messaging.getTemplate(callerOf(acme), alias)).id).toBe(acmeId);
    expect(value(await messaging.getTemplate(callerOf(globex), alias)).id).toBe(globexId);
  });
});

describe('listTemplates', () => {
  let tenant: Tenant;
  let newestFirst: string[];

  beforeAll(async () => {
    tenant = await seedTenant(realEnv.DB, { slug: unique('lister'), domain: 'lister.example.test' });
    for (let i = 0; i < 5; i++) await create(tenant, { name: `t${i}` });
    await create(acme, { name: 'not listed for lister' });
    const { results } = await realEnv.DB.prepare(
      'SELECT id FROM templates WHERE tenant_id = ? ORDER BY created_at DESC, id DESC',
    )
      .bind(tenant.tenantId)
      .all<{ id: string }>();
    newestFirst = results.map((row) => row.id);
  });

  const list = (query: { limit: number; after?: string; before?: string }) =>
    messaging.listTemplates(callerOf(tenant), query);

  it("lists the tenant's templates newest first, as Resend's list object", async () => {
    const page = value(await list({ limit: 20 }));
    expect(page.object).toBe('list');
    expect(page.has_more).toBe(false);
    expect(page.data.map((item) => item.id)).toEqual(newestFirst);
    for (const item of page.data) {
      expect(Object.keys(item).sort()).toEqual(
        ['alias', 'created_at', 'id', 'name', 'published_at', 'status', 'updated_at'].sort(),
      );
    }
  });

  it('pages forward with after and back with before', async () => {
    const first = value(await list({ limit: 2 }));
    expect(first).toMatchObject({ has_more: true });
    expect(first.data.map((item) => item.id)).toEqual(newestFirst.slice(0, 2));

    const second = value(await list({ limit: 2, after: newestFirst[1] }));
    expect(second.data.map((item) => item.id)).toEqual(newestFirst.slice(2, 4));
    expect(second.has_more).toBe(true);

    const last = value(await list({ limit: 2, after: newestFirst[3] }));
    expect(last.data.map((item) => item.id)).toEqual(newestFirst.slice(4));
    expect(last.has_more).toBe(false);

    const back = value(await list({ limit: 2, before: newestFirst[4] }));
    expect(back.data.map((item) => item.id)).toEqual(newestFirst.slice(2, 4));
    expect(back.has_more).toBe(true);
  });

  // after with before is refused at the gateway, for every list (its route-table test).
  it('refuses a cursor the tenant does not have', async () => {
    const foreign = await create(acme, { name: 'foreign cursor' });
    expect(await list({ limit: 2, after: foreign })).toMatchObject({
      ok: false,
      error: { code: 'invalid_parameter' },
    });
  });
});

describe('updateTemplate', () => {
  it('changes only the given fields; null clears one', async () => {
    const alias = unique('upd');
    const id = await create(acme, { alias, reply_to: ['a@acme.example.test', 'b@acme.example.test'] });
    const result = value(
      await messaging.updateTemplate(callerOf(acme), alias, { name: 'Renamed', text: null, subject: null }),
    );
    expect(result).toEqual({ object: 'template', id });
    expect(value(await messaging.getTemplate(callerOf(acme), id))).toMatchObject({
      name: 'Renamed',
      alias,
      text: null,
      subject: null,
      html: ORDER.html,
      reply_to: ['a@acme.example.test', 'b@acme.example.test'],
    });
  });

  it('checks the template as it would be after the change, naming the variable', async () => {
    const id = await create(acme);
    const result = await messaging.updateTemplate(callerOf(acme), id, {
      variables: [{ key: 'PRODUCT', type: 'string' }],
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_parameter' } });
    if (!result.ok) expect(result.error.message).toContain("Variable 'PRICE'");
    expect(value(await messaging.getTemplate(callerOf(acme), id)).variables).toHaveLength(2);
  });

  it('moves an alias, refusing one another template has with conflict', async () => {
    const taken = unique('taken');
    await create(acme, { alias: taken });
    const id = await create(acme, { alias: unique('mine') });
    expect(await messaging.updateTemplate(callerOf(acme), id, { alias: taken })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
    const fresh = unique('fresh');
    value(await messaging.updateTemplate(callerOf(acme), id, { alias: fresh }));
    expect(value(await messaging.getTemplate(callerOf(acme), fresh)).id).toBe(id);
    value(await messaging.updateTemplate(callerOf(acme), id, { alias: null }));
    expect(await messaging.getTemplate(callerOf(acme), fresh)).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('writes nothing for an empty change', async () => {
    const id = await create(acme);
    const before = await templateRow(id);
    expect(value(await messaging.updateTemplate(callerOf(acme), id, {}))).toEqual({ object: 'template', id });
    expect(await templateRow(id)).toEqual(before);
    expect((await auditRows(id)).map((entry) => entry.action)).toEqual(['template.created']);
  });
});

describe('publishTemplate', () => {
  it('copies the draft into the snapshot sends render', async () => {
    const id = await create(acme, {
      from: 'Acme <orders@acme.example.test>',
      reply_to: ['help@acme.example.test'],
    });
    expect(value(await messaging.publishTemplate(callerOf(acme), id))).toEqual({ object: 'template', id });

    const row = await templateRow(id);
    expect(row).toMatchObject({ status: 'published', published_at: expect.any(String) });
    const published = JSON.parse(row?.published ?? 'null') as PublishedTemplate;
    const draft = value(await messaging.getTemplate(callerOf(acme), id));
    expect(published).toEqual({
      subject: ORDER.subject,
      html: ORDER.html,
      text: ORDER.text,
      variables: [
        { key: 'PRODUCT', type: 'string', fallback_value: 'item' },
        { key: 'PRICE', type: 'number', fallback_value: null },
      ],
      // A send's defaults, and the version this copy is.
      from: 'Acme <orders@acme.example.test>',
      reply_to: '["help@acme.example.test"]',
      version_id: draft.current_version_id,
    });
    // What workers/send/src/templates.ts does with it.
    expect(render(published, published.variables, { PRICE: 499 })).toEqual({
      subject: 'Your item',
      html: '<p>item for 499</p>',
      text: 'item for 499',
    });
    expect(value(await messaging.getTemplate(callerOf(acme), id))).toMatchObject({
      status: 'published',
      published_at: row?.published_at,
      has_unpublished_versions: false,
    });
  });

  it('keeps sends on the published version while the draft changes, until the next publish', async () => {
    const alias = unique('live');
    const id = await create(acme, { alias });
    value(await messaging.publishTemplate(callerOf(acme), alias));
    const first = (await templateRow(id))?.published;

    value(await messaging.updateTemplate(callerOf(acme), alias, { html: '<p>New {{{PRODUCT}}}</p>' }));
    expect((await templateRow(id))?.published).toBe(first);
    expect(value(await messaging.getTemplate(callerOf(acme), alias))).toMatchObject({
      status: 'published',
      html: '<p>New {{{PRODUCT}}}</p>',
      has_unpublished_versions: true,
    });

    value(await messaging.publishTemplate(callerOf(acme), alias));
    expect(JSON.parse((await templateRow(id))?.published ?? 'null')).toMatchObject({
      html: '<p>New {{{PRODUCT}}}</p>',
    });
    expect(value(await messaging.getTemplate(callerOf(acme), alias)).has_unpublished_versions).toBe(false);
  });

  it('starts a new current_version_id with the first edit after a publish, and only then', async () => {
    const id = await create(acme);
    const version = async () => value(await messaging.getTemplate(callerOf(acme), id)).current_version_id;
    const v1 = await version();
    value(await messaging.updateTemplate(callerOf(acme), id, { name: 'Renamed before publishing' }));
    expect(await version()).toBe(v1);
    value(await messaging.publishTemplate(callerOf(acme), id));
    expect(await version()).toBe(v1);
    expect(JSON.parse((await templateRow(id))?.published ?? 'null').version_id).toBe(v1);

    value(await messaging.updateTemplate(callerOf(acme), id, { html: '<p>v2 {{{PRODUCT}}}</p>' }));
    const v2 = await version();
    expect(v2).not.toBe(v1);
    value(await messaging.updateTemplate(callerOf(acme), id, { subject: 'Still v2' }));
    expect(await version()).toBe(v2);
    // Sends keep v1 until the next publish records v2.
    expect(JSON.parse((await templateRow(id))?.published ?? 'null').version_id).toBe(v1);
    value(await messaging.publishTemplate(callerOf(acme), id));
    expect(JSON.parse((await templateRow(id))?.published ?? 'null').version_id).toBe(v2);
  });

  it("counts a changed from or reply_to as an unpublished change (they are the sends' defaults)", async () => {
    const id = await create(acme);
    value(await messaging.publishTemplate(callerOf(acme), id));
    value(await messaging.updateTemplate(callerOf(acme), id, { from: 'Other <other@acme.example.test>' }));
    expect(value(await messaging.getTemplate(callerOf(acme), id)).has_unpublished_versions).toBe(true);
  });

  it('publishes a template without a subject as an empty one (a send must then give it)', async () => {
    const id = value(
      await messaging.createTemplate(callerOf(acme), { name: 'no subject', html: '<p>x</p>' }),
    ).id;
    value(await messaging.publishTemplate(callerOf(acme), id));
    expect(JSON.parse((await templateRow(id))?.published ?? 'null')).toMatchObject({
      subject: '',
      html: '<p>x</p>',
      text: null,
      variables: [],
      from: null,
      reply_to: null,
    });
  });
});

describe('duplicateTemplate', () => {
  it('makes a new draft "<name> (copy)" without an alias, by id or alias', async () => {
    const alias = unique('dup');
    const id = await create(acme, { alias, from: 'orders@acme.example.test' });
    value(await messaging.publishTemplate(callerOf(acme), id));

    const copy = value(await messaging.duplicateTemplate(callerOf(acme), alias));
    expect(copy).toEqual({ object: 'template', id: expect.any(String) });
    expect(copy.id).not.toBe(id);
    const original = value(await messaging.getTemplate(callerOf(acme), id));
    expect(value(await messaging.getTemplate(callerOf(acme), copy.id))).toEqual({
      ...original,
      id: copy.id,
      name: 'Order confirmation (copy)',
      alias: null,
      status: 'draft',
      published_at: null,
      has_unpublished_versions: false,
      // A copy is a template of its own, with its own versions.
      current_version_id: expect.not.stringMatching(original.current_version_id),
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(await templateRow(copy.id)).toMatchObject({ published: null });
    expect(value(await messaging.getTemplate(callerOf(acme), alias)).id).toBe(id);
  });
});

describe('deleteTemplate', () => {
  it('removes it, by id or alias, and answers not_found afterwards', async () => {
    const alias = unique('gone');
    const id = await create(acme, { alias });
    expect(value(await messaging.deleteTemplate(callerOf(acme), alias))).toEqual({
      object: 'template',
      id,
      deleted: true,
    });
    expect(await templateRow(id)).toBeNull();
    expect(await messaging.getTemplate(callerOf(acme), id)).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await messaging.deleteTemplate(callerOf(acme), id)).toEqual({
      ok: false,
      error: { code: 'not_found', message: `Template ${id} not found.` },
    });
    // The alias is free again.
    await create(acme, { alias });
  });
});

describe('tenant isolation', () => {
  it("answers not_found for another tenant's template on every method, by id and by alias, and changes nothing", async () => {
    const alias = unique('private');
    const id = await create(acme, { alias });
    const before = await templateRow(id);
    const globexCount = await templateCount(globex);
    const intruder = callerOf(globex);
    for (const ref of [id, alias]) {
      const results = [
        await messaging.getTemplate(intruder, ref),
        await messaging.updateTemplate(intruder, ref, { name: 'pwned' }),
        await messaging.publishTemplate(intruder, ref),
        await messaging.duplicateTemplate(intruder, ref),
        await messaging.deleteTemplate(intruder, ref),
      ];
      for (const result of results) expect(result).toMatchObject({ ok: false, error: { code: 'not_found' } });
    }
    expect(await templateRow(id)).toEqual(before);
    expect(await templateCount(globex)).toBe(globexCount);
    expect((await auditRows(id)).map((entry) => entry.tenant_id)).toEqual([acme.tenantId]);
    const listed = value(await messaging.listTemplates(intruder, { limit: 100 }));
    expect(listed.data.map((item) => item.id)).not.toContain(id);
  });
});

describe('audit log', () => {
  it('records each change with the caller and request id, and no template body or key', async () => {
    const secretish = 'BODY-MARKER-7f3a';
    const alias = unique('audited');
    const id = await create(
      acme,
      { alias, html: `<p>${secretish} {{{PRODUCT}}} {{{PRICE}}}</p>` },
      'tpl-audit-create',
    );
    value(
      await messaging.updateTemplate(callerOf(acme, 'tpl-audit-update'), id, { name: 'Audited', text: null }),
    );
    value(await messaging.publishTemplate(callerOf(acme, 'tpl-audit-publish'), id));
    const copy = value(await messaging.duplicateTemplate(callerOf(acme, 'tpl-audit-dup'), id));
    value(await messaging.deleteTemplate(callerOf(acme, 'tpl-audit-delete'), id));

    const entries = await auditRows(id);
    expect(entries.map((entry) => [entry.action, entry.request_id])).toEqual([
      ['template.created', 'tpl-audit-create'],
      ['template.updated', 'tpl-audit-update'],
      ['template.published', 'tpl-audit-publish'],
      ['template.deleted', 'tpl-audit-delete'],
    ]);
    for (const entry of entries) {
      expect(entry).toMatchObject({
        tenant_id: acme.tenantId,
        actor_type: 'api_key',
        actor_id: acme.fullKey.prefix,
        target_type: 'template',
      });
    }
    expect(JSON.parse(entries[0]?.summary ?? '{}')).toEqual({ name: 'Order confirmation', alias });
    expect(JSON.parse(entries[1]?.summary ?? '{}')).toEqual({ fields: ['name', 'text'] });

    const duplicated = await auditRows(copy.id);
    expect(duplicated).toHaveLength(1);
    expect(duplicated[0]).toMatchObject({ action: 'template.duplicated', request_id: 'tpl-audit-dup' });
    expect(JSON.parse(duplicated[0]?.summary ?? '{}')).toEqual({ name: 'Audited (copy)', source_id: id });

    const stored = JSON.stringify([...entries, ...duplicated]);
    expect(stored).not.toContain(secretish);
    expect(stored).not.toContain(acme.fullKey.token);
    expect(stored).not.toContain(acme.fullKey.token.slice(acme.fullKey.prefix.length));
  });
});
