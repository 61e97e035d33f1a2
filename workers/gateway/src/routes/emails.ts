// Resend's Emails API: send, batch, get, list, reschedule (PATCH) and cancel, forwarded to `send`.
import { sha256Hex } from '@mailgrid/api-keys';
import {
  AppError,
  type BatchValidation,
  EMAIL_LIMITS,
  type IdempotencyInput,
  ListEmailsQuery,
  SendEmailRequest,
  UpdateEmailRequest,
  unwrap,
} from '@mailgrid/contracts';
import * as v from 'valibot';
import { parseBody, readJson, readJsonWithText } from '../http/body';
import { json } from '../http/responses';
import type { RouteContext } from '../router';

export async function sendEmail({ request, env, caller, maxBodyBytes }: RouteContext): Promise<Response> {
  const idempotencyKey = readIdempotencyKey(request);
  const { json: body, text } = await readJsonWithText(request, maxBodyBytes);
  const email = parseBody(SendEmailRequest, body);
  const idempotency = idempotencyKey ? await bindKey(idempotencyKey, text) : null;
  return json(unwrap(await env.SEND.accept(caller, email, idempotency)));
}

export async function sendBatch({ request, env, caller, maxBodyBytes }: RouteContext): Promise<Response> {
  const idempotencyKey = readIdempotencyKey(request);
  const mode = readBatchMode(request);
  const { json: body, text } = await readJsonWithText(request, maxBodyBytes);
  const list = v.safeParse(
    v.pipe(
      v.array(v.unknown(), 'The request body must be a JSON array of emails.'),
      v.minLength(1, 'Send at least one email.'),
      v.maxLength(EMAIL_LIMITS.batch, `A batch holds at most ${EMAIL_LIMITS.batch} emails.`),
    ),
    body,
  );
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

export async function getEmail({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.SEND.getEmail(caller, emailId(params.id))));
}

export async function listEmails({ request, env, caller }: RouteContext): Promise<Response> {
  const query = parseBody(ListEmailsQuery, Object.fromEntries(new URL(request.url).searchParams));
  return json(unwrap(await env.SEND.listEmails(caller, query)));
}

export async function updateEmail({
  request,
  env,
  caller,
  params,
  maxBodyBytes,
}: RouteContext): Promise<Response> {
  const id = emailId(params.id);
  const { scheduled_at } = parseBody(UpdateEmailRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.SEND.reschedule(caller, id, scheduled_at)));
}

export async function cancelEmail({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.SEND.cancel(caller, emailId(params.id))));
}

function emailId(id: string | undefined): string {
  if (!id || !v.is(v.pipe(v.string(), v.uuid()), id))
    throw new AppError('invalid_parameter', 'The email id must be a UUID.');
  return id;
}

function readIdempotencyKey(request: Request): string | null {
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

function readBatchMode(request: Request): BatchValidation {
  const mode = request.headers.get('x-batch-validation') ?? 'strict';
  if (mode !== 'strict' && mode !== 'permissive') {
    throw new AppError('invalid_parameter', 'x-batch-validation must be "strict" or "permissive".');
  }
  return mode;
}

async function bindKey(key: string, body: string): Promise<IdempotencyInput> {
  return { key, hash: await sha256Hex(body) };
}
