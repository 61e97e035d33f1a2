// The gateway's side of the Files and Streams APIs: how an upload's bytes, name and type are read
// (raw body with ?filename= or Content-Disposition, or JSON base64), what is refused before admin is
// asked (no name, forms, bad base64, over the cap, ids that name nothing), and full_access only.
// Admin is a stub.
import type { FileObject, FileUpload, MessagingRpc } from '@mailgrid/contracts';
import { seedTenant } from '@mailgrid/testing/fixtures';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { call, postJson, realEnv, recordingAdmin, testEnv, uniqueSlug } from './helpers';

let tenant: Awaited<ReturnType<typeof seedTenant>>;

beforeAll(async () => {
  tenant = await seedTenant(realEnv.DB, { slug: uniqueSlug('gw-files'), domain: 'files.example.test' });
});

const FILE_ID = '7b0e9f8a-1c2d-4e3f-8a9b-0c1d2e3f4a5b';

function fileAdmin() {
  return {
    ...recordingAdmin(),
    uploadFile: vi.fn<MessagingRpc['uploadFile']>(async (_caller, upload) => ({
      ok: true,
      value: {
        object: 'file',
        id: FILE_ID,
        filename: upload.filename,
        content_type: upload.content_type ?? 'application/octet-stream',
        size: upload.content.byteLength,
        sha256: '0'.repeat(64),
        created_at: '2026-09-01T10:00:00.000Z',
      } satisfies FileObject,
    })),
    getFile: vi.fn<MessagingRpc['getFile']>(),
    deleteFile: vi.fn<MessagingRpc['deleteFile']>(),
    getStream: vi.fn<MessagingRpc['getStream']>(),
  };
}

function post(path: string, body: BodyInit, headers: Record<string, string>, admin = fileAdmin()) {
  return call(path, { method: 'POST', key: tenant.fullKey.token, headers, body }, testEnv({ ADMIN: admin }));
}

/** What admin was handed, bytes as text. */
function uploaded(admin: ReturnType<typeof fileAdmin>) {
  const upload = admin.uploadFile.mock.calls[0]?.[1] as FileUpload;
  return { ...upload, content: new TextDecoder().decode(upload.content) };
}

describe('POST /api/files', () => {
  it('takes raw bytes with ?filename= and the Content-Type', async () => {
    const admin = fileAdmin();
    const response = await post(
      '/api/files?filename=q3%20report.pdf',
      '%PDF-1.4',
      { 'content-type': 'application/pdf' },
      admin,
    );
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ object: 'file', id: FILE_ID, filename: 'q3 report.pdf' });
    expect(uploaded(admin)).toEqual({
      filename: 'q3 report.pdf',
      content_type: 'application/pdf',
      content: '%PDF-1.4',
    });
    expect(admin.uploadFile.mock.calls[0]?.[0]).toMatchObject({ tenant_id: tenant.tenantId });
  });

  it.each([
    ['a quoted filename', 'attachment; filename="a \\"b\\".csv"', 'a "b".csv'],
    ['a bare filename', 'inline; filename=data.csv', 'data.csv'],
    [
      'an RFC 5987 filename, which wins',
      `attachment; filename="fallback.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`,
      'résumé.pdf',
    ],
  ])(
    'reads %s from Content-Disposition; octet-stream leaves the type to be guessed',
    async (_, header, name) => {
      const admin = fileAdmin();
      const response = await post(
        '/api/files',
        'x,y',
        { 'content-type': 'application/octet-stream', 'content-disposition': header },
        admin,
      );
      expect(response.status).toBe(201);
      expect(uploaded(admin)).toMatchObject({ filename: name, content_type: null });
    },
  );

  it('takes JSON with base64 content', async () => {
    const admin = fileAdmin();
    const response = await postJson(
      '/api/files',
      tenant.fullKey.token,
      { filename: 'notes.txt', content: btoa('some notes'), content_type: 'Text/Plain' },
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(201);
    expect(uploaded(admin)).toEqual({
      filename: 'notes.txt',
      content_type: 'text/plain',
      content: 'some notes',
    });
  });

  it.each([
    ['no filename', () => post('/api/files', 'x', { 'content-type': 'text/plain' }), 422, 'filename'],
    [
      'a filename with a path',
      () => post('/api/files?filename=..%2Fetc%2Fpasswd', 'x', { 'content-type': 'text/plain' }),
      422,
      'filename',
    ],
    [
      'a form upload',
      () => post('/api/files?filename=a.pdf', '--x--', { 'content-type': 'multipart/form-data; boundary=x' }),
      415,
      'multipart/form-data',
    ],
    [
      'JSON with bad base64',
      () =>
        postJson(
          '/api/files',
          tenant.fullKey.token,
          { filename: 'a.txt', content: '***' },
          testEnv({ ADMIN: fileAdmin() }),
        ),
      422,
      'base64',
    ],
    [
      'JSON without a filename',
      () =>
        postJson('/api/files', tenant.fullKey.token, { content: 'YQ==' }, testEnv({ ADMIN: fileAdmin() })),
      422,
      'filename',
    ],
  ])('refuses %s', async (_, send, status, words) => {
    const response = await send();
    expect(response.status).toBe(status);
    expect(((await response.json()) as { message: string }).message).toContain(words);
  });

  it('refuses a body over the cap with 413 and never calls admin', async () => {
    const admin = fileAdmin();
    const small = { ...testEnv({ ADMIN: admin }), MAX_BODY_BYTES: '1024' };
    const response = await call(
      '/api/files?filename=big.txt',
      {
        method: 'POST',
        key: tenant.fullKey.token,
        headers: { 'content-type': 'text/plain' },
        body: 'a'.repeat(2048),
      },
      small,
    );
    expect(response.status).toBe(413);
    expect(admin.uploadFile).not.toHaveBeenCalled();
  });

  it('needs a full_access key', async () => {
    const admin = fileAdmin();
    const response = await call(
      '/api/files?filename=a.txt',
      { method: 'POST', key: tenant.sendingKey.token, headers: { 'content-type': 'text/plain' }, body: 'a' },
      testEnv({ ADMIN: admin }),
    );
    expect(response.status).toBe(403);
    expect(admin.uploadFile).not.toHaveBeenCalled();
  });
});

describe('ids that name nothing', () => {
  it.each([
    ['GET', '/api/files/not-a-uuid'],
    ['DELETE', '/api/files/not-a-uuid'],
    ['GET', '/api/streams/Not_A_Slug'],
  ])('%s %s is 422 without asking admin', async (method, path) => {
    const admin = fileAdmin();
    const response = await call(path, { method, key: tenant.fullKey.token }, testEnv({ ADMIN: admin }));
    expect(response.status).toBe(422);
    expect(((await response.json()) as { message: string }).message).toMatch(/^Path parameter id must be a /);
    expect(admin.getFile).not.toHaveBeenCalled();
    expect(admin.deleteFile).not.toHaveBeenCalled();
    expect(admin.getStream).not.toHaveBeenCalled();
  });
});
