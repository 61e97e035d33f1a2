// SendService over a real RPC boundary (the worker's loopback binding in `exports`) against the
// real local D1 and R2, with SEND_QUEUE watched by a spy that still enqueues (see helpers.ts):
// what an accept writes, what a refused one does not, idempotency, batches, suppression, templates,
// scheduling, and one tenant never reaching another's emails.
import type { SendEmailRequest } from '@mailgrid/contracts';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  accept,
  countRows,
  emailFrom,
  emailRow,
  failure,
  messageFor,
  newTenant,
  queueSpy,
  r2Keys,
  send,
  storedBody,
  type Tenant,
  testEnv,
  value,
} from './helpers';

afterEach(() => {
  vi.restoreAllMocks();
});

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** What the gateway passes for a request with an Idempotency-Key: the key and the body's SHA-256. */
async function keyed(key: string, body: unknown) {
  return { key, hash: await sha256Hex(JSON.stringify(body)) };
}

async function bodyOf(tenant: Tenant, id: string) {
  return storedBody(tenant, id);
}

/** Nothing of this tenant's in D1 or R2. */
async function expectNothingStored(tenant: Tenant) {
  expect(await countRows(tenant)).toBe(0);
  expect(await r2Keys(`bodies/${tenant.tenantId}/`)).toEqual([]);
}

function idempotencyRow(tenant: Tenant, key: string) {
  return testEnv.DB.prepare('SELECT * FROM idempotency_keys WHERE tenant_id = ? AND key = ?')
    .bind(tenant.tenantId, key)
    .first<{ status: string; request_hash: string; response: string | null }>();
}

describe('accept', () => {
  let acme: Tenant;
  beforeAll(async () => {
    acme = await newTenant();
  });

  it('stores the row and the body, and enqueues exactly one message', async () => {
    const queue = queueSpy();
    const request = emailFrom(acme, {
      to: ['Ada <ada@customer.test>', 'bob@customer.test'],
      cc: 'carol@customer.test',
      bcc: ['dave@customer.test'],
      reply_to: 'support@acme.test',
      headers: { 'X-Entity-Ref-ID': 'order-42' },
      tags: [{ name: 'category', value: 'order' }],
      attachments: [{ filename: 'invoice.pdf', content: btoa('%PDF-1.4 test') }],
      track_opens: true,
    });

    const { id } = value(await send.accept(acme.caller, request, null));

    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await emailRow(id)).toMatchObject({
      tenant_id: acme.tenantId,
      domain_id: acme.domainId,
      status: 'queued',
      last_event: 'queued',
      from_address: `Acme <hello@${acme.domain}>`,
      to_addresses: JSON.stringify(['Ada <ada@customer.test>', 'bob@customer.test']),
      cc_addresses: JSON.stringify(['carol@customer.test']),
      bcc_addresses: JSON.stringify(['dave@customer.test']),
      reply_to: JSON.stringify(['support@acme.test']),
      suppressed: '[]',
      subject: 'Your order',
      tags: JSON.stringify([{ name: 'category', value: 'order' }]),
      stream: 'transactional',
      track_opens: 1,
      track_clicks: null,
      body_key: `bodies/${acme.tenantId}/${id}.json`,
      scheduled_at: null,
      attempts: 0,
      claim_token: null,
      ses_message_id: null,
      error: null,
    });
    expect(await bodyOf(acme, id)).toEqual({
      html: '<p>Thanks for your order.</p>',
      text: 'Thanks for your order.',
      headers: { 'X-Entity-Ref-ID': 'order-42' },
      attachments: [
        {
          filename: 'invoice.pdf',
          content_type: 'application/pdf',
          content_id: null,
          content: btoa('%PDF-1.4 test'),
        },
      ],
    });
    expect(queue.sendBatch).toHaveBeenCalledTimes(1);
    expect(queue.send).not.toHaveBeenCalled();
    expect(queue.enqueued()).toEqual([{ body: messageFor(acme, id), delaySeconds: 0 }]);
  });

  it('reads back as Resend email object', async () => {
    const id = await accept(acme, { tags: [{ name: 'k', value: 'v' }] });
    expect(value(await send.getEmail(acme.caller, id))).toEqual({
      object: 'email',
      id,
      from: `Acme <hello@${acme.domain}>`,
      to: ['Ada <ada@customer.test>'],
      cc: [],
      bcc: [],
      reply_to: [],
      subject: 'Your order',
      html: '<p>Thanks for your order.</p>',
      text: 'Thanks for your order.',
      created_at: expect.any(String),
      scheduled_at: null,
      last_event: 'queued',
      tags: [{ name: 'k', value: 'v' }],
      stream: 'transactional',
      suppressed: [],
      error: null,
      broadcast_id: null,
      message_id: null,
    });
  });

  it('lists the tenant’s emails newest first, a page at a time', async () => {
    const tenant = await newTenant();
    const ids = [await accept(tenant), await accept(tenant), await accept(tenant)];
    const first = value(await send.listEmails(tenant.caller, { limit: 2 }));
    expect(first.has_more).toBe(true);
    const second = value(await send.listEmails(tenant.caller, { limit: 2, after: first.data[1]?.id }));
    expect(second.has_more).toBe(false);
    expect([...first.data, ...second.data].map((email) => email.id).sort()).toEqual([...ids].sort());
    const created = [...first.data, ...second.data].map((email) => email.created_at);
    expect(created).toEqual([...created].sort().reverse());
  });
});

