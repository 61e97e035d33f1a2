// Unsubscribe links end to end, through the gateway to the tracking worker and admin: the one-click
// POST a mailbox provider sends (RFC 8058), the hosted page (whose GET must never unsubscribe), and
// links that do not verify.
import { describe, expect, it } from 'vitest';
import { api, mesh } from './client';
import { delivered, postEmail } from './mail';
import { contactOf, createContact, createTopic, postForm, topicsOf, unsubscribeUrl } from './preferences';

const { sender } = mesh;
const key = sender.full.token;
const unique = () => crypto.randomUUID().slice(0, 8);

/** A contact of the sender tenant and an email sent to it, so the event has an email to belong to. */
async function contactWithEmail(): Promise<{ email: string; contactId: string; emailId: string }> {
  const email = `unsub-${unique()}@example.com`;
  const contactId = await createContact(key, email);
  const response = await postEmail(sender.sending.token, {
    from: `news@${sender.domain}`,
    to: email,
    subject: 'Our news',
    text: 'News.',
  });
  expect(response.status).toBe(200);
  const { id: emailId } = (await response.json()) as { id: string };
  await delivered(emailId);
  return { email, contactId, emailId };
}

async function eventTypes(emailId: string): Promise<string[]> {
  const response = await api(`/api/emails/${emailId}/events`, { key });
  const { data } = (await response.json()) as { data: { type: string }[] };
  return data.map((event) => event.type);
}

async function waitForEventType(emailId: string, type: string, timeoutMs = 20_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let types: string[] = [];
  while (Date.now() < deadline) {
    types = await eventTypes(emailId);
    if (types.includes(type)) return types;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(types, `events of ${emailId}`).toContain(type);
  return types;
}

describe('one-click unsubscribe (RFC 8058)', () => {
  it('unsubscribes the contact at once and records email.unsubscribed for the email', async () => {
    const { email, contactId, emailId } = await contactWithEmail();
    const url = await unsubscribeUrl({ tenantId: sender.tenantId, emailId, recipient: email });

    const response = await postForm(url, { 'List-Unsubscribe': 'One-Click' });
    expect(response.status).toBe(200);
    expect((await contactOf(key, contactId)).unsubscribed).toBe(true);
    const types = await waitForEventType(emailId, 'email.unsubscribed');

    // A provider may POST again: still 200, and no second event.
    expect((await postForm(url, { 'List-Unsubscribe': 'One-Click' })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await eventTypes(emailId)).filter((type) => type === 'email.unsubscribed')).toHaveLength(
      types.filter((type) => type === 'email.unsubscribed').length,
    );
  });

  it("opts the contact out of the email's topic only", async () => {
    const news = await createTopic(key, { name: `News ${unique()}`, default_subscription: 'opt_in' });
    const tips = await createTopic(key, { name: `Tips ${unique()}`, default_subscription: 'opt_in' });
    const email = `unsub-${unique()}@example.com`;
    const contactId = await createContact(key, email);
    const url = await unsubscribeUrl({
      tenantId: sender.tenantId,
      emailId: crypto.randomUUID(),
      recipient: email,
      topicId: news,
    });

    expect((await postForm(url, { 'List-Unsubscribe': 'One-Click' })).status).toBe(200);
    const topics = await topicsOf(key, contactId);
    expect(topics[news]).toBe('opt_out');
    expect(topics[tips]).toBe('opt_in');
    expect((await contactOf(key, contactId)).unsubscribed).toBe(false);
  });
});

describe("a delivered email's List-Unsubscribe link", () => {
  it('opts the recipient out of the topic, and the next email about it leaves them out', async () => {
    const topicId = await createTopic(key, { name: `Offers ${unique()}`, default_subscription: 'opt_in' });
    const email = `header-${unique()}@example.com`;
    const contactId = await createContact(key, email);
    const send = () =>
      postEmail(sender.sending.token, {
        from: `news@${sender.domain}`,
        to: email,
        subject: 'Offers',
        text: 'Offers.',
        topic_id: topicId,
        list_unsubscribe: true,
      });
    const first = await send();
    expect(first.status).toBe(200);
    const { id: emailId } = (await first.json()) as { id: string };
    const { record } = await delivered(emailId);
    // Unfolded, the header is `<https URL>, <mailto:…>`; the URL is the one a mailbox provider POSTs to.
    const raw = record.eml.toString().replace(/\r?\n[ \t]+/g, ' ');
    const url = /^List-Unsubscribe: <([^>]+)>/im.exec(raw)?.[1];
    expect(url).toMatch(new RegExp(`^${mesh.url}/u/`));
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/im);

    expect((await postForm(url as string, { 'List-Unsubscribe': 'One-Click' })).status).toBe(200);
    expect((await topicsOf(key, contactId))[topicId]).toBe('opt_out');
    await waitForEventType(emailId, 'email.unsubscribed');

    const next = await send();
    expect(next.status).toBe(200);
    const { id: nextId } = (await next.json()) as { id: string };
    const nextEmail = (await (await api(`/api/emails/${nextId}`, { key })).json()) as {
      suppressed: string[];
    };
    expect(nextEmail.suppressed).toEqual([email]);
  });
});

