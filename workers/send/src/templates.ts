// Sending with a template: its published version, rendered with the request's variables, and the
// from / reply_to it was published with as the send's defaults. A render error is a 422 naming the
// variable; nothing half-rendered is ever sent. The template row comes from the accept's read batch
// (lookups.ts).
import { AppError, type PublishedTemplate } from '@mailgrid/contracts';
import { type Rendered, render, TemplateError } from '@mailgrid/templates';
import type { Lookups } from './lookups';

export interface RenderedTemplate extends Rendered {
  /** The template's sender and reply-to addresses (null: none), used when the send gives none. */
  from: string | null;
  replyTo: string[] | null;
}

export async function renderTemplate(
  lookups: Lookups,
  template: { id: string; variables?: Record<string, unknown> },
  field: string,
): Promise<RenderedTemplate> {
  const row = await lookups.template(template.id);
  if (!row) throw new AppError('invalid_parameter', `${field}.id: no template ${template.id}.`);
  if (!row.published) {
    throw new AppError(
      'invalid_parameter',
      `${field}.id: template ${template.id} has no published version; publish it first.`,
    );
  }
  const published = JSON.parse(row.published) as PublishedTemplate;
  // Copies published before from / reply_to were part of a version carry neither: the draft's stand in.
  const from = published.from !== undefined ? published.from : row.from_address;
  const replyTo = published.reply_to !== undefined ? published.reply_to : row.reply_to;
  try {
    return {
      ...render(published, published.variables, template.variables ?? {}),
      from: from || null,
      replyTo: replyTo ? (JSON.parse(replyTo) as string[]) : null,
    };
  } catch (err) {
    if (err instanceof TemplateError) {
      const where = err.variable ? `${field}.variables.${err.variable}` : field;
      throw new AppError('invalid_parameter', `${where}: ${err.message}`);
    }
    throw err;
  }
}