describe("Mailgrid's extras as X-Mailgrid-* headers (what the resend SDK passes through)", () => {
  let acme: Tenant;
  beforeAll(async () => {
    acme = await newTenant();
  });

  it('are read as the fields and never stored as headers', async () => {
    const id = await accept(acme, {
      headers: {
        'X-Mailgrid-Stream': 'broadcast',
        'x-mailgrid-track-opens': 'TRUE',
        'X-Mailgrid-Track-Clicks': 'false',
        'X-Mailgrid-List-Unsubscribe': 'true',
        'X-Entity-Ref-ID': 'order-42',
      },
    });
    expect(await emailRow(id)).toMatchObject({ stream: 'broadcast', track_opens: 1, track_clicks: 0 });
    expect((await bodyOf(acme, id))?.headers).toEqual({ 'X-Entity-Ref-ID': 'order-42' });
  });

  it('are refused when malformed or when they contradict the body, naming the header', async () => {
    const before = await countRows(acme);
    expect(
      failure(
        await send.accept(
          acme.caller,
          emailFrom(acme, { headers: { 'X-Mailgrid-Track-Opens': 'yes' } }),
          null,
        ),
      ),
    ).toEqual({
      code: 'invalid_parameter',
      message: 'headers.X-Mailgrid-Track-Opens: must be true or false.',
    });
    expect(
      failure(
        await send.accept(
          acme.caller,
          emailFrom(acme, { headers: { 'X-Mailgrid-Stream': 'Not A Stream' } }),
          null,
        ),
      ).message,
    ).toMatch(/^headers\.X-Mailgrid-Stream: must be a stream id/);
    expect(
      failure(
        await send.accept(
          acme.caller,
          emailFrom(acme, { stream: 'transactional', headers: { 'X-Mailgrid-Stream': 'broadcast' } }),
          null,
        ),
      ).message,
    ).toBe('headers.X-Mailgrid-Stream says broadcast but stream says transactional: give one.');
    expect(await countRows(acme)).toBe(before);
  });
});

