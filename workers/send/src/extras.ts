// Mailgrid's extras as headers. The `resend` SDK sends only the fields it knows, so `stream`,
// `track_opens`, `track_clicks` and `list_unsubscribe` would be lost on the way; the SDK does pass
// `headers` through, so each extra may also come as an `X-Mailgrid-…` header. The header is taken
// off the email (it never reaches SES) and read as the field; a header that says something else
// than the same field in the body is refused rather than guessed at.
import { AppError, type SendEmailRequest } from '@mailgrid/contracts';

const EXTRAS = {
  'x-mailgrid-stream': 'stream',
  'x-mailgrid-track-opens': 'track_opens',
  'x-mailgrid-track-clicks': 'track_clicks',
  'x-mailgrid-list-unsubscribe': 'list_unsubscribe',
} as const;
const STREAM = /^[a-z0-9-]{1,64}$/;

export function liftExtras(input: SendEmailRequest, field = ''): SendEmailRequest {
  // Anything but an object of strings is left for prepare's checks to refuse as it is.
  if (!input.headers || typeof input.headers !== 'object' || Array.isArray(input.headers)) return input;
  const at = (name: string) => (field ? `${field}.${name}` : name);
  const email: SendEmailRequest = { ...input, headers: {} };
  const fields: Record<string, string | boolean> = {};
  for (const [name, value] of Object.entries(input.headers)) {
    const extra = EXTRAS[name.toLowerCase() as keyof typeof EXTRAS];
    if (!extra || typeof value !== 'string') {
      (email.headers as Record<string, string>)[name] = value;
      continue;
    }
    const text = value.trim();
    let parsed: string | boolean;
    if (extra === 'stream') {
      if (!STREAM.test(text)) {
        throw new AppError(
          'invalid_parameter',
          `${at(`headers.${name}`)}: must be a stream id (a-z, 0-9, -).`,
        );
      }
      parsed = text;
    } else {
      if (!/^(true|false)$/i.test(text)) {
        throw new AppError('invalid_parameter', `${at(`headers.${name}`)}: must be true or false.`);
      }
      parsed = text.toLowerCase() === 'true';
    }
    const given = input[extra];
    if (given !== undefined && given !== parsed) {
      throw new AppError(
        'invalid_parameter',
        `${at(`headers.${name}`)} says ${text} but ${at(extra)} says ${String(given)}: give one.`,
      );
    }
    fields[extra] = parsed;
  }
  if (Object.keys(email.headers ?? {}).length === 0) delete email.headers;
  return { ...email, ...fields };
}
