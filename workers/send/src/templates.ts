// Sending with a template: its published version, rendered with the request's variables. A render
// error is a 422 naming the variable; nothing half-rendered is ever sent.
import { AppError } from '@mailgrid/contracts';
import { type Db, findTemplate } from '@mailgrid/db';
import {
  type Rendered,
  render,
  TemplateError,
  type TemplateSource,
  type TemplateVariable,
} from '@mailgrid/templates';

interface PublishedTemplate extends TemplateSource {
  variables: TemplateVariable[];
}

export async function renderTemplate(
  db: Db,
  tenantId: string,
  template: { id: string; variables?: Record<string, unknown> },
  field: string,
): Promise<Rendered> {
  const row = await findTemplate(db, tenantId, template.id);
  if (!row) throw new AppError('invalid_parameter', `${field}.id: no template ${template.id}.`);
  if (!row.published) {
    throw new AppError(
      'invalid_parameter',
      `${field}.id: template ${template.id} has no published version; publish it first.`,
    );
  }
  const published = JSON.parse(row.published) as PublishedTemplate;
  try {
    return render(published, published.variables, template.variables ?? {});
  } catch (err) {
    if (err instanceof TemplateError) {
      const where = err.variable ? `${field}.variables.${err.variable}` : field;
      throw new AppError('invalid_parameter', `${where}: ${err.message}`);
    }
    throw err;
  }
}