describe('a refused request', () => {
  let tenant: Tenant;
  beforeAll(async () => {
    tenant = await newTenant({ extraDomains: [{ name: 'pending.example.test', verified: false }] });
  });

  const cases: [string, (tenant: Tenant) => Partial<SendEmailRequest>, string, string][] = [
    [
      'an unknown sending domain',
      () => ({ from: 'me@elsewhere.test' }),
      'invalid_from_address',
      'elsewhere.test',
    ],
    ['a pending domain', () => ({ from: 'me@pending.example.test' }), 'invalid_from_address', 'not verified'],
    ['a bad from', () => ({ from: 'not an address' }), 'invalid_from_address', 'not a valid address'],
    ['a bad recipient', () => ({ to: ['ok@customer.test', 'nope'] }), 'invalid_parameter', 'to[1]'],
    ['no recipient', () => ({ to: [] }), 'missing_required_field', 'to'],
    [
      'too many recipients',
      () => ({ to: Array.from({ length: 51 }, (_, i) => `r${i}@customer.test`) }),
      'invalid_parameter',
      'at most 50',
    ],
    ['no subject', () => ({ subject: undefined }), 'missing_required_field', 'subject'],
    ['no body', () => ({ html: undefined, text: undefined }), 'missing_required_field', 'html'],
    ['a reserved header', () => ({ headers: { From: 'x@y.test' } }), 'invalid_parameter', 'headers'],
    [
      'bad base64',
      () => ({ attachments: [{ filename: 'a.bin', content: 'not base64!' }] }),
      'invalid_attachment',
      'base64',
    ],
    [
      'an unknown template',
      () => ({ template: { id: 'no-such-template' } }),
      'invalid_parameter',
      'template.id',
    ],
    ['a bad scheduled_at', () => ({ scheduled_at: 'whenever' }), 'invalid_parameter', 'scheduled_at'],
    ['a past scheduled_at', () => ({ scheduled_at: '2020-01-01T00:00:00Z' }), 'invalid_parameter', 'future'],
  ];

  it.each(cases)('%s: refused, and nothing is stored or enqueued', async (_label, change, code, fragment) => {
    const queue = queueSpy();
    const error = failure(await send.accept(tenant.caller, emailFrom(tenant, change(tenant)), null));
    expect(error.code).toBe(code);
    expect(error.message).toContain(fragment);
    expect(queue.sendBatch).not.toHaveBeenCalled();
    expect(queue.send).not.toHaveBeenCalled();
    await expectNothingStored(tenant);
  });

  it('a key restricted to one domain cannot send from another of the tenant’s domains', async () => {
    const both = await newTenant({ extraDomains: [{ name: 'second.example.test', verified: true }] });
    const restricted = { ...both.caller, domain_id: both.domainId };
    expect(value(await send.accept(restricted, emailFrom(both), null)).id).toBeDefined();
    const error = failure(
      await send.accept(restricted, emailFrom(both, { from: 'me@second.example.test' }), null),
    );
    expect(error.code).toBe('restricted_api_key');
    expect(await countRows(both)).toBe(1);
  });
});

describe('idempotency', () => {
  let acme: Tenant;
  beforeAll(async () => {
    acme = await newTenant();
  });

  it('the same key and body replay the first response: one email, one body, one message', async () => {
    const tenant = await newTenant();
    const queue = queueSpy();
    const request = emailFrom(tenant);
    const idempotency = await keyed('order-1', request);

    const first = value(await send.accept(tenant.caller, request, idempotency));
    const second = value(await send.accept(tenant.caller, request, idempotency));

    expect(second).toEqual(first);
    expect(await countRows(tenant)).toBe(1);
    // A small body rides in its row: written once, with it.
    expect(await r2Keys(`bodies/${tenant.tenantId}/`)).toEqual([]);
    expect(await storedBody(tenant, first.id)).not.toBeNull();
    expect(queue.enqueued()).toEqual([{ body: messageFor(tenant, first.id), delaySeconds: 0 }]);
    expect(await idempotencyRow(tenant, 'order-1')).toMatchObject({
      status: 'done',
      response: JSON.stringify(first),
    });
  });

  it('the same key with another body is invalid_idempotent_request, and changes nothing', async () => {
    const request = emailFrom(acme);
    const first = value(await send.accept(acme.caller, request, await keyed('order-2', request)));
    const before = await countRows(acme);
    const queue = queueSpy();

    const changed = { ...request, subject: 'Another subject' };
    const error = failure(await send.accept(acme.caller, changed, await keyed('order-2', changed)));

    expect(error.code).toBe('invalid_idempotent_request');
    expect(await countRows(acme)).toBe(before);
    expect(queue.sendBatch).not.toHaveBeenCalled();
    expect(value(await send.accept(acme.caller, request, await keyed('order-2', request)))).toEqual(first);
  });

  it('a failed request gives its key back: a corrected retry with the same key succeeds', async () => {
    const wrong = emailFrom(acme, { from: 'me@unverified.test' });
    const refused = failure(await send.accept(acme.caller, wrong, await keyed('order-3', wrong)));
    expect(refused.code).toBe('invalid_from_address');
    expect(await idempotencyRow(acme, 'order-3')).toBeNull();

    const fixed = emailFrom(acme);
    const accepted = value(await send.accept(acme.caller, fixed, await keyed('order-3', fixed)));
    expect((await emailRow(accepted.id))?.status).toBe('queued');
    expect(value(await send.accept(acme.caller, fixed, await keyed('order-3', fixed)))).toEqual(accepted);
  });

  it('a key still in flight is concurrent_idempotent_requests; one abandoned for a minute is taken over', async () => {
    const request = emailFrom(acme);
    const idempotency = await keyed('order-4', request);
    const claim = (createdAt: Date) =>
      testEnv.DB.prepare(
        "INSERT OR REPLACE INTO idempotency_keys (tenant_id, key, request_hash, status, response, created_at, expires_at) VALUES (?, ?, ?, 'in_flight', NULL, ?, ?)",
      )
        .bind(
          acme.tenantId,
          'order-4',
          idempotency.hash,
          createdAt.toISOString(),
          new Date(createdAt.getTime() + 86_400_000).toISOString(),
        )
        .run();

    await claim(new Date());
    expect(failure(await send.accept(acme.caller, request, idempotency)).code).toBe(
      'concurrent_idempotent_requests',
    );

    await claim(new Date(Date.now() - 61_000));
    const taken = value(await send.accept(acme.caller, request, idempotency));
    expect((await emailRow(taken.id))?.status).toBe('queued');
    expect(await idempotencyRow(acme, 'order-4')).toMatchObject({ status: 'done' });
  });

  it('a key is kept 24 hours: an expired one is free for a new request', async () => {
    const request = emailFrom(acme);
    const idempotency = await keyed('order-5', request);
    const first = value(await send.accept(acme.caller, request, idempotency));
    await testEnv.DB.prepare('UPDATE idempotency_keys SET expires_at = ? WHERE tenant_id = ? AND key = ?')
      .bind(new Date(Date.now() - 1000).toISOString(), acme.tenantId, 'order-5')
      .run();

    const second = value(await send.accept(acme.caller, request, idempotency));

    expect(second.id).not.toBe(first.id);
  });

  it('keys belong to a tenant: the same key in two tenants makes two emails', async () => {
    const other = await newTenant();
    const a = value(await send.accept(acme.caller, emailFrom(acme), await keyed('shared', emailFrom(acme))));
    const b = value(
      await send.accept(other.caller, emailFrom(other), await keyed('shared', emailFrom(other))),
    );
    expect(a.id).not.toBe(b.id);
    expect((await emailRow(b.id))?.tenant_id).toBe(other.tenantId);
  });

  it('a batch replays its whole response, errors included', async () => {
    const tenant = await newTenant();
    const emails = [
      { index: 0, email: emailFrom(tenant) },
      { index: 1, email: emailFrom(tenant, { from: 'me@unverified.test' }) },
    ];
    const idempotency = await keyed('batch-1', emails);
    const first = value(await send.acceptBatch(tenant.caller, emails, [], 'permissive', idempotency));
    const second = value(await send.acceptBatch(tenant.caller, emails, [], 'permissive', idempotency));
    expect(second).toEqual(first);
    expect(first.errors).toHaveLength(1);
    expect(await countRows(tenant)).toBe(1);
  });
});

