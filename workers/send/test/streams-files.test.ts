// Streams and uploaded files at accept and at send: an email must name one of the tenant's streams;
// the consumer sends with the stream's own SES configuration set, else the var's; an attachment given
// by `file_id` is copied into the email's stored body at accept, so it still goes out after the file
// is deleted; another tenant's or an unknown file is refused naming the field; executables never go.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  accept,
  addStream,
  consume,
  countRows,
  decode,
  emailFrom,
  failure,
  messageFor,
  newTenant,
  send,
  sesStub,
  storedBody,
  type Tenant,
  testEnv,
  value,
} from './helpers';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Stores a file as POST /api/files would: bytes in FILES, the row in D1. */
async function addFile(tenant: Tenant, filename: string, bytes: Uint8Array, contentType = 'application/pdf') {
  const id = crypto.randomUUID();
  const key = `files/${tenant.tenantId}/${id}`;
  await testEnv.FILES.put(key, bytes);
  await testEnv.DB.prepare(
    'INSERT INTO files (tenant_id, id, filename, content_type, size, sha256, r2_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  )
    .bind(
      tenant.tenantId,
      id,
      filename,
      contentType,
      bytes.byteLength,
      '0'.repeat(64),
      key,
      new Date().toISOString(),
    )
    .run();
  return { id, key };
}

async function deleteFile(tenant: Tenant, file: { id: string; key: string }) {
  await testEnv.DB.prepare('DELETE FROM files WHERE tenant_id = ? AND id = ?')
    .bind(tenant.tenantId, file.id)
    .run();
  await testEnv.FILES.delete(file.key);
}

const pdf = new TextEncoder().encode('%PDF-1.4 the quarterly report');

describe('streams at accept', () => {
  it('refuses a stream the tenant does not have, naming the field; nothing is stored', async () => {
    const tenant = await newTenant();
    const error = failure(
      await send.accept(tenant.caller, emailFrom(tenant, { stream: 'newsletter' }), null),
    );
    expect(error.code).toBe('invalid_parameter');
    expect(error.message).toContain('stream');
    expect(error.message).toContain('"newsletter"');
    expect(await countRows(tenant)).toBe(0);
  });

  it("takes the defaults without a stored row, its own streams, and never another tenant's", async () => {
    const tenant = await newTenant();
    const other = await newTenant();
    await addStream(other, 'newsletter', { type: 'broadcast' });
    expect(await accept(tenant, { stream: 'broadcast' })).toBeTruthy();
    expect(
      failure(await send.accept(tenant.caller, emailFrom(tenant, { stream: 'newsletter' }), null)).code,
    ).toBe('invalid_parameter');
    await addStream(tenant, 'newsletter', { type: 'broadcast' });
    expect(await accept(tenant, { stream: 'newsletter' })).toBeTruthy();
  });

  it('refuses an unknown stream per email in a permissive batch', async () => {
    const tenant = await newTenant();
    const result = value(
      await send.acceptBatch(
        tenant.caller,
        [
          { index: 0, email: emailFrom(tenant) },
          { index: 1, email: emailFrom(tenant, { stream: 'nope' }) },
        ],
        [],
        'permissive',
        null,
      ),
    );
    expect(result.data).toHaveLength(1);
    expect(result.errors).toEqual([{ index: 1, message: expect.stringContaining('[1].stream') }]);
  });
});

describe('configuration sets at send', () => {
  it("sends with the stream's own configuration set, else the var's, read when the email goes out", async () => {
    const tenant = await newTenant();
    await addStream(tenant, 'resets', { configuration_set: 'resets-set' });
    const resets = await accept(tenant, { stream: 'resets' });
    const plain = await accept(tenant);
    // Set after the accept: the stream's setting at send time is what counts.
    await addStream(tenant, 'transactional', { configuration_set: 'tx-own-set' });
    const broadcast = await accept(tenant, { stream: 'broadcast' });
    const ses = sesStub();

    await consume([messageFor(tenant, resets), messageFor(tenant, plain), messageFor(tenant, broadcast)], {
      SES_CONFIGURATION_SETS: JSON.stringify({ transactional: 'var-tx', broadcast: 'var-broadcast' }),
    });

    const setOf = (id: string) =>
      ses.requests.find((request) =>
        request.body.EmailTags.some((tag) => tag.Name === 'mailgrid_email_id' && tag.Value === id),
      )?.body.ConfigurationSetName;
    expect(setOf(resets)).toBe('resets-set');
    expect(setOf(plain)).toBe('tx-own-set');
    expect(setOf(broadcast)).toBe('var-broadcast');
  });
});

describe('attachments by file_id', () => {
  it('copies the file into the email at accept: it still goes out after the file is deleted', async () => {
    const tenant = await newTenant();
    const file = await addFile(tenant, 'q3-report.pdf', pdf);
    const id = await accept(tenant, {
      attachments: [
        { file_id: file.id },
        { file_id: file.id, filename: 'copy.pdf', content_type: 'application/x-pdf' },
      ],
    });
    const stored = await storedBody<{
      attachments: { filename: string; content_type: string; content: string }[];
    }>(tenant, id);
    expect(stored?.attachments).toEqual([
      {
        filename: 'q3-report.pdf',
        content_type: 'application/pdf',
        content_id: null,
        content: btoa(decode(pdf)),
      },
      {
        filename: 'copy.pdf',
        content_type: 'application/x-pdf',
        content_id: null,
        content: btoa(decode(pdf)),
      },
    ]);

    await deleteFile(tenant, file);
    const ses = sesStub();
    await consume([messageFor(tenant, id)]);
    const eml = decode(ses.requests[0]?.raw ?? new Uint8Array());
    expect(eml).toContain('filename="q3-report.pdf"');
    expect(eml).toContain('filename="copy.pdf"');
    expect(eml.replace(/\r\n/g, '')).toContain(btoa(decode(pdf)));
  });

  it("refuses an unknown file and another tenant's file, naming attachments[i].file_id", async () => {
    const tenant = await newTenant();
    const other = await newTenant();
    const theirs = await addFile(other, 'theirs.pdf', pdf);
    for (const fileId of [theirs.id, crypto.randomUUID()]) {
      const error = failure(
        await send.accept(
          tenant.caller,
          emailFrom(tenant, {
            attachments: [{ filename: 'a.txt', content: btoa('a') }, { file_id: fileId }],
          }),
          null,
        ),
      );
      expect(error.code).toBe('invalid_attachment');
      expect(error.message).toContain('attachments[1].file_id');
    }
    expect(await countRows(tenant)).toBe(0);
  });

  it('refuses a file_id given with content or path', async () => {
    const tenant = await newTenant();
    const file = await addFile(tenant, 'a.pdf', pdf);
    const error = failure(
      await send.accept(
        tenant.caller,
        emailFrom(tenant, { attachments: [{ file_id: file.id, content: btoa('x') }] }),
        null,
      ),
    );
    expect(error).toMatchObject({
      code: 'invalid_attachment',
      message: expect.stringContaining('one of content, path or file_id'),
    });
  });
});

describe('refused attachment types', () => {
  it.each([
    ['a refused extension', { filename: 'setup.EXE', content: btoa('hello') }, '.exe'],
    [
      'a Windows program under another name',
      { filename: 'invoice.pdf', content: btoa('MZ\x90\x00\x03') },
      'executable',
    ],
  ])('refuses %s sent inline', async (_, attachment, words) => {
    const tenant = await newTenant();
    const error = failure(
      await send.accept(tenant.caller, emailFrom(tenant, { attachments: [attachment] }), null),
    );
    expect(error.code).toBe('invalid_attachment');
    expect(error.message).toContain('attachments[0]');
    expect(error.message).toContain(words);
    expect(await countRows(tenant)).toBe(0);
  });
});
