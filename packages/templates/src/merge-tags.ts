/**
 * Broadcast merge tags, as Resend writes them: `{{{contact.first_name|there}}}`, `{{{contact.plan}}}`
 * (a declared contact property), the legacy `{{{FIRST_NAME|there}}}`, `{{{LAST_NAME}}}`, `{{{EMAIL}}}`,
 * and `{{{RESEND_UNSUBSCRIBE_URL}}}` (the recipient's own signed link to the preference page).
 * `{{…}}` is HTML-escaped in html, `{{{…}}}` is inserted as is; subject and text are never escaped.
 * A fallback after `|` is used when the contact has no value; else the property's declared fallback.
 */
import { TemplateError, type TemplateField } from './errors';
import { escapeHtml } from './escape';

export interface MergeContact {
  email: string;
  first_name: string | null;
  last_name: string | null;
  /** Custom properties (declared keys only). */
  properties: Record<string, string | number | null>;
}

export interface MergeContext {
  contact: MergeContact;
  /** Declared properties' fallback values, by key. */
  fallbacks: Record<string, string | number | null>;
  unsubscribeUrl: string;
}

export interface MergeTag {
  /** `first_name`, `last_name`, `email`, a property key, or `unsubscribe_url`. */
  key: string;
  fallback: string | null;
}

const UNSUBSCRIBE_NAMES = new Set(['RESEND_UNSUBSCRIBE_URL', 'UNSUBSCRIBE_URL']);
const LEGACY: Record<string, string> = { FIRST_NAME: 'first_name', LAST_NAME: 'last_name', EMAIL: 'email' };
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
// `{{{ name | fallback }}}` or `{{ name | fallback }}`: the triple form is tried first.
const TAG = /\{\{\{([^{}]*)\}\}\}|\{\{([^{}]*)\}\}/g;

/** The merge tags of one field, in order; throws TemplateError for a tag that names nothing known. */
export function mergeTags(template: string, field: TemplateField): MergeTag[] {
  const tags: MergeTag[] = [];
  for (const match of template.matchAll(TAG)) {
    tags.push(parseTag(match[1] ?? match[2] ?? '', match[0], field));
  }
  return tags;
}

/** Whether the html (or text) already carries the recipient's unsubscribe link. */
export function hasUnsubscribeTag(template: string): boolean {
  for (const match of template.matchAll(TAG)) {
    const name = (match[1] ?? match[2] ?? '').split('|')[0]?.trim() ?? '';
    if (UNSUBSCRIBE_NAMES.has(name)) return true;
  }
  return false;
}

/** Renders one field for one recipient. `html` escapes `{{…}}` values; a subject value loses line breaks. */
export function renderMergeTags(template: string, field: TemplateField, context: MergeContext): string {
  return template.replace(TAG, (whole, triple: string | undefined, double: string | undefined) => {
    const tag = parseTag(triple ?? double ?? '', whole, field);
    let value = tagValue(tag, context);
    if (field === 'subject') value = value.replace(/[\r\n]+/g, ' ');
    return field === 'html' && triple === undefined ? escapeHtml(value) : value;
  });
}

function tagValue(tag: MergeTag, { contact, fallbacks, unsubscribeUrl }: MergeContext): string {
  if (tag.key === 'unsubscribe_url') return unsubscribeUrl;
  const own =
    tag.key === 'email' || tag.key === 'first_name' || tag.key === 'last_name'
      ? contact[tag.key]
      : contact.properties[tag.key];
  if (own !== null && own !== undefined && own !== '') return String(own);
  if (tag.fallback !== null) return tag.fallback;
  const declared = fallbacks[tag.key];
  return declared === null || declared === undefined ? '' : String(declared);
}

function parseTag(content: string, whole: string, field: TemplateField): MergeTag {
  const bar = content.indexOf('|');
  const name = (bar === -1 ? content : content.slice(0, bar)).trim();
  const fallback = bar === -1 ? null : content.slice(bar + 1).trim();
  if (UNSUBSCRIBE_NAMES.has(name)) return { key: 'unsubscribe_url', fallback: null };
  const legacy = LEGACY[name];
  if (legacy) return { key: legacy, fallback };
  if (name.startsWith('contact.') && KEY.test(name.slice('contact.'.length))) {
    return { key: name.slice('contact.'.length), fallback };
  }
  throw new TemplateError(
    `${field}: ${JSON.stringify(whole.length > 60 ? `${whole.slice(0, 60)}…` : whole)} is not a merge tag; ` +
      'use {{{contact.first_name|fallback}}}, {{{contact.<property>}}}, {{{FIRST_NAME}}}, {{{LAST_NAME}}}, ' +
      '{{{EMAIL}}} or {{{RESEND_UNSUBSCRIBE_URL}}}',
    field,
    name || null,
  );
}