describe('batches', () => {
  it('permissive: accepts the valid emails, lists the refused ones by index, enqueues once', async () => {
    const tenant = await newTenant();
    const queue = queueSpy();
    const emails = [
      { index: 0, email: emailFrom(tenant, { to: 'one@customer.test' }) },
      { index: 2, email: emailFrom(tenant, { from: 'me@unverified.test' }) },
      { index: 3, email: emailFrom(tenant, { to: 'three@customer.test' }) },
      { index: 4, email: emailFrom(tenant, { scheduled_at: 'someday' }) },
      { index: 5, email: emailFrom(tenant, { attachments: [{ filename: 'a.txt', content: btoa('a') }] }) },
    ];
    // The gateway's schema refused index 1 already; send reports it with its own.
    const invalid = [{ index: 1, message: 'to: must be an address or a list of addresses' }];

    const result = value(await send.acceptBatch(tenant.caller, emails, invalid, 'permissive', null));

    expect(result.data).toHaveLength(2);
    expect(result.errors?.map((error) => error.index)).toEqual([1, 2, 4, 5]);
    expect(result.errors?.[0]?.message).toBe('to: must be an address or a list of addresses');
    expect(result.errors?.[1]?.message).toContain('[2].from');
    expect(result.errors?.[2]?.message).toContain('[4].scheduled_at: "someday" is not a date');
    expect(result.errors?.[3]?.message).toContain('[5].attachments: batch emails cannot carry attachments');
    const [one, three] = result.data.map((entry) => entry.id) as [string, string];
    expect(JSON.parse((await emailRow(one))?.to_addresses ?? '[]')).toEqual(['one@customer.test']);
    expect(JSON.parse((await emailRow(three))?.to_addresses ?? '[]')).toEqual(['three@customer.test']);
    expect(await countRows(tenant)).toBe(2);
    expect(queue.sendBatch).toHaveBeenCalledTimes(1);
    expect(queue.enqueued()).toEqual([
      { body: messageFor(tenant, one), delaySeconds: 0 },
      { body: messageFor(tenant, three), delaySeconds: 0 },
    ]);
  });

  it('schedules an email of a batch that says when (natural language too), the others go at once', async () => {
    const tenant = await newTenant();
    const queue = queueSpy();
    const before = Date.now();
    const result = value(
      await send.acceptBatch(
        tenant.caller,
        [
          { index: 0, email: emailFrom(tenant, { scheduled_at: 'in 1 min' }) },
          { index: 1, email: emailFrom(tenant) },
        ],
        [],
        'strict',
        null,
      ),
    );
    const [later, now] = result.data.map((entry) => entry.id) as [string, string];
    const row = await emailRow(later);
    expect(row?.status).toBe('scheduled');
    const at = new Date(row?.scheduled_at as string).getTime();
    expect(at).toBeGreaterThanOrEqual(before + 60_000);
    expect(at).toBeLessThanOrEqual(Date.now() + 60_000);
    expect((await emailRow(now))?.status).toBe('queued');
    expect(queue.enqueued().map((message) => message.delaySeconds)).toEqual([60, 0]);
  });

  it('permissive with nothing valid: no emails, the errors, nothing stored', async () => {
    const tenant = await newTenant();
    const queue = queueSpy();
    const result = value(
      await send.acceptBatch(
        tenant.caller,
        [{ index: 0, email: emailFrom(tenant, { from: 'me@unverified.test' }) }],
        [],
        'permissive',
        null,
      ),
    );
    expect(result).toEqual({
      data: [],
      errors: [{ index: 0, message: expect.stringContaining('[0].from') }],
    });
    expect(queue.sendBatch).not.toHaveBeenCalled();
    await expectNothingStored(tenant);
  });

  it('reads the sending domain and the stream once per batch, not once per email', async () => {
    const tenant = await newTenant();
    // D1 statements per accept, as the worker logs them (the benchmark reads the same line).
    const statementsFor = async (size: number) => {
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      const emails = Array.from({ length: size }, (_, index) => ({
        index,
        email: emailFrom(tenant, { to: `reader-${index}@customer.test` }),
      }));
      value(await send.acceptBatch(tenant.caller, emails, [], 'strict', null));
      const line = log.mock.calls
        .map(([text]) => String(text))
        .find((text) => text.includes('"emails.accepted"'));
      log.mockRestore();
      return (JSON.parse(line ?? '{}') as { d1: { statements: number } }).d1.statements;
    };
    const ten = await statementsFor(10);
    const thirty = await statementsFor(30);
    // Each further email costs only its recipients' suppression and opt-out lookups.
    expect((thirty - ten) / 20).toBeLessThanOrEqual(2);
  });

  it('strict: one refused email refuses the batch, and nothing is stored or enqueued', async () => {
    const tenant = await newTenant();
    const queue = queueSpy();
    const emails = [
      { index: 0, email: emailFrom(tenant) },
      { index: 1, email: emailFrom(tenant) },
      { index: 2, email: emailFrom(tenant, { to: 'broken' }) },
    ];

    const error = failure(await send.acceptBatch(tenant.caller, emails, [], 'strict', null));

    expect(error.code).toBe('invalid_parameter');
    expect(error.message).toContain('[2].to');
    expect(queue.sendBatch).not.toHaveBeenCalled();
    await expectNothingStored(tenant);
  });

  it('strict and all valid: every email stored, in order, one message each', async () => {
    const tenant = await newTenant();
    const queue = queueSpy();
    const emails = Array.from({ length: 5 }, (_, index) => ({
      index,
      email: emailFrom(tenant, { to: `r${index}@customer.test` }),
    }));

    const result = value(await send.acceptBatch(tenant.caller, emails, [], 'strict', null));

    expect(result.errors).toBeUndefined();
    expect(result.data).toHaveLength(5);
    for (const [index, { id }] of result.data.entries()) {
      expect(JSON.parse((await emailRow(id))?.to_addresses ?? '[]')).toEqual([`r${index}@customer.test`]);
    }
    expect(queue.enqueued().map((message) => message.body.email_id)).toEqual(result.data.map((e) => e.id));
  });
});

