// POST /api/emails/batch: each email is checked on its own, so a permissive batch can send the good
// ones and report the rest by index (`x-batch-validation: permissive`), as Resend's batch does.
import { AppError, EMAIL_LIMITS, SendEmailRequest, unwrap } from '@mailgrid/contracts';
import * as v from 'valibot';
import type { CallContext } from '../api/route';
import { parseBody, readJsonWithText } from '../http/body';
import { bindKey, readIdempotencyKey } from '../http/idempotency';
import { json } from '../http/responses';

export const BATCH_HEADERS = [
  {
    name: 'x-batch-validation',
    description:
      '`strict` (default): one invalid email refuses the whole batch. `permissive`: the valid ones are sent and the rest reported in `errors`.',
    schema: { type: 'string', enum: ['strict', 'permissive'], default: 'strict' },
  },
];

const BatchList = v.pipe(
  v.array(v.unknown(), 'The request body must be a JSON array of emails.'),
  v.minLength(1, 'Send at least one email.'),
  v.maxLength(EMAIL_LIMITS.batch, `A batch holds at most ${EMAIL_LIMITS.batch} emails.`),
);

export async function sendBatch({
  request,
  env,
  caller,
  maxBodyBytes,
}: CallContext<string, 'sending_access', undefined, undefined>): Promise<Response> {
  const idempotencyKey = readIdempotencyKey(request);
  const mode = request.headers.get('x-batch-validation') ?? 'strict';
  if (mode !== 'strict' && mode !== 'permissive') {
    throw new AppError('invalid_parameter', 'x-batch-validation must be "strict" or "permissive".');
  }
  const { json: body, text } = await readJsonWithText(request, maxBodyBytes);
  const list = v.safeParse(BatchList, body);
  if (!list.success) throw new AppError('validation_error', list.issues[0]?.message ?? 'Invalid batch.');
  const emails: { index: number; email: SendEmailRequest }[] = [];
  const invalid: { index: number; message: string }[] = [];
  list.output.forEach((item, index) => {
    try {
      emails.push({ index, email: parseBody(SendEmailRequest, item) });
    } catch (err) {
      if (!(err instanceof AppError) || mode === 'strict') {
        throw err instanceof AppError ? new AppError(err.code, `[${index}]: ${err.message}`) : err;
      }
      invalid.push({ index, message: err.message });
    }
  });
  const idempotency = idempotencyKey ? await bindKey(idempotencyKey, text) : null;
  return json(unwrap(await env.SEND.acceptBatch(caller, emails, invalid, mode, idempotency)));
}
