// A route's query string, checked against its schema; the first problem names the parameter.
import { AppError } from '@mailgrid/contracts';
import * as v from 'valibot';

export function parseQuery<TSchema extends v.GenericSchema>(
  schema: TSchema,
  url: URL,
): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, Object.fromEntries(url.searchParams));
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = issue ? v.getDotPath(issue) : null;
  const message = issue?.message ?? 'invalid value';
  throw new AppError(
    'invalid_parameter',
    path ? `Query parameter ${path}: ${message}.` : `${message[0]?.toUpperCase()}${message.slice(1)}.`,
  );
}
