// What an accept costs in D1, read from the worker's own `emails.accepted` log line (the metered
// binding's counts, the line the accept benchmark reads): one read batch, then one write batch, for
// one email and for a batch of 100 alike. A round trip is one call that waits on D1 (a lone statement
// or a whole batch()): from an edge location far from the database each costs tens of milliseconds.
import type { SendEmailRequest } from '@mailgrid/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  addStream,
  emailFrom,
  emailRow,
  failure,
  newTenant,
  queueSpy,
  send,
  type Tenant,
  testEnv,
  value,
} from './helpers';

afterEach(() => {
  vi.restoreAllMocks();
});

interface Usage {
  statements: number;
  round_trips: number;
  rows_read: number;
  rows_written: number;
}

/** Runs `work` and returns its result with the D1 usage of the one accept it made. */
async function metered<T>(work: () => Promise<T>): Promise<{ result: T; d1: Usage }> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    const result = await work();
    const lines = log.mock.calls
      .map(([text]) => String(text))
      .filter((text) => text.includes('"emails.accepted"'));
    // No line: the accept was refused (its error is in the result).
    if (lines.length !== 1) throw new Error(`no emails.accepted line: ${JSON.stringify(result)}`);
    return { result, d1: (JSON.parse(lines[0] as string) as { d1: Usage }).d1 };
  } finally {
    log.mockRestore();
  }
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

const keyed = async (key: string, body: unknown) => ({ key, hash: await sha256Hex(JSON.stringify(body)) });

