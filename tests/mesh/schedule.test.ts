import { query } from '@mailgrid/stack';
import { describe, expect, it } from 'vitest';
import { mesh } from './client';
import { delivered, recordsFor, resendWith, waitForEvent } from './mail';

const { sender } = mesh;
const resend = resendWith(sender.full.token);
const base = { from: `hello@${sender.domain}`, to: 'later@example.com', text: 'x' };
const secondsFromNow = (s: number) => new Date(Date.now() + s * 1000).toISOString();

describe('scheduled emails', () => {
  it('fires on time with nobody poking an endpoint', async () => {
    const at = secondsFromNow(4);
    const { data, error } = await resend.emails.send({ ...base, subject: 'on time', scheduledAt: at });
    expect(error).toBeNull();
    const id = data?.id as string;
    const { data: pending } = await resend.emails.get(id);
    expect(pending).toMatchObject({ last_event: 'scheduled', scheduled_at: at });
    await delivered(id, 30_000);
    await waitForEvent(sender.full.token, id, 'sent');
    // When it went to SES, as recorded: not before its time (a second's clock skew allowed).
    const [row] = await query<{ sent_at: string }>(mesh.persistDir, {
      sql: 'SELECT sent_at FROM emails WHERE id = ?',
      params: [id],
    });
    expect(Date.parse(row?.sent_at ?? '')).toBeGreaterThanOrEqual(Date.parse(at) - 1000);
  });

  it('accepts natural language ("in 1 hour") and can be moved earlier', async () => {
    const { data } = await resend.emails.send({ ...base, subject: 'moved', scheduledAt: 'in 1 hour' });
    const id = data?.id as string;
    const { data: scheduled } = await resend.emails.get(id);
    expect(Date.parse(scheduled?.scheduled_at as string) - Date.now()).toBeGreaterThan(3_500_000);
    const moved = await resend.emails.update({ id, scheduledAt: secondsFromNow(3) });
    expect(moved.error).toBeNull();
    await delivered(id, 30_000);
  });

  it('never delivers a canceled email', async () => {
    const { data } = await resend.emails.send({
      ...base,
      subject: 'canceled',
      scheduledAt: secondsFromNow(3),
    });
    const id = data?.id as string;
    const canceled = await resend.emails.cancel(id);
    expect(canceled.error).toBeNull();
    await waitForEvent(sender.full.token, id, 'canceled');
    await new Promise((resolve) => setTimeout(resolve, 6000));
    expect(await recordsFor(id)).toHaveLength(0);
    const again = await resend.emails.cancel(id);
    expect(again.error).toMatchObject({ statusCode: 422 });
  });
});