describe('suppressed recipients', () => {
  let tenant: Tenant;
  beforeAll(async () => {
    tenant = await newTenant({ suppressed: ['gone@customer.test', 'bounced@customer.test'] });
  });

  it('are left out and recorded (any case, in to, cc and bcc); the rest is queued', async () => {
    const queue = queueSpy();
    const id = await accept(tenant, {
      to: ['Ada <ada@customer.test>', 'Gone <GONE@Customer.test>'],
      cc: 'bounced@customer.test',
      bcc: ['bounced@customer.test', 'eve@customer.test'],
    });

    expect(await emailRow(id)).toMatchObject({
      status: 'queued',
      to_addresses: JSON.stringify(['Ada <ada@customer.test>']),
      cc_addresses: '[]',
      bcc_addresses: JSON.stringify(['eve@customer.test']),
    });
    expect(JSON.parse((await emailRow(id))?.suppressed ?? '[]').sort()).toEqual([
      'bounced@customer.test',
      'gone@customer.test',
    ]);
    expect(value(await send.getEmail(tenant.caller, id)).suppressed.sort()).toEqual([
      'bounced@customer.test',
      'gone@customer.test',
    ]);
    expect(queue.enqueued()).toEqual([{ body: messageFor(tenant, id), delaySeconds: 0 }]);
  });

  it('when every recipient is suppressed, the email is `suppressed` and nothing is enqueued', async () => {
    const queue = queueSpy();
    const id = await accept(tenant, { to: 'gone@customer.test', cc: 'Bounced <bounced@customer.test>' });

    expect(await emailRow(id)).toMatchObject({ status: 'suppressed', last_event: 'suppressed' });
    expect(value(await send.getEmail(tenant.caller, id))).toMatchObject({
      last_event: 'suppressed',
      to: [],
      suppressed: expect.arrayContaining(['gone@customer.test', 'bounced@customer.test']),
    });
    expect(queue.sendBatch).not.toHaveBeenCalled();
    expect(queue.send).not.toHaveBeenCalled();
  });

  it("are one tenant's list only", async () => {
    const other = await newTenant();
    const id = await accept(other, { to: 'gone@customer.test' });
    expect(await emailRow(id)).toMatchObject({ status: 'queued', suppressed: '[]' });
  });
});

