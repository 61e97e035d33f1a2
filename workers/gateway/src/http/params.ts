// Path parameters arrive percent-encoded (itty-router does not decode them).
import { AppError } from '@mailgrid/contracts';

/** The decoded parameter; a malformed escape or an empty value is a 422 with `message`. */
export function decodedParam(raw: string | undefined, message: string): string {
  let value: string;
  try {
    value = decodeURIComponent(raw ?? '');
  } catch {
    throw new AppError('invalid_parameter', message);
  }
  if (value.trim() === '') throw new AppError('invalid_parameter', message);
  return value;
}
