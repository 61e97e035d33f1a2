// Resend SDK calls that used to fail against Mailgrid (issue 15): a send whose from and subject come
// from its template, the audience-era routes older code still calls, the SDK's multipart contact
// import, and Resend's natural-language scheduledAt ("in 1 min"). Each driven through the official
// SDK, asserting what its user would see.
import { describe, expect, it } from 'vitest';
import { api, mesh } from './client';
import { delivered, resendWith } from './mail';

const { sdkAudience } = mesh;
const key = sdkAudience.full.token;
const resend = resendWith(key);
const domain = 'sdk-audience.mesh.test';
const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

function ok<T>(result: { data: T | null; error: unknown }): T {
  expect(result.error).toBeNull();
  return result.data as T;
}

type SendInput = Parameters<typeof resend.emails.send>[0];

async function welcomeTemplate() {
  const created = resend.templates.create({
    name: 'Welcome',
    alias: unique('welcome'),
    from: `Team <team@${domain}>`,
    replyTo: `help@${domain}`,
    subject: 'Welcome, {{{NAME}}}',
    html: '<p>Hi {{NAME}}</p>',
    variables: [{ key: 'NAME', type: 'string', fallbackValue: 'friend' }],
  });
  const { id } = ok(await created);
  ok(await resend.templates.publish(id));
  return id;
}

describe('a template as the source of a send', () => {
  it("sends with the template's from, reply-to and subject when the send gives none", async () => {
    const templateId = await welcomeTemplate();
    const template = ok(await resend.templates.get(templateId));
    expect(template.current_version_id).toMatch(/^[0-9a-f-]{36}$/);

    const { id } = ok(
      await resend.emails.send({
        to: 'ada@example.com',
        template: { id: templateId, variables: { NAME: 'Ada' } },
      }),
    );
    const { mail } = await delivered(id);
    expect(mail.from?.value[0]).toMatchObject({ name: 'Team', address: `team@${domain}` });
    expect(mail.replyTo?.value[0]?.address).toBe(`help@${domain}`);
    expect(mail.subject).toBe('Welcome, Ada');
    expect(mail.html).toContain('Hi Ada');
  });

  it('lets the send override them, in a batch too', async () => {
    const templateId = await welcomeTemplate();
    const sent = ok(
      await resend.batch.send([
        { to: 'bob@example.com', template: { id: templateId } } as SendInput,
        {
          to: 'cy@example.com',
          from: `Sales <sales@${domain}>`,
          subject: 'Our own subject',
          template: { id: templateId },
        } as SendInput,
      ]),
    );
    const [plain, overridden] = sent.data.map((entry) => entry.id) as [string, string];
    const first = (await delivered(plain)).mail;
    expect(first.from?.value[0]?.address).toBe(`team@${domain}`);
    expect(first.subject).toBe('Welcome, friend');
    const second = (await delivered(overridden)).mail;
    expect(second.from?.value[0]?.address).toBe(`sales@${domain}`);
    expect(second.subject).toBe('Our own subject');
  });

  it('refuses a send with neither a from nor a template that has one, naming the field', async () => {
    const { id } = ok(await resend.templates.create({ name: 'No sender', html: '<p>x</p>', subject: 'S' }));
    ok(await resend.templates.publish(id));
    const { error } = await resend.emails.send({ to: 'dee@example.com', template: { id } });
    expect(error).toMatchObject({ statusCode: 422, name: 'missing_required_field' });
    expect(error?.message).toContain('from is required');
  });
});

describe('audiences, as code written before segments calls them', () => {
  it('creates an audience and a contact in it: the contact is in that segment', async () => {
    // The SDK's own `audiences` now calls /segments; older code calls /audiences directly.
    const created = await api('/api/audiences', {
      method: 'POST',
      key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: unique('Newsletter') }),
    });
    expect(created.status).toBe(201);
    const audience = (await created.json()) as { object: string; id: string };
    expect(audience.object).toBe('audience');
    expect(ok(await resend.audiences.get(audience.id))).toMatchObject({ id: audience.id });

    const email = `${unique('reader')}@example.com`;
    ok(await resend.contacts.create({ audienceId: audience.id, email, firstName: 'Rea' }));
    const members = ok(await resend.contacts.list({ audienceId: audience.id }));
    expect(members.data.map((contact) => contact.email)).toEqual([email]);
    const segments = ok(await resend.contacts.segments.list({ email }));
    expect(segments.data.map((segment) => segment.id)).toEqual([audience.id]);

    expect(ok(await resend.contacts.get({ audienceId: audience.id, email }))).toMatchObject({
      email,
      first_name: 'Rea',
    });
    ok(await resend.contacts.update({ audienceId: audience.id, email, lastName: 'Der' }));
    expect(ok(await resend.contacts.get({ email })).last_name).toBe('Der');
    ok(await resend.contacts.remove({ audienceId: audience.id, email }));
    expect((await resend.contacts.get({ email })).error).toMatchObject({ statusCode: 404 });

    const listed = await api(`/api/audiences/${audience.id}/contacts`, { key });
    expect(((await listed.json()) as { data: unknown[] }).data).toEqual([]);
    ok(await resend.audiences.remove(audience.id));
    const gone = await api(`/api/audiences/${audience.id}/contacts/${encodeURIComponent(email)}`, { key });
    expect(gone.status).toBe(404);
  });
});

