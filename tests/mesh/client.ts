import type { ErrorEnvelope } from '@mailgrid/contracts/errors';
import { inject } from 'vitest';

export const mesh = inject('mesh');

export async function api(path: string, init: RequestInit & { key?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.key) headers.set('authorization', `Bearer ${init.key}`);
  // Every test runs from 127.0.0.1, and the gateway limits failed authentications per client address
  // (its own tests cover that): each request here plays its own client (RFC 2544's benchmark range),
  // so one test's deliberate failures never turn another test's expected 401 into a 429.
  if (!headers.has('cf-connecting-ip')) headers.set('cf-connecting-ip', clientAddress());
  return fetch(`${mesh.url}${path}`, { ...init, headers });
}

function clientAddress(): string {
  const [a = 0, b = 0, c = 0] = crypto.getRandomValues(new Uint8Array(3));
  return `198.${18 + (a % 2)}.${b}.${c}`;
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
