// SNS posts JSON as `text/plain; charset=UTF-8`, so this route reads the body as text rather than
// through http/body.ts's JSON content-type check, with its own cap (SNS messages are at most 256 KB).
import { AppError } from '@mailgrid/contracts';
import { readCapped } from '../http/body';

export const MAX_SNS_BODY_BYTES = 256 * 1024;

/** The parsed body; too large (checked before and while reading) is 413, not JSON is 400. */
export async function readSnsBody(request: Request, maxBytes = MAX_SNS_BODY_BYTES): Promise<unknown> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new AppError('payload_too_large', `The request body is larger than ${maxBytes} bytes.`);
  }
  const text = await readCapped(request, maxBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('invalid_json', 'The request body is not a JSON SNS message.');
  }
}
