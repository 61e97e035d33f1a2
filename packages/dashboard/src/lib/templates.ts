// Templates as the API returns them, and a preview of one with sample values: `{{{VAR}}}` inserted as
// is, `{{VAR}}` HTML-escaped, a missing value replaced by the variable's fallback (what a send does,
// packages/templates; a send also refuses what this preview lets through, e.g. an undeclared variable).

export interface TemplateVariable {
  key: string;
  type: 'string' | 'number';
  fallback_value: string | number | null;
}

export interface TemplateSummary {
  id: string;
  name: string;
  alias: string | null;
  status: 'draft' | 'published';
  published_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface TemplateObject extends TemplateSummary {
  from: string | null;
  subject: string | null;
  reply_to: string[] | null;
  html: string;
  text: string | null;
  variables: TemplateVariable[];
  has_unpublished_versions: boolean;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function previewHtml(
  html: string,
  variables: TemplateVariable[],
  values: Record<string, string>,
): string {
  const valueFor = (key: string) => {
    const given = values[key];
    if (given) return given;
    const fallback = variables.find((v) => v.key === key)?.fallback_value;
    return fallback === null || fallback === undefined ? `{{${key}}}` : String(fallback);
  };
  return html.replace(/\{\{\{\s*([^{}]*?)\s*\}\}\}|\{\{\s*([^{}]*?)\s*\}\}/g, (_whole, raw, escaped) =>
    raw !== undefined ? valueFor(raw) : escapeHtml(valueFor(escaped)),
  );
}