describe('templates', () => {
  let tenant: Tenant;
  let templateId: string;
  beforeAll(async () => {
    tenant = await newTenant();
    templateId = crypto.randomUUID();
    const now = new Date().toISOString();
    const source = {
      subject: 'Your {{{PRODUCT}}}',
      html: '<p>{{PRODUCT}} costs {{PRICE}}</p>',
      text: '{{{PRODUCT}}} costs {{{PRICE}}}',
      variables: [
        { key: 'PRODUCT', type: 'string', fallback_value: 'item' },
        { key: 'PRICE', type: 'number', fallback_value: null },
      ],
    };
    await testEnv.DB.prepare(
      "INSERT INTO templates (id, tenant_id, name, alias, status, subject, html, text, variables, published, published_at, created_at, updated_at) VALUES (?, ?, 'Order', 'order', 'published', ?, ?, ?, ?, ?, ?, ?, ?)",
    )
      .bind(
        templateId,
        tenant.tenantId,
        'draft subject',
        '<p>draft</p>',
        'draft',
        JSON.stringify(source.variables),
        JSON.stringify(source),
        now,
        now,
        now,
      )
      .run();
  });

  it('render the published version, by id or alias, with the request’s variables', async () => {
    for (const ref of [templateId, 'order']) {
      const id = await accept(tenant, {
        subject: undefined,
        html: undefined,
        text: undefined,
        template: { id: ref, variables: { PRODUCT: 'Tea & cake', PRICE: 4 } },
      });
      expect((await emailRow(id))?.subject).toBe('Your Tea & cake');
      expect(await bodyOf(tenant, id)).toMatchObject({
        html: '<p>Tea &amp; cake costs 4</p>',
        text: 'Tea & cake costs 4',
      });
    }
  });

  it("the request's own subject wins over the template's", async () => {
    const id = await accept(tenant, {
      html: undefined,
      text: undefined,
      template: { id: templateId, variables: { PRICE: 1 } },
    });
    expect((await emailRow(id))?.subject).toBe('Your order');
    expect((await bodyOf(tenant, id))?.html).toBe('<p>item costs 1</p>');
  });

  describe("the template's from, reply_to and subject as defaults", () => {
    let withSender: string;
    let withoutSender: string;
    beforeAll(async () => {
      const now = new Date().toISOString();
      const insert = (id: string, alias: string, published: Record<string, unknown>) =>
        testEnv.DB.prepare(
          "INSERT INTO templates (id, tenant_id, name, alias, status, subject, html, text, variables, published, published_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'published', '', '<p>draft</p>', NULL, '[]', ?, ?, ?, ?)",
        )
          .bind(id, tenant.tenantId, alias, alias, JSON.stringify(published), now, now, now)
          .run();
      withSender = crypto.randomUUID();
      withoutSender = crypto.randomUUID();
      await insert(withSender, 'welcome', {
        subject: 'Welcome, {{{NAME}}}',
        html: '<p>Hi {{{NAME}}}</p>',
        text: null,
        variables: [{ key: 'NAME', type: 'string', fallback_value: 'there' }],
        from: `Acme <welcome@${tenant.domain}>`,
        reply_to: JSON.stringify(['help@acme.test']),
      });
      await insert(withoutSender, 'bare', { subject: 'Bare', html: '<p>x</p>', text: null, variables: [] });
    });

    const templated = (id: string, overrides: Partial<SendEmailRequest> = {}): SendEmailRequest => ({
      to: 'ada@customer.test',
      template: id === withSender ? { id, variables: { NAME: 'Ada' } } : { id },
      ...overrides,
    });

    it('a send without from, subject or reply_to takes the template’s', async () => {
      const { id } = value(await send.accept(tenant.caller, templated(withSender), null));
      expect(await emailRow(id)).toMatchObject({
        from_address: `Acme <welcome@${tenant.domain}>`,
        subject: 'Welcome, Ada',
        reply_to: '["help@acme.test"]',
        status: 'queued',
      });
    });

    it('what the send gives wins over the template’s', async () => {
      const { id } = value(
        await send.accept(
          tenant.caller,
          templated(withSender, {
            from: `Sales <sales@${tenant.domain}>`,
            subject: 'Our own',
            reply_to: 'sales@acme.test',
          }),
          null,
        ),
      );
      expect(await emailRow(id)).toMatchObject({
        from_address: `Sales <sales@${tenant.domain}>`,
        subject: 'Our own',
        reply_to: '["sales@acme.test"]',
      });
    });

    it('without a from on either side the send is refused, naming the template', async () => {
      const fresh = await newTenant();
      const error = failure(await send.accept(tenant.caller, templated(withoutSender), null));
      expect(error.code).toBe('missing_required_field');
      expect(error.message).toContain(`template ${withoutSender} has no from address`);
      const bare = failure(
        await send.accept(fresh.caller, { to: 'ada@customer.test', html: '<p>x</p>' }, null),
      );
      expect(bare).toMatchObject({ code: 'missing_required_field', message: 'from is required.' });
      await expectNothingStored(fresh);
    });

    it('a batch email takes the template’s from too, naming its index when it has none', async () => {
      const result = value(
        await send.acceptBatch(
          tenant.caller,
          [
            { index: 0, email: templated(withSender) },
            { index: 1, email: templated(withoutSender) },
          ],
          [],
          'permissive',
          null,
        ),
      );
      expect(result.data).toHaveLength(1);
      expect((await emailRow(result.data[0]?.id as string))?.from_address).toBe(
        `Acme <welcome@${tenant.domain}>`,
      );
      expect(result.errors?.[0]).toMatchObject({
        index: 1,
        message: expect.stringContaining('[1].from is required'),
      });
    });
  });

  it('a render error names the variable, and nothing is stored', async () => {
    const fresh = await newTenant();
    const error = failure(
      await send.accept(
        tenant.caller,
        emailFrom(tenant, {
          subject: undefined,
          html: undefined,
          text: undefined,
          template: { id: templateId },
        }),
        null,
      ),
    );
    expect(error.code).toBe('invalid_parameter');
    expect(error.message).toContain('template.variables.PRICE');
    // Another tenant cannot use it at all.
    expect(
      failure(await send.accept(fresh.caller, emailFrom(fresh, { template: { id: templateId } }), null))
        .message,
    ).toContain('template.id');
    await expectNothingStored(fresh);
  });
});

