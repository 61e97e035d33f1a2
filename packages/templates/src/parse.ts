import { TemplateError, type TemplateField } from './errors';

/** A parsed template: literal text and variable tags, in order. */
export type Node = { kind: 'text'; value: string } | { kind: 'variable'; name: string; raw: boolean };

/** What a tag may name: the same shape as a declared key, without the length limit. */
const TAG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why a tag that starts with a mustache/handlebars sigil is refused. */
const UNSUPPORTED: Record<string, string> = {
  '#': 'sections are not supported',
  '^': 'inverted sections are not supported',
  '/': 'sections are not supported',
  '>': 'partials are not supported',
  '<': 'partials are not supported',
  '!': 'comments are not supported',
  '=': 'changing delimiters is not supported',
  '&': 'write {{{VAR}}} for unescaped output',
};

/**
 * Splits a template into text and variable tags. The only tags are `{{NAME}}` and `{{{NAME}}}`
 * (spaces inside the braces are allowed); anything else between `{{` and `}}` is an error, as is a
 * `{{` that is never closed. A `}}` with no opening braces is plain text.
 */
export function parse(template: string, field: TemplateField): Node[] {
  const nodes: Node[] = [];
  let pos = 0;
  while (pos < template.length) {
    const open = template.indexOf('{{', pos);
    if (open === -1) break;
    if (open > pos) nodes.push({ kind: 'text', value: template.slice(pos, open) });

    const raw = template.startsWith('{{{', open);
    const opener = raw ? '{{{' : '{{';
    const closer = raw ? '}}}' : '}}';
    const start = open + opener.length;
    const close = template.indexOf(closer, start);
    if (close === -1) {
      throw new TemplateError(
        `${field}: unclosed tag ${quote(template.slice(open, open + 41))} at ${where(template, open)} (expected '${closer}')`,
        field,
      );
    }
    const content = template.slice(start, close).trim();
    const tag = `${opener}${template.slice(start, close)}${closer}`;
    if (!TAG_NAME.test(content)) {
      throw new TemplateError(
        `${field}: ${quote(tag)} at ${where(template, open)} is not a variable tag: ${reason(content)}`,
        field,
      );
    }
    nodes.push({ kind: 'variable', name: content, raw });
    pos = close + closer.length;
  }
  if (pos < template.length) nodes.push({ kind: 'text', value: template.slice(pos) });
  return nodes;
}

function reason(content: string): string {
  if (content === '') return 'the tag is empty';
  const sigil = UNSUPPORTED[content[0] ?? ''];
  if (sigil) return `${sigil}; only {{VAR}} and {{{VAR}}} are`;
  if (content.includes('{') || content.includes('}')) return 'unbalanced braces';
  return 'a variable name is a letter or underscore followed by letters, digits or underscores';
}

function where(template: string, index: number): string {
  const before = template.slice(0, index);
  const line = before.split('\n').length;
  const column = index - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

function quote(snippet: string): string {
  return JSON.stringify(snippet.length > 40 ? `${snippet.slice(0, 40)}…` : snippet);
}
