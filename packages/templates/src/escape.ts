// HTML escaping for values put into an html body (templates and broadcast merge tags alike).
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#x60;',
  '=': '&#x3D;',
};

/** Escapes what could end an element, a quoted or an unquoted attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`=]/g, (char) => ENTITIES[char] ?? char);
}
