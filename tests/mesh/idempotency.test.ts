import { describe, expect, it } from 'vitest';
import { errorOf, mesh } from './client';
import { postEmail, recordsFor, resendWith, waitForEvent } from './mail';

const { sender } = mesh;
const email = (subject: string) => ({
  from: `hello@${sender.domain}`,
  to: 'idem@example.com',
  subject,
  text: 'x',
});

describe('Idempotency-Key', () => {
  it('replays the first response for the same key and body, and sends once', async () => {
    const resend = resendWith(sender.sending.token);
    const key = `order-${crypto.randomUUID()}`;
    const first = await resend.emails.send(email('once'), { idempotencyKey: key });
    const second = await resend.emails.send(email('once'), { idempotencyKey: key });
    expect(first.error).toBeNull();
    expect(second.data?.id).toBe(first.data?.id);
    await waitForEvent(sender.full.token, first.data?.id as string, 'sent');
    expect(await recordsFor(first.data?.id as string)).toHaveLength(1);
  });

  it('refuses the same key with another body: 409 invalid_idempotent_request', async () => {
    const key = `order-${crypto.randomUUID()}`;
    expect((await postEmail(sender.sending.token, email('a'), { 'idempotency-key': key })).status).toBe(200);
    const reused = await postEmail(sender.sending.token, email('b'), { 'idempotency-key': key });
    expect(reused.status).toBe(409);
    expect(await errorOf(reused)).toMatchObject({ name: 'invalid_idempotent_request' });
  });

  it('refuses a key whose first request is still running: 409 concurrent_idempotent_requests', async () => {
    const response = await fetch(`${mesh.url}/api/emails`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${sender.sending.token}`,
        'content-type': 'application/json',
        'idempotency-key': sender.inFlight.key,
      },
      body: sender.inFlight.body,
    });
    expect(response.status).toBe(409);
    expect(await errorOf(response)).toMatchObject({ name: 'concurrent_idempotent_requests' });
  });

  it('refuses a key over 256 characters: 400 invalid_idempotency_key', async () => {
    const response = await postEmail(sender.sending.token, email('long key'), {
      'idempotency-key': 'k'.repeat(257),
    });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ name: 'invalid_idempotency_key' });
  });

  it('keeps keys per tenant: another tenant may use the same key', async () => {
    const key = `shared-${crypto.randomUUID()}`;
    const mine = await postEmail(sender.sending.token, email('mine'), { 'idempotency-key': key });
    expect(mine.status).toBe(200);
    // The main tenant has no verified sending domain of the sender's, so it fails validation, not idempotency.
    const theirs = await postEmail(
      mesh.main.sending.token,
      { ...email('theirs'), from: 'hello@main.mesh.test' },
      { 'idempotency-key': key },
    );
    expect(theirs.status).toBe(200);
  });
});
