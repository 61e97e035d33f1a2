// MessagingService's file methods over real RPC, against the local D1 and R2: an upload stores the bytes
// in FILES and the metadata (size, SHA-256, type) in D1 with an audit entry; refused uploads (empty,
// too large, executables) store nothing; list pages newest first; delete removes both; one tenant
// never reaches another's files.
import { type Caller, FILE_MAX_BYTES, type FileUpload } from '@mailgrid/contracts';
import { beforeEach, describe, expect, it } from 'vitest';
import { failure, messaging, realEnv, twoTenants, value } from './helpers';

let acme: Caller;
let globex: Caller;

beforeEach(async () => {
  ({ acme, globex } = await twoTenants());
});

async function auditActions(caller: Caller, target: string): Promise<string[]> {
  const { results } = await realEnv.DB.prepare(
    'SELECT action FROM audit_log WHERE tenant_id = ? AND target_id = ? ORDER BY created_at, action',
  )
    .bind(caller.tenant_id, target)
    .all<{ action: string }>();
  return results.map((row) => row.action);
}

async function storedKeys(caller: Caller): Promise<string[]> {
  return (await realEnv.FILES.list({ prefix: `files/${caller.tenant_id}/` })).objects.map((o) => o.key);
}

const pdf = new TextEncoder().encode('%PDF-1.4 invoice 42');
const upload = (overrides: Partial<FileUpload> = {}): FileUpload => ({
  filename: 'invoice-42.pdf',
  content_type: null,
  content: pdf,
  ...overrides,
});

describe('uploadFile', () => {
  it('stores the bytes in R2 and answers the metadata, with an audit entry', async () => {
    const file = value(await messaging.uploadFile(acme, upload()));
    expect(file).toEqual({
      object: 'file',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      filename: 'invoice-42.pdf',
      // Guessed from the extension when not given.
      content_type: 'application/pdf',
      size: pdf.byteLength,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      created_at: expect.any(String),
    });
    const digest = await crypto.subtle.digest('SHA-256', pdf);
    expect(file.sha256).toBe(
      [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join(''),
    );
    const object = await realEnv.FILES.get(`files/${acme.tenant_id}/${file.id}`);
    expect(new Uint8Array((await object?.arrayBuffer()) ?? new ArrayBuffer(0))).toEqual(pdf);
    expect(await auditActions(acme, file.id)).toEqual(['file.created']);
  });

  it('keeps the content type it was given', async () => {
    const file = value(
      await messaging.uploadFile(acme, upload({ filename: 'data', content_type: 'text/csv' })),
    );
    expect(file.content_type).toBe('text/csv');
  });

  it.each([
    ['an empty file', upload({ content: new Uint8Array() }), 'invalid_attachment', 'empty'],
    ['a refused extension', upload({ filename: 'setup.exe' }), 'invalid_attachment', '.exe'],
    ['a script', upload({ filename: 'run.BAT' }), 'invalid_attachment', '.bat'],
    [
      'a Windows program under another name',
      upload({ filename: 'report.pdf', content: new Uint8Array([0x4d, 0x5a, 0x90, 0, 3]) }),
      'invalid_attachment',
      'executable',
    ],
    [
      'an ELF program',
      upload({ filename: 'tool', content: new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1]) }),
      'invalid_attachment',
      'executable',
    ],
    [
      'a file over the limit',
      upload({ content: new Uint8Array(FILE_MAX_BYTES + 1) }),
      'payload_too_large',
      '30 MB',
    ],
  ])('refuses %s and stores nothing', async (_, input, code, words) => {
    const error = failure(await messaging.uploadFile(acme, input));
    expect(error.code).toBe(code);
    expect(error.message).toContain(words);
    expect(await storedKeys(acme)).toEqual([]);
    expect(value(await messaging.listFiles(acme, { limit: 20 })).data).toEqual([]);
  });
});

describe('list, get, delete', () => {
  it('lists the tenant own files newest first, with cursors', async () => {
    const first = value(await messaging.uploadFile(acme, upload({ filename: 'a.txt' })));
    const second = value(await messaging.uploadFile(acme, upload({ filename: 'b.txt' })));
    const third = value(await messaging.uploadFile(acme, upload({ filename: 'c.txt' })));
    value(await messaging.uploadFile(globex, upload()));
    const all = value(await messaging.listFiles(acme, { limit: 20 }));
    expect(all.has_more).toBe(false);
    expect(new Set(all.data.map((file) => file.id))).toEqual(new Set([first.id, second.id, third.id]));
    const page = value(await messaging.listFiles(acme, { limit: 2 }));
    expect(page.has_more).toBe(true);
    expect(page.data).toHaveLength(2);
    const rest = value(await messaging.listFiles(acme, { limit: 2, after: page.data[1]?.id }));
    expect(rest).toMatchObject({ has_more: false });
    expect([...page.data, ...rest.data].map((file) => file.id).sort()).toEqual(
      [first.id, second.id, third.id].sort(),
    );
    expect(failure(await messaging.listFiles(acme, { limit: 2, after: crypto.randomUUID() })).code).toBe(
      'invalid_parameter',
    );
  });

  it('reads one file and deletes it: the row and the bytes go, audited', async () => {
    const file = value(await messaging.uploadFile(acme, upload()));
    expect(value(await messaging.getFile(acme, file.id))).toEqual(file);
    expect(value(await messaging.deleteFile(acme, file.id))).toEqual({
      object: 'file',
      id: file.id,
      deleted: true,
    });
    expect(failure(await messaging.getFile(acme, file.id)).code).toBe('not_found');
    expect(await storedKeys(acme)).toEqual([]);
    expect(await auditActions(acme, file.id)).toEqual(['file.created', 'file.deleted']);
  });

  it("never reads or deletes another tenant's file", async () => {
    const file = value(await messaging.uploadFile(acme, upload()));
    expect(failure(await messaging.getFile(globex, file.id)).code).toBe('not_found');
    expect(failure(await messaging.deleteFile(globex, file.id)).code).toBe('not_found');
    expect(value(await messaging.listFiles(globex, { limit: 20 })).data).toEqual([]);
    expect(value(await messaging.getFile(acme, file.id)).id).toBe(file.id);
    expect(await storedKeys(acme)).toHaveLength(1);
    expect(await auditActions(globex, file.id)).toEqual([]);
  });
});
