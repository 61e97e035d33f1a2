import { describe, expect, it } from 'vitest';
import { api, errorOf, mesh } from './client';

const post = (body: BodyInit, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  api('/api/api-keys', { method: 'POST', key: mesh.roomy.full.token, headers, body });

describe('the error envelope', () => {
  it("is Resend's shape plus the request id, with the same id in the header", async () => {
    const response = await api('/no/such/route', { headers: { 'x-request-id': 'trace-envelope-1' } });
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toEqual({
      statusCode: 404,
      name: 'not_found',
      message: 'No route for GET /no/such/route.',
      request_id: 'trace-envelope-1',
    });
  });

  it('answers 405 with the allowed methods for a known path', async () => {
    const response = await api('/health', { method: 'POST', key: mesh.roomy.full.token });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    expect(await errorOf(response)).toMatchObject({ name: 'method_not_allowed' });
  });

  it.each([
    ['malformed JSON', () => post('{"name": '), 400, 'invalid_json'],
    [
      'a body that is not JSON at all',
      () => post('name=x', { 'content-type': 'text/plain' }),
      415,
      'unsupported_media_type',
    ],
    ['a JSON array', () => post('[]'), 422, 'validation_error'],
    ['a missing required field', () => post('{}'), 422, 'missing_required_field'],
    ['an unknown field', () => post('{"name":"x","colour":"red"}'), 422, 'invalid_parameter'],
  ])('answers %s with a clear 4xx and creates nothing', async (_, send, status, name) => {
    const before = await api('/api/api-keys', { key: mesh.roomy.full.token }).then((r) => r.json());
    const response = await send();
    expect(response.status).toBe(status);
    const error = await errorOf(response);
    expect(error).toMatchObject({ statusCode: status, name });
    expect(error.message.length).toBeGreaterThan(10);
    const after = await api('/api/api-keys', { key: mesh.roomy.full.token }).then((r) => r.json());
    expect(after).toEqual(before);
  });

  it('refuses a body over the size limit with 413', async () => {
    // The mesh runs with MAX_BODY_BYTES = 1 MiB (see global-setup.ts for why); the gateway tests cover the cap.
    const oversized = `{"name":"${'x'.repeat(1024 * 1024)}"}`;
    const response = await post(oversized);
    expect(response.status).toBe(413);
    expect(await errorOf(response)).toMatchObject({ name: 'payload_too_large' });
  });
});
