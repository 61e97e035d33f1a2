// With SES answering 429, 500 or nothing to a share of calls, every accepted email is still
// delivered, exactly once.
import { afterAll, describe, expect, it } from 'vitest';
import { mesh } from './client';
import { emailIdOf, postEmail, sesRecords, waitForEvent } from './mail';

const { sender } = mesh;
const setFaults = (faults: object) =>
  fetch(`${mesh.sesProxyUrl}/__faults`, { method: 'POST', body: JSON.stringify(faults) });

afterAll(async () => {
  await setFaults({});
});

describe('SES faults', () => {
  it('delivers every accepted email exactly once through throttling, errors and timeouts', async () => {
    // 30 % of calls fail: the odds of one email failing all 8 attempts stay far below one in a thousand.
    await setFaults({ throttle: 0.15, error: 0.1, hang: 0.05 });
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
    // The faults really happened.
    expect(counts.throttled + counts.errored + counts.hung).toBeGreaterThan(0);
  }, 150_000);
});
