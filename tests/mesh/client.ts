import type { ErrorEnvelope } from '@mailgrid/contracts/errors';
import { inject } from 'vitest';

export const mesh = inject('mesh');

export async function api(path: string, init: RequestInit & { key?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.key) headers.set('authorization', `Bearer ${init.key}`);
  return fetch(`${mesh.url}${path}`, { ...init, headers });
}

export async function errorOf(response: Response): Promise<ErrorEnvelope> {
  expectJson(response);
  return (await response.json()) as ErrorEnvelope;
}

function expectJson(response: Response) {
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('application/json'))
    throw new Error(`expected JSON, got "${type}" (${response.status})`);
}