describe('scheduling', () => {
  let tenant: Tenant;
  beforeAll(async () => {
    tenant = await newTenant();
  });

  it('a scheduled email is stored `scheduled` and its message waits until then', async () => {
    const queue = queueSpy();
    const before = Date.now();
    const id = await accept(tenant, { scheduled_at: 'in 1 hour' });

    const row = await emailRow(id);
    expect(row).toMatchObject({ status: 'scheduled', last_event: 'scheduled' });
    const at = new Date(row?.scheduled_at as string).getTime();
    expect(at).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(at).toBeLessThanOrEqual(Date.now() + 3_600_000);
    const [message] = queue.enqueued();
    expect(message?.body).toEqual(messageFor(tenant, id));
    expect(message?.delaySeconds).toBeGreaterThan(3590);
    expect(message?.delaySeconds).toBeLessThanOrEqual(3600);
    expect(value(await send.getEmail(tenant.caller, id)).scheduled_at).toBe(row?.scheduled_at);
  });

  it('beyond the 12 hours a queue message can wait, the message waits 12 hours (then hops)', async () => {
    const queue = queueSpy();
    const id = await accept(tenant, { scheduled_at: 'in 3 days' });
    expect(queue.enqueued()).toEqual([{ body: messageFor(tenant, id), delaySeconds: 12 * 3600 }]);
  });

  it('reschedule moves the time and enqueues a message for the new time', async () => {
    const id = await accept(tenant, { scheduled_at: 'in 3 hours' });
    const queue = queueSpy();
    const at = new Date(Date.now() + 2 * 3_600_000);
    at.setUTCMilliseconds(0);

    expect(value(await send.reschedule(tenant.caller, id, at.toISOString()))).toEqual({
      object: 'email',
      id,
    });

    expect((await emailRow(id))?.scheduled_at).toBe(at.toISOString());
    const [message] = queue.enqueued();
    expect(message?.body).toEqual(messageFor(tenant, id));
    expect(message?.delaySeconds).toBeGreaterThan(2 * 3600 - 30);
    expect(message?.delaySeconds).toBeLessThanOrEqual(2 * 3600);
  });

  it('cancel stops a scheduled email; what is not scheduled can be neither canceled nor rescheduled', async () => {
    const scheduled = await accept(tenant, { scheduled_at: 'in 1 hour' });
    expect(value(await send.cancel(tenant.caller, scheduled))).toEqual({ object: 'email', id: scheduled });
    expect(await emailRow(scheduled)).toMatchObject({ status: 'canceled', last_event: 'canceled' });

    const again = failure(await send.cancel(tenant.caller, scheduled));
    expect(again.code).toBe('invalid_parameter');
    expect(again.message).toContain('is canceled');
    expect(failure(await send.reschedule(tenant.caller, scheduled, 'in 2 hours')).message).toContain(
      'is canceled',
    );

    const queued = await accept(tenant);
    expect(failure(await send.cancel(tenant.caller, queued)).message).toContain('is queued');
    expect(failure(await send.reschedule(tenant.caller, queued, 'in 2 hours')).message).toContain(
      'is queued',
    );
  });

  it('reschedule refuses a bad time before touching the email', async () => {
    const id = await accept(tenant, { scheduled_at: 'in 1 hour' });
    const before = (await emailRow(id))?.scheduled_at;
    expect(failure(await send.reschedule(tenant.caller, id, '2020-01-01T00:00:00Z')).code).toBe(
      'invalid_parameter',
    );
    expect((await emailRow(id))?.scheduled_at).toBe(before);
  });
});

