// Unsubscribes at accept: contacts who unsubscribed are left out of broadcast-stream emails, and
// contacts opted out of an email's topic out of any email with that topic_id, listed in `suppressed`
// like suppressed addresses, from the very next send. An unknown topic is refused.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  accept,
  countRows,
  emailFrom,
  emailRow,
  failure,
  newTenant,
  queueSpy,
  send,
  type Tenant,
  testEnv,
} from './helpers';

afterEach(() => {
  vi.restoreAllMocks();
});

const now = () => new Date().toISOString();

async function contact(tenant: Tenant, email: string, unsubscribed = 0): Promise<string> {
  const id = crypto.randomUUID();
  await testEnv.DB.prepare(
    'INSERT INTO contacts (id, tenant_id, email, unsubscribed, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  )
    .bind(id, tenant.tenantId, email, unsubscribed, now(), now())
    .run();
  return id;
}

async function topic(tenant: Tenant, defaultSubscription: 'opt_in' | 'opt_out'): Promise<string> {
  const id = crypto.randomUUID();
  await testEnv.DB.prepare(
    'INSERT INTO topics (id, tenant_id, name, default_subscription, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  )
    .bind(id, tenant.tenantId, `topic ${id.slice(0, 4)}`, defaultSubscription, now(), now())
    .run();
  return id;
}

async function choose(
  tenant: Tenant,
  contactId: string,
  topicId: string,
  subscription: 'opt_in' | 'opt_out',
) {
  await testEnv.DB.prepare(
    'INSERT INTO contact_topics (tenant_id, contact_id, topic_id, subscription, updated_at) VALUES (?, ?, ?, ?, ?)',
  )
    .bind(tenant.tenantId, contactId, topicId, subscription, now())
    .run();
}

const EVERYONE = [
  'unsub@customer.test',
  'Fine <fine@customer.test>',
  'opted-out@customer.test',
  'opted-in@customer.test',
];

let acme: Tenant;
let newsletter: string; // opt_in by default; opted-out@ opted out
let beta: string; // opt_out by default; opted-in@ opted in

beforeAll(async () => {
  acme = await newTenant();
  newsletter = await topic(acme, 'opt_in');
  beta = await topic(acme, 'opt_out');
  await contact(acme, 'unsub@customer.test', 1);
  await contact(acme, 'fine@customer.test');
  await choose(acme, await contact(acme, 'opted-out@customer.test'), newsletter, 'opt_out');
  await choose(acme, await contact(acme, 'opted-in@customer.test'), beta, 'opt_in');
});

async function recipientsOf(id: string) {
  const row = await emailRow(id);
  return {
    to: JSON.parse(row?.to_addresses ?? '[]') as string[],
    cc: JSON.parse(row?.cc_addresses ?? '[]') as string[],
    suppressed: (JSON.parse(row?.suppressed ?? '[]') as string[]).sort(),
  };
}

describe('a broadcast-stream email', () => {
  it('leaves out unsubscribed contacts (any case, in to/cc/bcc), listed in suppressed', async () => {
    const id = await accept(acme, {
      stream: 'broadcast',
      to: ['UNSUB@Customer.test', 'fine@customer.test', 'stranger@customer.test'],
      cc: 'unsub@customer.test',
    });
    expect(await recipientsOf(id)).toEqual({
      to: ['fine@customer.test', 'stranger@customer.test'],
      cc: [],
      suppressed: ['unsub@customer.test'],
    });
  });

  it('takes an unsubscribe into account from the next send', async () => {
    const address = `late-${crypto.randomUUID().slice(0, 6)}@customer.test`;
    const contactId = await contact(acme, address);
    const before = await accept(acme, { stream: 'broadcast', to: [address, 'fine@customer.test'] });
    expect((await recipientsOf(before)).to).toContain(address);
    await testEnv.DB.prepare('UPDATE contacts SET unsubscribed = 1 WHERE id = ?').bind(contactId).run();
    const after = await accept(acme, { stream: 'broadcast', to: [address, 'fine@customer.test'] });
    expect(await recipientsOf(after)).toMatchObject({ to: ['fine@customer.test'], suppressed: [address] });
  });

  it('is stored as suppressed and never queued when everyone unsubscribed', async () => {
    const queue = queueSpy();
    const id = await accept(acme, { stream: 'broadcast', to: 'unsub@customer.test' });
    expect(await emailRow(id)).toMatchObject({ status: 'suppressed', suppressed: '["unsub@customer.test"]' });
    expect(queue.enqueued()).toEqual([]);
  });

  it('with a topic, also leaves out who opted out of the topic', async () => {
    const id = await accept(acme, { stream: 'broadcast', to: EVERYONE, topic_id: newsletter });
    expect(await recipientsOf(id)).toMatchObject({
      to: ['Fine <fine@customer.test>', 'opted-in@customer.test'],
      suppressed: ['opted-out@customer.test', 'unsub@customer.test'],
    });
  });
});

describe('a transactional email', () => {
  it('reaches unsubscribed contacts: a receipt is not a newsletter', async () => {
    const id = await accept(acme, { to: EVERYONE });
    expect(await recipientsOf(id)).toMatchObject({ to: EVERYONE, suppressed: [] });
  });

  it("with a topic, leaves out only who opted out of it (the topic's default counts)", async () => {
    const optIn = await accept(acme, { to: EVERYONE, topic_id: newsletter });
    expect(await recipientsOf(optIn)).toMatchObject({
      to: ['unsub@customer.test', 'Fine <fine@customer.test>', 'opted-in@customer.test'],
      suppressed: ['opted-out@customer.test'],
    });
    // An opt_out topic reaches only who opted in: not contacts without a choice, nor strangers.
    const optOut = await accept(acme, { to: [...EVERYONE, 'stranger@customer.test'], topic_id: beta });
    expect(await recipientsOf(optOut)).toMatchObject({
      to: ['opted-in@customer.test'],
      suppressed: [
        'fine@customer.test',
        'opted-out@customer.test',
        'stranger@customer.test',
        'unsub@customer.test',
      ],
    });
  });

  it('stores the topic on the email', async () => {
    const id = await accept(acme, { topic_id: newsletter });
    const row = await testEnv.DB.prepare('SELECT topic_id FROM emails WHERE id = ?').bind(id).first();
    expect(row).toEqual({ topic_id: newsletter });
  });
});

describe('an unknown topic_id', () => {
  it("is refused naming topic_id, storing nothing, and another tenant's topic is unknown", async () => {
    const other = await newTenant();
    const othersTopic = await topic(other, 'opt_in');
    const queue = queueSpy();
    const rowsBefore = await countRows(acme);
    for (const topicId of ['no-such-topic', othersTopic]) {
      const error = failure(await send.accept(acme.caller, emailFrom(acme, { topic_id: topicId }), null));
      expect(error.code).toBe('invalid_parameter');
      expect(error.message).toContain('topic_id');
      expect(error.message).toContain(topicId);
    }
    expect(await countRows(acme)).toBe(rowsBefore);
    expect(queue.enqueued()).toEqual([]);
  });
});
