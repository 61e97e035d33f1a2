// CSV import of contacts through the real mesh: a 100,000-row file with deliberate bad rows is
// uploaded, processed in chunks by the admin worker's imports queue, and reported exactly; importing
// the same file again changes nothing. Permissions and tenant isolation as a user meets them.
import type {
  ContactImportError,
  ContactImportErrorList,
  ContactImportObject,
} from '@mailgrid/contracts/imports';
import { query } from '@mailgrid/stack';
import { describe, expect, it } from 'vitest';
import { api, errorOf, mesh } from './client';

const ROWS = 100_000;
const { importer, other } = mesh;

/** Row n is file row n + 2 (the header is row 1). Bad rows are spread over the whole file. */
function bigCsv(): { csv: string; expected: Record<string, number[]> } {
  const expected: Record<string, number[]> = {
    invalid_email: [],
    unknown_property: [],
    invalid_property_type: [],
    duplicate_email: [],
  };
  const lines = ['email,first_name,last_name,unsubscribed,plan,age,favourite_color'];
  for (let n = 0; n < ROWS; n++) {
    const plan = ['free', 'pro', 'team'][n % 3];
    const unsubscribed = n % 50 === 0 ? 'true' : '';
    let email = `person${n}@example.com`;
    let age = String(n % 90);
    let color = '';
    if (n % 200 === 7) {
      email = `person${n}.example.com`; // 500 addresses without an @
      expected.invalid_email?.push(n + 2);
    } else if (n % 500 === 13) {
      color = 'teal'; // 200 values in a column that is no declared property
      expected.unknown_property?.push(n + 2);
    } else if (n % 1000 === 21) {
      age = 'old'; // 100 non-numbers for the number property
      expected.invalid_property_type?.push(n + 2);
    } else if (n % 1000 === 33) {
      email = `PERSON${n - 1}@example.com`; // 100 repeats of the row before, in another case
      expected.duplicate_email?.push(n + 2);
    }
    lines.push(`${email},First ${n},"Last, ${n}",${unsubscribed},${plan},${age},${color}`);
  }
  return { csv: `${lines.join('\n')}\n`, expected };
}

async function upload(csv: string, key = importer.full.token, search = `?segment_id=${importer.segmentId}`) {
  return api(`/api/contacts/imports${search}`, {
    method: 'POST',
    key,
    headers: { 'content-type': 'text/csv' },
    body: csv,
  });
}

async function waitForCompletion(id: string): Promise<ContactImportObject> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    const response = await api(`/api/contacts/imports/${id}`, { key: importer.full.token });
    expect(response.status).toBe(200);
    const body = (await response.json()) as ContactImportObject;
    if (body.status === 'completed' || body.status === 'failed') return body;
    if (Date.now() > deadline) throw new Error(`import ${id} still ${body.status}: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function allErrors(id: string): Promise<ContactImportError[]> {
  const errors: ContactImportError[] = [];
  let after = 0;
  for (;;) {
    const response = await api(`/api/contacts/imports/${id}/errors?limit=1000&after=${after}`, {
      key: importer.full.token,
    });
    expect(response.status).toBe(200);
    const page = (await response.json()) as ContactImportErrorList;
    errors.push(...page.data);
    if (!page.has_more) return errors;
    after = page.data.at(-1)?.row ?? after;
  }
}

async function count(sql: string): Promise<number> {
  const [row] = await query<{ n: number }>(mesh.persistDir, { sql, params: [importer.tenantId] });
  return row?.n ?? 0;
}

describe('CSV import of contacts', { timeout: 300_000 }, () => {
  it('imports 100,000 rows with exact counts and a per-row error report, and a re-import changes nothing', async () => {
    const { csv, expected } = bigCsv();
    const failed = Object.values(expected).reduce((total, rows) => total + rows.length, 0);
    expect(failed).toBe(900);

    const created = await upload(csv);
    expect(created.status).toBe(202);
    const { id, ...rest } = (await created.json()) as { id: string; object: string; status: string };
    expect(rest).toEqual({ object: 'contact_import', status: 'queued' });

    const done = await waitForCompletion(id);
    expect(done).toMatchObject({
      status: 'completed',
      total_rows: ROWS,
      processed: ROWS,
      created: ROWS - failed,
      updated: 0,
      unchanged: 0,
      failed,
      unknown_columns: ['favourite_color'],
      segment_id: importer.segmentId,
    });
    expect(done.started_at).not.toBeNull();
    expect(done.completed_at).not.toBeNull();

    const errors = await allErrors(id);
    expect(errors).toHaveLength(failed);
    for (const [reason, rows] of Object.entries(expected)) {
      expect(errors.filter((error) => error.reason === reason).map((error) => error.row)).toEqual(rows);
    }
    expect(errors.find((error) => error.row === 9)).toEqual({
      row: 9,
      email: 'person7.example.com',
      reason: 'invalid_email',
      message: '"person7.example.com" is not an email address',
    });
    expect(errors.find((error) => error.row === 35)).toMatchObject({
      email: 'PERSON32@example.com',
      reason: 'duplicate_email',
      message: 'the same address as row 34',
    });

    const contacts = 'SELECT count(*) AS n FROM contacts WHERE tenant_id = ?';
    expect(await count(contacts)).toBe(ROWS - failed);
    expect(await count('SELECT count(*) AS n FROM segment_contacts WHERE tenant_id = ?')).toBe(ROWS - failed);

    // The same file again: every valid row is already there as given.
    const again = await upload(csv);
    expect(again.status).toBe(202);
    const second = await waitForCompletion(((await again.json()) as { id: string }).id);
    expect(second).toMatchObject({
      status: 'completed',
      created: 0,
      updated: 0,
      unchanged: ROWS - failed,
      failed,
    });
    expect(await count(contacts)).toBe(ROWS - failed);

    // Both imports are listed, newest first.
    const list = await api('/api/contacts/imports', { key: importer.full.token });
    const listed = (await list.json()) as { object: string; data: { id: string }[] };
    expect(listed.data.map((entry) => entry.id)).toEqual([second.id, id]);

    // Another tenant sees no such import.
    for (const path of [`/api/contacts/imports/${id}`, `/api/contacts/imports/${id}/errors`]) {
      const response = await api(path, { key: other.full.token });
      expect(response.status).toBe(404);
      expect(await errorOf(response)).toMatchObject({ name: 'not_found' });
    }
  });

  it('refuses a sending_access key and a body that is not a CSV of contacts', async () => {
    const sending = await upload('email\na@example.com\n', importer.sending.token);
    expect(sending.status).toBe(403);
    expect(await errorOf(sending)).toMatchObject({ name: 'restricted_api_key' });

    const json = await api('/api/contacts/imports', {
      method: 'POST',
      key: importer.full.token,
      headers: { 'content-type': 'application/json' },
      body: '{"email":"a@example.com"}',
    });
    expect(json.status).toBe(415);
    expect((await errorOf(json)).message).toContain('text/csv');

    const noEmail = await upload('name,phone\nAda,123\n');
    expect(noEmail.status).toBe(422);
    expect((await errorOf(noEmail)).message).toContain('"email" column');

    const empty = await upload('');
    expect(empty.status).toBe(422);
    expect((await errorOf(empty)).message).toContain('empty');

    const noSegment = await upload('email\na@example.com\n', importer.full.token, '?segment_id=nope');
    expect(noSegment.status).toBe(422);
    expect((await errorOf(noSegment)).message).toContain('segment_id');
  });
});
