// Delivery feedback end to end, with notifications made here: signed SNS notifications of SES events
// → gateway → events queue → events worker → the email's last_event, its events, and the suppression
// list the next send obeys. (The local SES publishes its own Send and Delivery events for every
// message as well; ses-loop.test.ts follows those. Here: redelivery, ordering, forgery.)
import { describe, expect, it } from 'vitest';
import { api, errorOf, mesh } from './client';
import { delivered, postEmail, recordsFor, waitForEvent } from './mail';
import { delivery, permanentBounce, postSns, type SentEmail, snsNotification } from './sns';

const { sender } = mesh;

async function sendOne(to: string): Promise<SentEmail> {
  const response = await postEmail(sender.sending.token, {
    from: `hello@${sender.domain}`,
    to,
    subject: 'feedback',
    text: 'x',
  });
  const { id } = (await response.json()) as { id: string };
  const { record } = await delivered(id);
  await waitForEvent(sender.full.token, id, 'sent');
  return { id, tenantId: sender.tenantId, sesMessageId: record.message_id, to };
}

async function eventsOf(id: string) {
  const response = await api(`/api/emails/${id}/events`, { key: sender.full.token });
  return (
    (await response.json()) as { data: { type: string; recipient: string | null; occurred_at: string }[] }
  ).data;
}

describe('SES feedback through SNS', () => {
  it('records a delivery once however often SNS delivers the notification', async () => {
    const email = await sendOne(`delivered-${crypto.randomUUID().slice(0, 8)}@example.com`);
    // Dated apart from the local SES's own Delivery event, which is another event.
    const at = new Date(Date.now() - 60_000);
    const notification = snsNotification(delivery(email, at));
    for (let i = 0; i < 3; i++) expect((await postSns(notification)).status).toBe(200);
    await waitForEvent(sender.full.token, email.id, 'delivered');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const delivers = (await eventsOf(email.id)).filter(
      (event) => event.type === 'email.delivered' && event.occurred_at === at.toISOString(),
    );
    expect(delivers).toEqual([expect.objectContaining({ recipient: email.to })]);
  });

  it('keeps bounced after a late delivery, and suppresses the address for the next send', async () => {
    const email = await sendOne(`bounce-${crypto.randomUUID().slice(0, 8)}@example.com`);
    const bouncedAt = new Date();
    expect((await postSns(snsNotification(permanentBounce(email, bouncedAt)))).status).toBe(200);
    await waitForEvent(sender.full.token, email.id, 'bounced');
    // A Delivery that arrives after the Bounce (SNS does not promise order) never undoes it.
    expect(
      (await postSns(snsNotification(delivery(email, new Date(bouncedAt.getTime() - 1000))))).status,
    ).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await waitForEvent(sender.full.token, email.id, 'bounced');

    const listed = await api('/api/suppressions', { key: sender.full.token });
    expect(JSON.stringify(await listed.json())).toContain(email.to);
    const next = await postEmail(sender.sending.token, {
      from: `hello@${sender.domain}`,
      to: email.to,
      subject: 'again',
      text: 'x',
    });
    const { id } = (await next.json()) as { id: string };
    await waitForEvent(sender.full.token, id, 'suppressed');
    expect(await recordsFor(id)).toHaveLength(0);
  });

  it('refuses a forged or tampered notification with 403 and records nothing', async () => {
    const email = await sendOne(`forged-${crypto.randomUUID().slice(0, 8)}@example.com`);
    const tampered = snsNotification(delivery(email), (fields) => {
      fields.Message = JSON.stringify(permanentBounce(email));
    });
    const response = await postSns(tampered);
    expect(response.status).toBe(403);
    expect(await errorOf(response)).toMatchObject({ name: 'invalid_signature' });
    const otherTopic = snsNotification(delivery(email), (fields) => {
      fields.TopicArn = 'arn:aws:sns:us-east-1:000000000000:someone-else';
    });
    expect((await postSns(otherTopic)).status).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Only what the local SES itself published (Send, Delivery): nothing from the forgeries.
    await waitForEvent(sender.full.token, email.id, 'delivered');
    const types = (await eventsOf(email.id)).map((event) => event.type);
    expect(types).not.toContain('email.bounced');
    expect(types.filter((type) => type === 'email.delivered')).toHaveLength(1);
    const listed = await api('/api/suppressions', { key: sender.full.token });
    expect(JSON.stringify(await listed.json())).not.toContain(email.to);
  });
});
