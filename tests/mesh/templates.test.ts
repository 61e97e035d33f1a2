// Templates through the resend SDK, then emails sent with them: variables, fallbacks, escaping, and
// the 422 that names a missing variable instead of sending half an email.
import { describe, expect, it } from 'vitest';
import { errorOf, mesh } from './client';
import { delivered, postEmail, resendWith, sesRecords } from './mail';

const { sender } = mesh;
const resend = resendWith(sender.full.token);

async function publishedTemplate() {
  const alias = `welcome-${crypto.randomUUID().slice(0, 8)}`;
  const created = await resend.templates.create({
    name: 'Welcome',
    alias,
    subject: 'Welcome, {{{NAME}}}!',
    html: '<p>Hi {{NAME}}, your plan is <b>{{{PLAN}}}</b>. Seats: {{SEATS}}</p>',
    text: 'Hi {{{NAME}}}, plan {{{PLAN}}}, seats {{{SEATS}}}',
    variables: [
      { key: 'NAME', type: 'string' },
      { key: 'PLAN', type: 'string', fallbackValue: 'Free' },
      { key: 'SEATS', type: 'number', fallbackValue: 1 },
    ],
  });
  expect(created.error).toBeNull();
  const id = created.data?.id as string;
  expect((await resend.templates.publish(id)).error).toBeNull();
  return { id, alias };
}

describe('sending with a template', () => {
  it('renders subject, html and text with the variables and the fallbacks', async () => {
    const { id } = await publishedTemplate();
    const { data, error } = await resend.emails.send({
      from: `hello@${sender.domain}`,
      to: 'templated@example.com',
      template: { id, variables: { NAME: 'Zoë <admin>', SEATS: 5 } },
    } as Parameters<typeof resend.emails.send>[0]);
    expect(error).toBeNull();
    const { mail } = await delivered(data?.id as string);
    expect(mail.subject).toBe('Welcome, Zoë <admin>!');
    // {{NAME}} in html is escaped; the fallback fills PLAN.
    expect(mail.html).toContain('Hi Zoë &lt;admin&gt;, your plan is <b>Free</b>. Seats: 5');
    expect(mail.text?.trim()).toBe('Hi Zoë <admin>, plan Free, seats 5');
  });

  it('is addressed by alias too, and sends the published version only', async () => {
    const { id, alias } = await publishedTemplate();
    expect((await resend.templates.update(id, { subject: 'Draft subject {{{NAME}}}' })).error).toBeNull();
    const { data } = await resend.emails.send({
      from: `hello@${sender.domain}`,
      to: 'alias@example.com',
      template: { id: alias, variables: { NAME: 'Ada' } },
    } as Parameters<typeof resend.emails.send>[0]);
    const { mail } = await delivered(data?.id as string);
    expect(mail.subject).toBe('Welcome, Ada!');
  });

  it('refuses with 422 naming the variable that has no value and no fallback, and sends nothing', async () => {
    const { id } = await publishedTemplate();
    const before = (await sesRecords()).records.length;
    const response = await postEmail(sender.sending.token, {
      from: `hello@${sender.domain}`,
      to: 'missing@example.com',
      template: { id, variables: { PLAN: 'Pro' } },
    });
    expect(response.status).toBe(422);
    expect((await errorOf(response)).message).toContain('NAME');
    expect((await sesRecords()).records.length).toBe(before);
  });

  it('refuses a variable of the wrong type and an unknown variable', async () => {
    const { id } = await publishedTemplate();
    for (const variables of [
      { NAME: 'x', SEATS: 'many' },
      { NAME: 'x', COLOUR: 'red' },
    ]) {
      const response = await postEmail(sender.sending.token, {
        from: `hello@${sender.domain}`,
        to: 'typed@example.com',
        template: { id, variables },
      });
      expect(response.status).toBe(422);
      expect((await errorOf(response)).message).toMatch(/SEATS|COLOUR/);
    }
  });
});