describe('the unsubscribe page', () => {
  it('GET only shows the page; its confirm POST unsubscribes', async () => {
    const topic = `Weekly digest ${unique()}`;
    await createTopic(key, { name: topic, default_subscription: 'opt_in' });
    const email = `page-${unique()}@example.com`;
    const contactId = await createContact(key, email);
    const url = await unsubscribeUrl({
      tenantId: sender.tenantId,
      emailId: crypto.randomUUID(),
      recipient: email,
    });

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain(topic);
    expect(html).toContain(email);
    // A link scanner following the GET (even twice) unsubscribes no one.
    await fetch(url);
    expect((await contactOf(key, contactId)).unsubscribed).toBe(false);

    const confirmed = await postForm(url, { action: 'unsubscribe' });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('<h1>You are unsubscribed</h1>');
    expect((await contactOf(key, contactId)).unsubscribed).toBe(true);

    // And back: the page's resubscribe button.
    const resubscribed = await postForm(url, { action: 'resubscribe' });
    expect(resubscribed.status).toBe(200);
    expect((await contactOf(key, contactId)).unsubscribed).toBe(false);
  });

  it('answers a link that does not verify with the 404 page, for GET and POST, changing nothing', async () => {
    const email = `bad-${unique()}@example.com`;
    const contactId = await createContact(key, email);
    const claims = { tenantId: sender.tenantId, emailId: crypto.randomUUID(), recipient: email };
    const good = await unsubscribeUrl(claims);
    // This link's payload under another link's valid signature, and this link signed with another key.
    const [, otherSignature] = (await unsubscribeUrl({ ...claims, topicId: 'another' })).split(
      /\.(?=[^.]*$)/,
    );
    const bad = [
      good.replace(/\.[^.]*$/, `.${otherSignature}`),
      await unsubscribeUrl(claims, {
        secrets: { dev1: 'not-the-dev-key-but-long-enough-0000000000' },
        current: 'dev1',
      }),
      await unsubscribeUrl({ ...claims, action: 'open' }),
      await unsubscribeUrl({ ...claims, expiresAt: Math.floor(Date.now() / 1000) - 60 }),
      `${mesh.url}/u/not-a-token`,
    ];
    for (const url of bad) {
      const page = await fetch(url, { redirect: 'manual' });
      expect(page.status, url).toBe(404);
      expect(page.headers.get('location')).toBeNull();
      expect((await postForm(url, { 'List-Unsubscribe': 'One-Click' })).status, url).toBe(404);
    }
    expect((await contactOf(key, contactId)).unsubscribed).toBe(false);
  });
});
