// Broadcasts through the whole mesh with the official `resend` SDK: created, edited, listed and sent
// to a segment, every subscribed contact mailed exactly once (as the SES stand-in recorded it),
// personalised, with the recipient's own unsubscribe link; Resend's rules on what may change when;
// Mailgrid's pause, resume, cancel mid-send, test sends, progress and recipients by outcome.
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { api, mesh } from './client';
import { delivered, emailIdOf, resendWith, sesRecords } from './mail';

const { broadcaster } = mesh;
const key = broadcaster.full.token;
const resend = resendWith(key);
const from = `News <news@broadcaster.mesh.test>`;
const unique = (label: string) => `${label}-${crypto.randomUUID().slice(0, 8)}`;

function ok<T>(result: { data: T | null; error: unknown }): T {
  expect(result.error).toBeNull();
  return result.data as T;
}

async function post(path: string, body?: unknown) {
  return api(path, {
    method: 'POST',
    key,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
}

interface BroadcastView {
  status: string;
  progress: { recipients: number | null; sent: number; failed: number; skipped: number; pending: number };
}

async function broadcastOf(id: string): Promise<BroadcastView> {
  return (await (await api(`/api/broadcasts/${id}`, { key })).json()) as BroadcastView;
}

async function waitForStatus(id: string, status: string, timeoutMs = 60_000): Promise<BroadcastView> {
  const deadline = Date.now() + timeoutMs;
  let seen: BroadcastView | undefined;
  while (Date.now() < deadline) {
    seen = await broadcastOf(id);
    if (seen.status === status) return seen;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`broadcast ${id} is ${JSON.stringify(seen)}, not ${status}`);
}

/** Every recipient row of the broadcast of one outcome, all pages. */
async function recipientsOf(id: string, type: string) {
  const all: { id: string; email: string; contact_id: string | null }[] = [];
  let after: string | undefined;
  for (;;) {
    const page = ok(
      await resend.broadcasts.recipients(id, {
        type: type as 'sent',
        limit: 100,
        ...(after ? { after } : {}),
      }),
    );
    all.push(...page.data);
    if (!page.has_more) return all;
    after = page.data.at(-1)?.id;
  }
}

/** How many messages SES was given for each of the broadcast's recipient rows. */
async function sesCopies(id: string): Promise<Map<string, number>> {
  const rows = new Set([...(await recipientsOf(id, 'sent')).map((row) => row.id)]);
  const copies = new Map<string, number>();
  for (const record of (await sesRecords()).records) {
    const emailId = emailIdOf(record);
    if (emailId && rows.has(emailId)) copies.set(emailId, (copies.get(emailId) ?? 0) + 1);
  }
  return copies;
}

/** A segment of `count` contacts made by a CSV import (first names on even rows). */
async function importedSegment(count: number): Promise<{ segment: string; emails: string[] }> {
  const segment = ok(await resend.segments.create({ name: unique('imported') })).id;
  const domain = `${unique('crowd')}.example.com`;
  const emails = Array.from({ length: count }, (_, n) => `p${n}@${domain}`);
  const csv = `email,first_name\n${emails.map((email, n) => `${email},${n % 2 === 0 ? `P${n}` : ''}`).join('\n')}\n`;
  const upload = await api(`/api/contacts/imports?segment_id=${segment}`, {
    method: 'POST',
    key,
    headers: { 'content-type': 'text/csv' },
    body: csv,
  });
  expect(upload.status).toBe(202);
  const { id } = (await upload.json()) as { id: string };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const state = (await (await api(`/api/contacts/imports/${id}`, { key })).json()) as { status: string };
    if (state.status === 'completed') return { segment, emails };
    if (Date.now() > deadline || state.status === 'failed') throw new Error(`import ${id}: ${state.status}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('broadcasts through the mesh', () => {
  it('sends to every subscribed contact once, personalised, through the SDK', async () => {
    const segment = ok(await resend.segments.create({ name: unique('launch') })).id;
    const people = ['ada', 'grace', 'linus', 'nameless'].map((name) => `${unique(name)}@example.com`);
    for (const [n, email] of people.entries()) {
      ok(
        await resend.contacts.create({
          email,
          ...(n < 3 ? { firstName: ['Ada', 'Grace', 'Linus'][n] } : {}),
          segments: [{ id: segment }],
        }),
      );
    }
    const leaver = `${unique('leaver')}@example.com`;
    ok(await resend.contacts.create({ email: leaver, unsubscribed: true, segments: [{ id: segment }] }));
    const bounced = `${unique('bounced')}@example.com`;
    ok(await resend.contacts.create({ email: bounced, segments: [{ id: segment }] }));
    expect((await post('/api/suppressions', { email: bounced })).status).toBeLessThan(300);

    const { id } = ok(
      await resend.broadcasts.create({
        segmentId: segment,
        from,
        name: 'Launch',
        subject: 'Draft subject',
        html: '<p>Hello {{{FIRST_NAME|friend}}}!</p><p><a href="{{{RESEND_UNSUBSCRIBE_URL}}}">Leave</a></p>',
      }),
    );
    expect(ok(await resend.broadcasts.get(id))).toMatchObject({
      status: 'draft',
      segment_id: segment,
      name: 'Launch',
    });
    ok(await resend.broadcasts.update(id, { subject: 'Hi {{{contact.first_name|there}}}' }));
    expect(ok(await resend.broadcasts.list()).data.map((broadcast) => broadcast.id)).toContain(id);

    ok(await resend.broadcasts.send(id));
    const done = await waitForStatus(id, 'sent');
    expect(done.progress).toMatchObject({ recipients: 4, sent: 4, failed: 0, pending: 0 });

    const sent = await recipientsOf(id, 'sent');
    expect(sent.map((row) => row.email).sort()).toEqual([...people].sort());
    expect([...(await sesCopies(id)).values()]).toEqual([1, 1, 1, 1]);
    expect((await recipientsOf(id, 'suppressed')).map((row) => row.email)).toEqual([bounced]);

    const ada = sent.find((row) => row.email === people[0]);
    const { mail, record } = await delivered(ada?.id as string);
    expect(mail.subject).toBe('Hi Ada');
    expect(mail.html).toContain('Hello Ada!');
    expect(mail.html).toMatch(/href="http[^"]+\/u\/[^"]+">Leave/);
    expect(String(record.eml)).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const nameless = sent.find((row) => row.email === people[3]);
    expect((await delivered(nameless?.id as string)).mail.subject).toBe('Hi there');

    // Each recipient's email carries the broadcast, and SES's feedback reaches its outcome lists.
    expect(ok(await resend.emails.get(ada?.id as string))).toMatchObject({
      broadcast_id: id,
      subject: 'Hi Ada',
    });
    const deadline = Date.now() + 20_000;
    while ((await recipientsOf(id, 'delivered')).length < 4 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect((await recipientsOf(id, 'delivered')).length).toBe(4);
  });

  it("keeps Resend's rules on what may change, delete and duplicate", async () => {
    const segment = ok(await resend.segments.create({ name: unique('rules') })).id;
    ok(await resend.contacts.create({ email: `${unique('one')}@example.com`, segments: [{ id: segment }] }));
    const { id } = ok(
      await resend.broadcasts.create({ segmentId: segment, from, subject: 'Rules', text: 'Plain' }),
    );
    ok(await resend.broadcasts.send(id, { scheduledAt: 'in 1 hour' }));
    expect((await broadcastOf(id)).status).toBe('scheduled');
    ok(await resend.broadcasts.cancel(id));
    expect((await broadcastOf(id)).status).toBe('draft');

    const copy = await post(`/api/broadcasts/${id}/duplicate`);
    expect(copy.status).toBe(201);
    const copyId = ((await copy.json()) as { id: string }).id;
    expect(ok(await resend.broadcasts.get(copyId))).toMatchObject({
      name: expect.stringMatching(/\(copy\)$/),
      status: 'draft',
    });
    expect(ok(await resend.broadcasts.remove(copyId))).toMatchObject({ id: copyId, deleted: true });

    ok(await resend.broadcasts.send(id));
    await waitForStatus(id, 'sent');
    const edit = await resend.broadcasts.update(id, { subject: 'Too late' });
    expect(edit.error).toMatchObject({ statusCode: 422 });
    ok(await resend.broadcasts.update(id, { name: 'Renamed after sending' }));
    const removal = await resend.broadcasts.remove(id);
    expect(removal.error).toMatchObject({ statusCode: 422 });
    expect(ok(await resend.broadcasts.get(id))).toMatchObject({
      name: 'Renamed after sending',
      status: 'sent',
    });
  });

  it('pauses and resumes mid-send without mailing anyone twice; a test send renders sample values', async () => {
    const { segment, emails } = await importedSegment(150);
    const { id } = ok(
      await resend.broadcasts.create({
        segmentId: segment,
        from,
        subject: 'Hi {{{contact.first_name|there}}}',
        html: '<p>News</p>',
      }),
    );
    const test = await post(`/api/broadcasts/${id}/test`, { to: ['qa@example.com'] });
    expect(test.status).toBe(200);
    const [sample] = ((await test.json()) as { emails: { id: string }[] }).emails;
    expect((await delivered(sample?.id as string)).mail.subject).toBe('Hi there');

    ok(await resend.broadcasts.send(id));
    expect((await post(`/api/broadcasts/${id}/pause`)).status).toBe(200);
    expect((await broadcastOf(id)).status).toBe('paused');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const whilePaused = (await sesCopies(id)).size;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await sesCopies(id)).size).toBe(whilePaused);
    expect(whilePaused).toBeLessThan(150);

    expect((await post(`/api/broadcasts/${id}/resume`)).status).toBe(200);
    const done = await waitForStatus(id, 'sent');
    expect(done.progress).toMatchObject({ recipients: 150, sent: 150 });
    const copies = await sesCopies(id);
    expect(copies.size).toBe(150);
    expect([...copies.values()].every((n) => n === 1)).toBe(true);
    expect((await recipientsOf(id, 'sent')).map((row) => row.email).sort()).toEqual([...emails].sort());
    const parsed = await simpleParser(
      (await sesRecords()).records.find((record) => copies.has(emailIdOf(record) ?? ''))?.eml ?? '',
    );
    expect(parsed.subject).toMatch(/^Hi (P\d+|there)$/);
  });

  it('cancels mid-send: what went out stays out, the rest never goes', async () => {
    const { segment } = await importedSegment(150);
    const { id } = ok(
      await resend.broadcasts.create({ segmentId: segment, from, subject: 'Cancel me', html: '<p>x</p>' }),
    );
    ok(await resend.broadcasts.send(id));
    ok(await resend.broadcasts.cancel(id));
    const canceled = await broadcastOf(id);
    expect(canceled.status).toBe('canceled');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const copies = await sesCopies(id);
    expect([...copies.values()].every((n) => n === 1)).toBe(true);
    expect(copies.size).toBe((await recipientsOf(id, 'sent')).length);
    expect(copies.size).toBeLessThan(150);
    expect((await resend.broadcasts.remove(id)).error).toMatchObject({ statusCode: 422 });
  });
});
