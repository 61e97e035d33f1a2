// `Idempotency-Key`: at most one email (or batch) per key, bound to the exact body it came with.
import { sha256Hex } from '@mailgrid/api-keys';
import { AppError, EMAIL_LIMITS, type IdempotencyInput } from '@mailgrid/contracts';

export function readIdempotencyKey(request: Request): string | null {
  const key = request.headers.get('idempotency-key');
  if (key === null) return null;
  if (key.length < 1 || key.length > EMAIL_LIMITS.idempotency_key) {
    throw new AppError(
      'invalid_idempotency_key',
      `The Idempotency-Key must be 1 to ${EMAIL_LIMITS.idempotency_key} characters.`,
    );
  }
  return key;
}

export async function bindKey(key: string, body: string): Promise<IdempotencyInput> {
  return { key, hash: await sha256Hex(body) };
}
