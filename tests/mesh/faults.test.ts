// With SES answering 429, 500 or nothing to a share of calls, every accepted email — and every
// recipient of a broadcast sent meanwhile — is still delivered, exactly once, and nothing is stuck.
import { afterAll, describe, expect, it } from 'vitest';
import { api, mesh } from './client';
import { emailIdOf, postEmail, resendWith, sesRecords, waitForEvent } from './mail';

const { sender, broadcaster } = mesh;
const audience = resendWith(broadcaster.full.token);

/** A sent broadcast to `count` new contacts; answers its id. */
async function startBroadcast(count: number): Promise<string> {
  const segment = (await audience.segments.create({ name: 'faults' })).data?.id as string;
  const run = crypto.randomUUID().slice(0, 8);
  for (let n = 0; n < count; n++) {
    const contact = await audience.contacts.create({
      email: `crowd${n}@${run}.faults.example.com`,
      segments: [{ id: segment }],
    });
    expect(contact.error).toBeNull();
  }
  const created = await audience.broadcasts.create({
    segmentId: segment,
    from: 'News <news@broadcaster.mesh.test>',
    subject: 'Through the faults',
    text: 'x',
    send: true,
  });
  expect(created.error).toBeNull();
  return created.data?.id as string;
}

async function broadcastStatus(id: string): Promise<string> {
  const response = await api(`/api/broadcasts/${id}`, { key: broadcaster.full.token });
  return ((await response.json()) as { status: string }).status;
}
const setFaults = (faults: object) =>
  fetch(`${mesh.sesProxyUrl}/__faults`, { method: 'POST', body: JSON.stringify(faults) });

afterAll(async () => {
  await setFaults({});
});

describe('SES faults', () => {
  it('delivers every accepted email exactly once through throttling, errors and timeouts', async () => {
    // 30 % of calls fail: the odds of one email failing all 8 attempts stay far below one in a thousand.
    await setFaults({ throttle: 0.15, error: 0.1, hang: 0.05 });
    const broadcast = await startBroadcast(24);
    const ids: string[] = [];
    for (let n = 0; n < 24; n++) {
      const response = await postEmail(sender.sending.token, {
        from: `hello@${sender.domain}`,
        to: `fault${n}@example.com`,
        subject: `fault ${n}`,
        text: 'x',
      });
      expect(response.status).toBe(200);
      ids.push(((await response.json()) as { id: string }).id);
    }
    for (const id of ids) await waitForEvent(sender.full.token, id, 'sent', 90_000);
    const { records, counts } = await sesRecords();
    for (const id of ids) expect(records.filter((record) => emailIdOf(record) === id)).toHaveLength(1);
    // The broadcast finishes (nothing stuck), each recipient given to SES once.
    const deadline = Date.now() + 90_000;
    while ((await broadcastStatus(broadcast)) !== 'sent' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(await broadcastStatus(broadcast)).toBe('sent');
    const page = await audience.broadcasts.recipients(broadcast, { type: 'sent', limit: 100 });
    const rows = page.data?.data ?? [];
    expect(rows).toHaveLength(24);
    const after = (await sesRecords()).records;
    for (const row of rows) expect(after.filter((record) => emailIdOf(record) === row.id)).toHaveLength(1);
    // The faults really happened.
    expect(counts.throttled + counts.errored + counts.hung).toBeGreaterThan(0);
  }, 150_000);
});