describe('tenant isolation', () => {
  it("another tenant's email is not_found to get, cancel and reschedule, and absent from its list", async () => {
    const acme = await newTenant();
    const globex = await newTenant();
    const id = await accept(acme, { scheduled_at: 'in 1 hour' });
    const row = await emailRow(id);
    const queue = queueSpy();

    for (const result of [
      await send.getEmail(globex.caller, id),
      await send.cancel(globex.caller, id),
      await send.reschedule(globex.caller, id, 'in 2 hours'),
    ]) {
      expect(failure(result)).toMatchObject({ code: 'not_found', message: `Email ${id} not found.` });
    }
    expect(value(await send.listEmails(globex.caller, { limit: 100 })).data.map((e) => e.id)).not.toContain(
      id,
    );
    expect(failure(await send.listEmails(globex.caller, { limit: 10, after: id })).code).toBe(
      'invalid_parameter',
    );

    expect(await emailRow(id)).toEqual(row);
    expect(queue.send).not.toHaveBeenCalled();
    expect(value(await send.getEmail(acme.caller, id)).id).toBe(id);
  });

  it('an unknown id is not_found', async () => {
    const acme = await newTenant();
    expect(failure(await send.getEmail(acme.caller, crypto.randomUUID())).code).toBe('not_found');
    expect(failure(await send.cancel(acme.caller, crypto.randomUUID())).code).toBe('not_found');
  });
});