describe('contact imports as the SDK sends them (multipart)', () => {
  it('completes with counts, reading the mapped columns into the given segment', async () => {
    const segment = ok(await resend.segments.create({ name: unique('Imported') })).id;
    const first = `${unique('imp')}@example.com`;
    const second = `${unique('imp')}@example.com`;
    const csv = [
      'E-mail,Name,Notes',
      `${first},Imogen,met in Lisbon`,
      `${second},Ivo,`,
      'not-an-address,X,',
    ].join('\n');
    const { id } = ok(
      await resend.contacts.imports.create({
        file: new Blob([csv], { type: 'text/csv' }),
        columnMap: { email: 'E-mail', firstName: 'Name' },
        segments: [{ id: segment }],
      }),
    );
    let done = ok(await resend.contacts.imports.get(id));
    const deadline = Date.now() + 30_000;
    while (done.status !== 'completed' && done.status !== 'failed' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      done = ok(await resend.contacts.imports.get(id));
    }
    expect(done).toMatchObject({
      status: 'completed',
      counts: { total: 3, created: 2, updated: 0, skipped: 0, failed: 1 },
    });
    const listed = ok(await resend.contacts.imports.list());
    expect(listed.data.find((item) => item.id === id)).toMatchObject({ status: 'completed' });
    expect(ok(await resend.contacts.get({ email: first })).first_name).toBe('Imogen');
    const members = ok(await resend.contacts.list({ segmentId: segment }));
    expect(members.data.map((contact) => contact.email).sort()).toEqual([first, second].sort());
  });
});

describe("Resend's natural-language scheduledAt", () => {
  const base = { from: `hello@${domain}`, to: 'later@example.com', text: 'later' };

  it('"in 1 min" schedules the email about a minute ahead', async () => {
    const before = Date.now();
    const { id } = ok(await resend.emails.send({ ...base, subject: 'in a minute', scheduledAt: 'in 1 min' }));
    const email = ok(await resend.emails.get(id));
    expect(email.last_event).toBe('scheduled');
    const at = Date.parse(email.scheduled_at as string);
    expect(at).toBeGreaterThanOrEqual(before + 60_000 - 1000);
    expect(at).toBeLessThanOrEqual(Date.now() + 60_000 + 1000);
    ok(await resend.emails.cancel(id));
  });

  it('takes other documented forms on reschedule, batch and broadcasts, and refuses nonsense with 422', async () => {
    const { id } = ok(await resend.emails.send({ ...base, subject: 'moved', scheduledAt: 'in 1 hour' }));
    ok(await resend.emails.update({ id, scheduledAt: 'tomorrow at 9am ET' }));
    const moved = ok(await resend.emails.get(id));
    // 9 am in New York is 13:00 or 14:00 UTC, by daylight saving.
    expect(new Date(moved.scheduled_at as string).getUTCHours()).toBeGreaterThanOrEqual(13);
    expect(new Date(moved.scheduled_at as string).getUTCHours()).toBeLessThanOrEqual(14);
    ok(await resend.emails.cancel(id));

    const batch = ok(await resend.batch.send([{ ...base, subject: 'batched', scheduledAt: 'in 2 hours' }]));
    const batched = ok(await resend.emails.get(batch.data[0]?.id as string));
    expect(Date.parse(batched.scheduled_at as string) - Date.now()).toBeGreaterThan(7_000_000);
    ok(await resend.emails.cancel(batch.data[0]?.id as string));

    const segment = ok(await resend.segments.create({ name: unique('Later') })).id;
    ok(
      await resend.contacts.create({ email: `${unique('later')}@example.com`, segments: [{ id: segment }] }),
    );
    const broadcast = ok(
      await resend.broadcasts.create({ segmentId: segment, from: base.from, subject: 'Later', text: 'x' }),
    );
    ok(await resend.broadcasts.send(broadcast.id, { scheduledAt: 'in 3 days' }));
    const scheduled = ok(await resend.broadcasts.get(broadcast.id));
    expect(Date.parse(scheduled.scheduled_at as string) - Date.now()).toBeGreaterThan(
      3 * 86_400_000 - 60_000,
    );
    ok(await resend.broadcasts.cancel(broadcast.id));

    const { error } = await resend.emails.send({ ...base, subject: 'never', scheduledAt: 'when pigs fly' });
    expect(error).toMatchObject({ statusCode: 422 });
    expect(error?.message).toContain('"when pigs fly" is not a date');
    expect(error?.message).toContain('"in 1 min"');
  });
});
