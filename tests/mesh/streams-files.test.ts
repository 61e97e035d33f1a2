// Streams and files through the real mesh: the management routes end to end (create, list, read,
// update, delete), sending on a stream with its own SES configuration set, attachments by file_id
// that reach SES inside the EML (and still do when the file is deleted after the accept), tenant
// isolation, permissions, validation, and the audit entry of every change.
import { query } from '@mailgrid/stack';
import { describe, expect, it } from 'vitest';
import { api, errorOf, mesh } from './client';
import { delivered, postEmail } from './mail';

const { files: tenant, other } = mesh;
const key = tenant.full.token;
const from = `hello@files.mesh.test`;

async function call(method: string, path: string, body?: unknown, as = key): Promise<Response> {
  return api(path, {
    method,
    key: as,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
}

async function upload(bytes: Uint8Array<ArrayBuffer>, filename: string, contentType = 'application/pdf') {
  return api(`/api/files?filename=${encodeURIComponent(filename)}`, {
    method: 'POST',
    key,
    headers: { 'content-type': contentType },
    body: bytes,
  });
}

const report: Uint8Array<ArrayBuffer> = new TextEncoder().encode('%PDF-1.4 the quarterly report, in bytes');
const secondsFromNow = (s: number) => new Date(Date.now() + s * 1000).toISOString();

/** Every target this file changed, to check the audit log at the end. */
const changed: { target: string; actions: string[] }[] = [];

describe('streams', () => {
  it('lists the two defaults, creates, reads, updates and deletes a stream', async () => {
    const listed = await call('GET', '/api/streams');
    expect(listed.status).toBe(200);
    expect(await listed.json()).toMatchObject({
      object: 'list',
      data: [
        { id: 'transactional', type: 'transactional', default: true, list_unsubscribe: false },
        { id: 'broadcast', type: 'broadcast', default: true, list_unsubscribe: true },
      ],
    });

    const created = await call('POST', '/api/streams', {
      id: 'receipts',
      name: 'Receipts',
      type: 'transactional',
      configuration_set: 'receipts-set',
      track_clicks: false,
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      object: 'stream',
      id: 'receipts',
      configuration_set: 'receipts-set',
      track_clicks: false,
      track_opens: null,
      default: false,
    });

    const read = await call('GET', '/api/streams/receipts');
    expect(await read.json()).toMatchObject({
      id: 'receipts',
      name: 'Receipts',
      reputation: { status: 'ok', sent: 0, bounce_rate: 0, complaint_rate: 0 },
    });

    const patched = await call('PATCH', '/api/streams/receipts', {
      name: 'Order receipts',
      ip_pool: 'pool-a',
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ name: 'Order receipts', ip_pool: 'pool-a' });

    // A default stream is stored by its first change.
    const defaultPatched = await call('PATCH', '/api/streams/broadcast', { track_opens: true });
    expect(await defaultPatched.json()).toMatchObject({ id: 'broadcast', track_opens: true, default: true });
    expect(await (await call('GET', '/api/streams/broadcast')).json()).toMatchObject({ track_opens: true });

    const refused = await call('DELETE', '/api/streams/broadcast');
    expect(refused.status).toBe(409);
    expect((await errorOf(refused)).message).toContain('cannot be deleted');

    changed.push({ target: 'receipts', actions: ['stream.created', 'stream.updated'] });
    changed.push({ target: 'broadcast', actions: ['stream.updated'] });
  });

  it('sends on the stream with its configuration set; an unknown stream is a 422 naming `stream`', async () => {
    const response = await postEmail(key, {
      from,
      to: 'buyer@example.com',
      subject: 'Your receipt',
      text: 'Thanks',
      stream: 'receipts',
    });
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: string };
    const { record } = await delivered(id);
    expect(record.configuration_set).toBe('receipts-set');
    expect(record.tags).toContainEqual({ Name: 'mailgrid_stream', Value: 'receipts' });

    const unknown = await postEmail(key, {
      from,
      to: 'x@example.com',
      subject: 's',
      text: 't',
      stream: 'nope',
    });
    expect(unknown.status).toBe(422);
    expect(await errorOf(unknown)).toMatchObject({
      name: 'invalid_parameter',
      message: expect.stringContaining('stream'),
    });
  });

  it('deletes a stream: it is gone and no longer takes email', async () => {
    const created = await call('POST', '/api/streams', {
      id: 'short-lived',
      name: 'Short',
      type: 'broadcast',
    });
    expect(created.status).toBe(201);
    const deleted = await call('DELETE', '/api/streams/short-lived');
    expect(await deleted.json()).toEqual({ object: 'stream', id: 'short-lived', deleted: true });
    expect((await call('GET', '/api/streams/short-lived')).status).toBe(404);
    const send = await postEmail(key, {
      from,
      to: 'x@example.com',
      subject: 's',
      text: 't',
      stream: 'short-lived',
    });
    expect(send.status).toBe(422);
    changed.push({ target: 'short-lived', actions: ['stream.created', 'stream.deleted'] });
  });

  it.each([
    ['a bad id', { id: 'Not A Slug', name: 'x', type: 'transactional' }, 422, 'id'],
    ['a missing name', { id: 'ok-id', type: 'transactional' }, 422, 'name'],
    ['a bad type', { id: 'ok-id', name: 'x', type: 'marketing' }, 422, 'type'],
    [
      'a bad configuration set',
      { id: 'ok-id', name: 'x', type: 'broadcast', configuration_set: 'a b' },
      422,
      'configuration_set',
    ],
    ['an unknown field', { id: 'ok-id', name: 'x', type: 'broadcast', colour: 'red' }, 422, 'colour'],
    ['a taken id', { id: 'transactional', name: 'x', type: 'transactional' }, 409, 'transactional'],
  ])('refuses %s with a clear 4xx naming it', async (_, body, status, field) => {
    const response = await call('POST', '/api/streams', body);
    expect(response.status).toBe(status);
    expect((await errorOf(response)).message).toContain(field);
    expect((await call('GET', '/api/streams/ok-id')).status).toBe(404);
  });
});

describe('files', () => {
  let fileId = '';

  it('uploads raw bytes, JSON base64 and a Content-Disposition name; lists and reads them', async () => {
    const raw = await upload(report, 'q3-report.pdf');
    expect(raw.status).toBe(201);
    const file = (await raw.json()) as { id: string; sha256: string };
    expect(file).toMatchObject({
      object: 'file',
      filename: 'q3-report.pdf',
      content_type: 'application/pdf',
      size: report.byteLength,
    });
    fileId = file.id;

    const fromJson = await call('POST', '/api/files', {
      filename: 'notes.txt',
      content: Buffer.from('some notes').toString('base64'),
    });
    expect(fromJson.status).toBe(201);
    const notes = (await fromJson.json()) as { id: string };
    expect(notes).toMatchObject({ filename: 'notes.txt', content_type: 'text/plain', size: 10 });

    const disposed = await api('/api/files', {
      method: 'POST',
      key,
      headers: {
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`,
      },
      body: report,
    });
    expect(await disposed.json()).toMatchObject({ filename: 'résumé.pdf', content_type: 'application/pdf' });

    const listed = (await (await call('GET', '/api/files')).json()) as { data: { id: string }[] };
    expect(listed.data.map((entry) => entry.id)).toEqual(expect.arrayContaining([file.id, notes.id]));
    expect(await (await call('GET', `/api/files/${file.id}`)).json()).toEqual(file);
    changed.push({ target: file.id, actions: ['file.created'] });
  });

  it('attaches a file by id: the delivered EML holds its bytes', async () => {
    const response = await postEmail(key, {
      from,
      to: 'reader@example.com',
      subject: 'Your report',
      text: 'Attached.',
      attachments: [{ file_id: fileId }, { file_id: fileId, filename: 'renamed.pdf' }],
    });
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: string };
    const { mail } = await delivered(id);
    const byName = Object.fromEntries(
      mail.attachments.map((attachment) => [attachment.filename, attachment]),
    );
    expect([...(byName['q3-report.pdf']?.content ?? [])]).toEqual([...report]);
    expect(byName['q3-report.pdf']?.contentType).toBe('application/pdf');
    expect([...(byName['renamed.pdf']?.content ?? [])]).toEqual([...report]);
  });

  it('a scheduled email accepted with the file still sends it after the file is deleted', async () => {
    const response = await postEmail(key, {
      from,
      to: 'later@example.com',
      subject: 'Report, later',
      text: 'Attached.',
      scheduled_at: secondsFromNow(4),
      attachments: [{ file_id: fileId }],
    });
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: string };

    const deleted = await call('DELETE', `/api/files/${fileId}`);
    expect(await deleted.json()).toEqual({ object: 'file', id: fileId, deleted: true });
    expect((await call('GET', `/api/files/${fileId}`)).status).toBe(404);

    const { mail } = await delivered(id, 30_000);
    expect([...(mail.attachments[0]?.content ?? [])]).toEqual([...report]);

    // A new send can no longer name it.
    const late = await postEmail(key, {
      from,
      to: 'x@example.com',
      subject: 's',
      text: 't',
      attachments: [{ file_id: fileId }],
    });
    expect(late.status).toBe(422);
    expect((await errorOf(late)).message).toContain('attachments[0].file_id');
    changed.push({ target: fileId, actions: ['file.created', 'file.deleted'] });
  });

  it.each([
    [
      'no filename',
      () =>
        api('/api/files', {
          method: 'POST',
          key,
          headers: { 'content-type': 'application/pdf' },
          body: report,
        }),
      422,
      'missing_required_field',
      'filename',
    ],
    ['an executable name', () => upload(report, 'setup.exe'), 422, 'invalid_attachment', '.exe'],
    [
      'an executable under another name',
      () => upload(new Uint8Array([0x4d, 0x5a, 0x90, 0]), 'invoice.pdf'),
      422,
      'invalid_attachment',
      'executable',
    ],
    [
      'an empty file',
      () => upload(new Uint8Array(), 'empty.txt', 'text/plain'),
      422,
      'invalid_attachment',
      'empty',
    ],
    [
      'bad base64',
      () => call('POST', '/api/files', { filename: 'a.txt', content: 'not base64!' }),
      422,
      'invalid_attachment',
      'base64',
    ],
    [
      'a form upload',
      () =>
        api('/api/files?filename=a.pdf', {
          method: 'POST',
          key,
          headers: { 'content-type': 'multipart/form-data; boundary=x' },
          body: '--x--',
        }),
      415,
      'unsupported_media_type',
      'multipart/form-data',
    ],
    // The mesh caps bodies at 1 MiB (see global-setup.ts); production's cap is the 30 MB file limit.
    [
      'a file over the size limit',
      () => upload(new Uint8Array(1024 * 1024 + 1).fill(65), 'big.txt', 'text/plain'),
      413,
      'payload_too_large',
      'larger',
    ],
  ])('refuses %s and stores nothing', async (_, send, status, name, words) => {
    const before = ((await (await call('GET', '/api/files?limit=100')).json()) as { data: unknown[] }).data
      .length;
    const response = await send();
    expect(response.status).toBe(status);
    const error = await errorOf(response);
    expect(error.name).toBe(name);
    expect(error.message).toContain(words);
    const after = ((await (await call('GET', '/api/files?limit=100')).json()) as { data: unknown[] }).data
      .length;
    expect(after).toBe(before);
  });
});

describe('another tenant and a sending key', () => {
  it("gives another tenant 404 on every route for the first tenant's stream and file", async () => {
    const file = (await (await upload(report, 'private.pdf')).json()) as { id: string };
    const theirs = other.full.token;
    for (const [method, path, body] of [
      ['GET', '/api/streams/receipts'],
      ['PATCH', '/api/streams/receipts', { name: 'mine now' }],
      ['DELETE', '/api/streams/receipts'],
      ['GET', `/api/files/${file.id}`],
      ['DELETE', `/api/files/${file.id}`],
    ] as [string, string, unknown?][]) {
      const response = await call(method, path, body, theirs);
      expect(response.status, `${method} ${path}`).toBe(404);
    }
    const lists = [
      await call('GET', '/api/streams', undefined, theirs),
      await call('GET', '/api/files', undefined, theirs),
    ];
    const [streams, files] = (await Promise.all(lists.map((response) => response.json()))) as {
      data: { id: string }[];
    }[];
    expect(streams?.data.map((stream) => stream.id)).toEqual(['transactional', 'broadcast']);
    expect(files?.data.map((entry) => entry.id)).not.toContain(file.id);
    // Nor can it send with the file or on the stream.
    const send = await postEmail(theirs, {
      from: 'hello@other.mesh.test',
      to: 'x@example.com',
      subject: 's',
      text: 't',
      attachments: [{ file_id: file.id }],
    });
    expect(send.status).toBe(422);
    expect((await errorOf(send)).message).toContain('attachments[0].file_id');
    const onStream = await postEmail(theirs, {
      from: 'hello@other.mesh.test',
      to: 'x@example.com',
      subject: 's',
      text: 't',
      stream: 'receipts',
    });
    expect(onStream.status).toBe(422);
    // Untouched.
    expect(await (await call('GET', '/api/streams/receipts')).json()).toMatchObject({
      name: 'Order receipts',
    });
    expect((await call('GET', `/api/files/${file.id}`)).status).toBe(200);
  });

  it('gives a sending_access key 403 on every management route', async () => {
    const sending = tenant.sending.token;
    const someId = crypto.randomUUID();
    for (const [method, path, body] of [
      ['GET', '/api/streams'],
      ['POST', '/api/streams', { id: 'by-sender', name: 'x', type: 'transactional' }],
      ['GET', '/api/streams/transactional'],
      ['PATCH', '/api/streams/transactional', { name: 'x' }],
      ['DELETE', '/api/streams/receipts'],
      ['GET', '/api/files'],
      ['POST', '/api/files', { filename: 'a.txt', content: 'YQ==' }],
      ['GET', `/api/files/${someId}`],
      ['DELETE', `/api/files/${someId}`],
    ] as [string, string, unknown?][]) {
      const response = await call(method, path, body, sending);
      expect(response.status, `${method} ${path}`).toBe(403);
      expect((await errorOf(response)).name).toBe('restricted_api_key');
    }
    expect((await call('GET', '/api/streams/by-sender')).status).toBe(404);
  });
});

describe('audit log', () => {
  it('holds an entry for every change this file made', async () => {
    const rows = await query<{ action: string; target_id: string }>(mesh.persistDir, {
      sql: "SELECT action, target_id FROM audit_log WHERE tenant_id = ? AND target_type IN ('stream', 'file')",
      params: [tenant.tenantId],
    });
    for (const { target, actions } of changed) {
      const found = rows.filter((row) => row.target_id === target).map((row) => row.action);
      expect(found, target).toEqual(expect.arrayContaining(actions));
    }
    expect(changed.length).toBeGreaterThanOrEqual(4);
  });
});
