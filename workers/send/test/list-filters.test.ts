// The email log's filters (GET /api/emails?last_event=&stream=&domain=&tag=&since=&until=&q=, the
// dashboard's): each narrows the tenant's list in the data layer, paging goes on within the filter,
// and no filter reaches another tenant's emails.
import { ListEmailsQuery } from '@mailgrid/contracts';
import * as v from 'valibot';
import { beforeAll, describe, expect, it } from 'vitest';
import { accept, addStream, newTenant, send, setRow, type Tenant, value } from './helpers';

let acme: Tenant;
let other: Tenant;
const ids: Record<string, string> = {};

/** The ids listed for a query as the gateway would pass it (through the contract's schema). */
async function listed(tenant: Tenant, query: Record<string, string>) {
  const parsed = v.parse(ListEmailsQuery, { limit: '100', ...query });
  return value(await send.listEmails(tenant.caller, parsed)).data.map((email) => email.id);
}

beforeAll(async () => {
  acme = await newTenant();
  other = await newTenant();
  await addStream(acme, 'news');
  ids.order = await accept(acme, {
    subject: 'Your order 100%_done',
    to: 'ada@customer.test',
    tags: [{ name: 'kind', value: 'order' }],
  });
  ids.receipt = await accept(acme, {
    subject: 'Your receipt',
    to: 'grace@customer.test',
    cc: 'Boss <BOSS@customer.test>',
    tags: [
      { name: 'kind', value: 'receipt' },
      { name: 'vip', value: 'yes' },
    ],
  });
  ids.news = await accept(acme, { subject: 'Monthly news', to: 'linus@customer.test', stream: 'news' });
  await setRow(ids.order, { last_event: 'delivered', created_at: '2026-03-01T10:00:00.000Z' });
  await setRow(ids.receipt, { last_event: 'bounced', created_at: '2026-03-02T23:59:59.000Z' });
  await setRow(ids.news, { last_event: 'delivered', created_at: '2026-03-03T00:00:00.000Z' });
  // Another tenant's email matching every filter below.
  ids.foreign = await accept(other, {
    subject: 'Your order',
    to: 'ada@customer.test',
    tags: [{ name: 'kind', value: 'order' }],
  });
  await setRow(ids.foreign, { last_event: 'delivered', created_at: '2026-03-01T10:00:00.000Z' });
});

describe('the email log filters', () => {
  it('narrows by last event, stream and sending domain', async () => {
    expect(await listed(acme, { last_event: 'delivered' })).toEqual([ids.news, ids.order]);
    expect(await listed(acme, { last_event: 'bounced' })).toEqual([ids.receipt]);
    expect(await listed(acme, { stream: 'news' })).toEqual([ids.news]);
    expect(await listed(acme, { domain: acme.domain.toUpperCase() })).toHaveLength(3);
    // Another tenant's domain names none of acme's emails (and none of its own reach acme).
    expect(await listed(acme, { domain: other.domain })).toEqual([]);
  });

  it('narrows by tag name, or name and value', async () => {
    expect(await listed(acme, { tag: 'kind' })).toEqual([ids.receipt, ids.order]);
    expect(await listed(acme, { tag: 'kind:order' })).toEqual([ids.order]);
    expect(await listed(acme, { tag: 'vip:yes' })).toEqual([ids.receipt]);
    expect(await listed(acme, { tag: 'kind:other' })).toEqual([]);
  });

  it('narrows by day (a whole UTC day for until) or by time', async () => {
    expect(await listed(acme, { since: '2026-03-02' })).toEqual([ids.news, ids.receipt]);
    expect(await listed(acme, { until: '2026-03-02' })).toEqual([ids.receipt, ids.order]);
    expect(await listed(acme, { since: '2026-03-02', until: '2026-03-02' })).toEqual([ids.receipt]);
    expect(await listed(acme, { until: '2026-03-02T23:59:58Z' })).toEqual([ids.order]);
  });

  it('searches the subject and every address, any case, with % and _ taken literally', async () => {
    expect(await listed(acme, { q: 'RECEIPT' })).toEqual([ids.receipt]);
    expect(await listed(acme, { q: 'boss@' })).toEqual([ids.receipt]);
    expect(await listed(acme, { q: 'linus' })).toEqual([ids.news]);
    expect(await listed(acme, { q: '100%_' })).toEqual([ids.order]);
    expect(await listed(acme, { q: '%' })).toEqual([ids.order]);
    expect(await listed(acme, { q: 'nobody' })).toEqual([]);
    expect(await listed(other, { q: 'order' })).toEqual([ids.foreign]);
  });

  it('combines filters, and pages within them', async () => {
    expect(await listed(acme, { last_event: 'delivered', q: 'order' })).toEqual([ids.order]);
    const first = value(
      await send.listEmails(acme.caller, v.parse(ListEmailsQuery, { limit: '1', last_event: 'delivered' })),
    );
    expect(first).toMatchObject({ has_more: true, data: [{ id: ids.news }] });
    const second = value(
      await send.listEmails(
        acme.caller,
        v.parse(ListEmailsQuery, { limit: '1', last_event: 'delivered', after: ids.news }),
      ),
    );
    expect(second).toMatchObject({ has_more: false, data: [{ id: ids.order }] });
  });

  it('refuses malformed filters in the contract', () => {
    for (const query of [
      { since: 'yesterday' },
      { until: '2026-02-30T25:00:00Z' },
      { stream: 'News!' },
      { q: '' },
      { last_event: 'DROP TABLE' },
    ]) {
      expect(v.safeParse(ListEmailsQuery, query).success, JSON.stringify(query)).toBe(false);
    }
  });
});