async function seedTopic(tenant: Tenant, defaultSubscription: 'opt_in' | 'opt_out') {
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  await testEnv.DB.prepare(
    'INSERT INTO topics (id, tenant_id, name, default_subscription, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  )
    .bind(id, tenant.tenantId, `topic ${id.slice(0, 4)}`, defaultSubscription, now, now)
    .run();
  return id;
}

async function seedContact(tenant: Tenant, email: string, unsubscribed: 0 | 1) {
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  await testEnv.DB.prepare(
    'INSERT INTO contacts (id, tenant_id, email, unsubscribed, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  )
    .bind(id, tenant.tenantId, email, unsubscribed, now, now)
    .run();
  return id;
}

describe('a single accept', () => {
  it('makes at most 2 D1 round trips and 3 statements without an Idempotency-Key', async () => {
    const tenant = await newTenant({ suppressed: ['gone@customer.test'] });
    const { result, d1 } = await metered(() =>
      send.accept(
        tenant.caller,
        emailFrom(tenant, { to: ['ada@customer.test', 'gone@customer.test'] }),
        null,
      ),
    );
    const { id } = value(result);
    expect(d1.round_trips).toBeLessThanOrEqual(2);
    // One read (the tenant's quota and paused streams, the sender's domain, the suppressions, as one
    // statement: D1 runs one at a time for everyone), then the email's row and the day's counter.
    expect(d1.statements).toBeLessThanOrEqual(3);
    expect(await emailRow(id)).toMatchObject({
      status: 'queued',
      to_addresses: '["ada@customer.test"]',
      suppressed: '["gone@customer.test"]',
    });
  });

  it('makes at most 2 D1 round trips with an Idempotency-Key, and a replay answers the same', async () => {
    const tenant = await newTenant();
    const request = emailFrom(tenant);
    const idempotency = await keyed('rt-1', request);
    const first = await metered(() => send.accept(tenant.caller, request, idempotency));
    expect(first.d1.round_trips).toBeLessThanOrEqual(2);
    expect(value(await send.accept(tenant.caller, request, idempotency))).toEqual(value(first.result));
  });

  it('makes at most 2 round trips with everything it can read: template, topic, own stream, file, key', async () => {
    const tenant = await newTenant({ suppressed: ['gone@customer.test'] });
    await addStream(tenant, 'news', { type: 'broadcast' });
    const topic = await seedTopic(tenant, 'opt_in');
    await seedContact(tenant, 'left@customer.test', 1);
    const templateId = crypto.randomUUID();
    const now = new Date().toISOString();
    const published = {
      subject: 'Hi {{{NAME}}}',
      html: '<p>Hi {{{NAME}}}</p>',
      text: null,
      variables: [{ key: 'NAME', type: 'string', fallback_value: 'there' }],
      from: `Acme <news@${tenant.domain}>`,
    };
    await testEnv.DB.prepare(
      "INSERT INTO templates (id, tenant_id, name, alias, status, subject, html, text, variables, published, published_at, created_at, updated_at) VALUES (?, ?, 'Hi', 'hi', 'published', '', '', NULL, '[]', ?, ?, ?, ?)",
    )
      .bind(templateId, tenant.tenantId, JSON.stringify(published), now, now, now)
      .run();
    const fileId = crypto.randomUUID();
    await testEnv.FILES.put(`files/${tenant.tenantId}/${fileId}`, new TextEncoder().encode('%PDF-1.4 x'));
    await testEnv.DB.prepare(
      'INSERT INTO files (tenant_id, id, filename, content_type, size, sha256, r2_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
      .bind(
        tenant.tenantId,
        fileId,
        'a.pdf',
        'application/pdf',
        10,
        '0'.repeat(64),
        `files/${tenant.tenantId}/${fileId}`,
        now,
      )
      .run();
    const request: SendEmailRequest = {
      from: `Acme <hello@${tenant.domain}>`,
      to: ['ada@customer.test', 'gone@customer.test', 'left@customer.test'],
      stream: 'news',
      topic_id: topic,
      template: { id: 'hi', variables: { NAME: 'Ada' } },
      attachments: [{ file_id: fileId }],
    };

    const { result, d1 } = await metered(async () =>
      send.accept(tenant.caller, request, await keyed('rt-2', request)),
    );

    expect(d1.round_trips).toBeLessThanOrEqual(2);
    const row = await emailRow(value(result).id);
    expect(row).toMatchObject({
      status: 'queued',
      stream: 'news',
      subject: 'Hi Ada',
      to_addresses: '["ada@customer.test"]',
    });
    expect(JSON.parse(row?.suppressed ?? '[]').sort()).toEqual(['gone@customer.test', 'left@customer.test']);

    // Without a from the template's is used: its domain is known only once the template is read,
    // in the same batch, so all the tenant's sending domains are read there too.
    const { from: _, ...fromTemplate } = request;
    const second = await metered(() => send.accept(tenant.caller, fromTemplate, null));
    expect(second.d1.round_trips).toBeLessThanOrEqual(2);
    expect(await emailRow(value(second.result).id)).toMatchObject({
      from_address: `Acme <news@${tenant.domain}>`,
      domain_id: tenant.domainId,
    });
  });

  it('a refused accept writes nothing and gives its Idempotency-Key back', async () => {
    const tenant = await newTenant();
    const request = emailFrom(tenant, { stream: 'nope' });
    const error = failure(await send.accept(tenant.caller, request, await keyed('rt-3', request)));
    expect(error.message).toContain('there is no stream "nope"');
    const key = await testEnv.DB.prepare('SELECT 1 FROM idempotency_keys WHERE tenant_id = ? AND key = ?')
      .bind(tenant.tenantId, 'rt-3')
      .first();
    expect(key).toBeNull();
  });
});

const ONLY_SUPPRESSED = new Set([3, 97]);

describe('a batch of 100 from two domains and two streams, some recipients suppressed', () => {
  it('makes at most 2 D1 round trips and 20 statements, with every email as one at a time would be', async () => {
    const tenant = await newTenant({
      extraDomains: [{ name: `second-${crypto.randomUUID().slice(0, 6)}.example.test`, verified: true }],
      suppressed: ['gone-3@customer.test', 'gone-50@customer.test', 'cc-gone@customer.test'],
    });
    await addStream(tenant, 'receipts');
    const second = (await testEnv.DB.prepare('SELECT id, name FROM domains WHERE tenant_id = ? AND id != ?')
      .bind(tenant.tenantId, tenant.domainId)
      .first<{ id: string; name: string }>()) as { id: string; name: string };
    const emails = Array.from({ length: 100 }, (_, index) => ({
      index,
      email: emailFrom(tenant, {
        from: index % 2 ? `Billing <billing@${second.name}>` : `Acme <hello@${tenant.domain}>`,
        stream: index % 3 ? 'receipts' : 'transactional',
        // Two have only suppressed recipients: stored `suppressed`, never enqueued.
        to: ONLY_SUPPRESSED.has(index)
          ? 'gone-3@customer.test'
          : index === 50
            ? [`reader-50@customer.test`, 'Gone <GONE-50@customer.test>']
            : `reader-${index}@customer.test`,
        ...(index === 10 ? { cc: 'CC-Gone@Customer.test' } : {}),
      }),
    }));
    const queue = queueSpy();
    const request = { emails };

    const { result, d1 } = await metered(async () =>
      send.acceptBatch(tenant.caller, emails, [], 'strict', await keyed('rt-batch', request)),
    );

    expect(d1.round_trips).toBeLessThanOrEqual(2);
    expect(d1.statements).toBeLessThanOrEqual(20);
    const ids = value(result).data.map((entry) => entry.id);
    expect(ids).toHaveLength(100);
    const rows = await Promise.all(ids.map((id) => emailRow(id)));
    for (const [index, row] of rows.entries()) {
      const onlySuppressed = ONLY_SUPPRESSED.has(index);
      expect(row).toMatchObject({
        domain_id: index % 2 ? second.id : tenant.domainId,
        stream: index % 3 ? 'receipts' : 'transactional',
        status: onlySuppressed ? 'suppressed' : 'queued',
        to_addresses: JSON.stringify(onlySuppressed ? [] : [`reader-${index}@customer.test`]),
        cc_addresses: '[]',
      });
      const suppressed = (JSON.parse(row?.suppressed ?? '[]') as string[]).sort();
      if (onlySuppressed) expect(suppressed).toEqual(['gone-3@customer.test']);
      else if (index === 10) expect(suppressed).toEqual(['cc-gone@customer.test']);
      else if (index === 50) expect(suppressed).toEqual(['gone-50@customer.test']);
      else expect(suppressed).toEqual([]);
    }
    const suppressedIds = new Set(ids.filter((_, index) => ONLY_SUPPRESSED.has(index)));
    expect(queue.enqueued().map((message) => message.body.email_id)).toEqual(
      ids.filter((id) => !suppressedIds.has(id)),
    );
    const usage = await testEnv.DB.prepare('SELECT accepted FROM daily_usage WHERE tenant_id = ?')
      .bind(tenant.tenantId)
      .first<number>('accepted');
    expect(usage).toBe(100);
  });

  it('in permissive mode reports the refused ones by index at the same cost', async () => {
    const tenant = await newTenant();
    const emails = Array.from({ length: 100 }, (_, index) => ({
      index,
      email: emailFrom(tenant, {
        to: `reader-${index}@customer.test`,
        ...(index % 10 === 0 ? { from: `me@unknown-${index}.test` } : {}),
        ...(index === 5 ? { stream: 'nope' } : {}),
      }),
    }));
    const { result, d1 } = await metered(() =>
      send.acceptBatch(tenant.caller, emails, [], 'permissive', null),
    );
    expect(d1.round_trips).toBeLessThanOrEqual(2);
    expect(d1.statements).toBeLessThanOrEqual(20);
    const response = value(result);
    expect(response.data).toHaveLength(89);
    expect(response.errors?.map((error) => error.index)).toEqual([0, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(response.errors?.[0]?.message).toContain('[0].from: the unknown-0.test domain is not verified');
    expect(response.errors?.[1]?.message).toContain('[5].stream: there is no stream "nope"');
  });
});
