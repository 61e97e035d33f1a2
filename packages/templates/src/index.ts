/**
 * Resend-style email templates: `{{{VAR}}}` and `{{VAR}}` substitution into a subject, an HTML body
 * and an optional text body, with declared, typed variables and fallback values.
 *
 * An interpreter over a parsed list of text and variable nodes: no code generation, so it runs in
 * Cloudflare Workers, where `eval` and `new Function` are forbidden. No runtime dependencies.
 */
import { TemplateError, type TemplateField } from './errors';
import { escapeHtml } from './escape';
import { type Node, parse } from './parse';

export { TemplateError, type TemplateField } from './errors';
export {
  hasUnsubscribeTag,
  type MergeContact,
  type MergeContext,
  type MergeTag,
  mergeTags,
  renderMergeTags,
} from './merge-tags';

export interface TemplateVariable {
  key: string;
  type: 'string' | 'number';
  fallback_value?: string | number | null;
}

export interface TemplateSource {
  subject: string;
  html: string;
  text?: string | null;
}

export interface Rendered {
  subject: string;
  html: string;
  text: string | null;
}

/** Resend: "Each Template may contain up to 50 variables." */
export const MAX_TEMPLATE_VARIABLES = 50;

/** What a declared key may look like: a letter or underscore, then up to 49 letters, digits or underscores. */
export const VARIABLE_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,49}$/;

/** Keys Resend reserves for contact data and the template context; a template may not declare them. */
export const RESERVED_VARIABLE_KEYS: readonly string[] = [
  'FIRST_NAME',
  'LAST_NAME',
  'EMAIL',
  'UNSUBSCRIBE_URL',
  'contact',
  'this',
];

/** A string given for a `number` variable must look like a decimal number: `42`, `-1.50`, `6e3`. */
const NUMERIC = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

const NEWLINE = /[\r\n]/;

/** The fields in the order they are checked and named in errors. */
const FIELDS = ['subject', 'html', 'text'] as const;
type BodyField = (typeof FIELDS)[number];

interface Checked {
  nodes: Record<BodyField, Node[] | null>;
  declared: Map<string, TemplateVariable>;
  /** Every referenced variable, with the first field that references it. */
  referenced: Map<string, BodyField>;
}

/**
 * Checks a template when it is created or updated. Throws a `TemplateError` for: a syntax error in
 * any field (unclosed tag, section, partial, comment, anything but `{{VAR}}`/`{{{VAR}}}`); a line break
 * in the subject; an invalid, reserved or duplicate key, more than 50 variables, an unknown type or a
 * fallback of the wrong type; a variable used in a field but not declared; a fallback with a line
 * break for a variable used in the subject.
 */
export function validateTemplate(source: TemplateSource, variables: TemplateVariable[]): void {
  check(source, variables);
}

/**
 * Renders all three fields or throws a `TemplateError`, never a partial result. The template is
 * validated first (as `validateTemplate`). Then: a value for a key the template does not declare is
 * refused; `null` or `undefined` counts as no value; a value must be a string or a finite number
 * (a `number` variable takes a number or a numeric string, rendered as given); every variable the
 * template uses needs a value or a fallback; a value put into the subject must not contain CR or LF.
 * In `html`, `{{VAR}}` is HTML-escaped and `{{{VAR}}}` is inserted raw; subject and text are never escaped.
 */
export function render(
  source: TemplateSource,
  variables: TemplateVariable[],
  values: Record<string, unknown>,
): Rendered {
  const { nodes, declared, referenced } = check(source, variables);

  if (values !== null && values !== undefined && (typeof values !== 'object' || Array.isArray(values))) {
    throw new TemplateError(
      'variables: the values must be an object of variable names to values',
      'variables',
    );
  }
  const given = new Map<string, string>();
  for (const [key, value] of Object.entries(values ?? {})) {
    const declaration = declared.get(key);
    if (!declaration) {
      throw new TemplateError(`Variable '${key}' is not defined in the template`, 'variables', key);
    }
    if (value === null || value === undefined) continue;
    given.set(key, stringify(declaration, value));
  }

  const resolved = new Map<string, string>();
  for (const [name, field] of referenced) {
    const value = given.get(name) ?? fallbackOf(declared.get(name));
    if (value === null) {
      throw new TemplateError(
        `Variable '${name}' is used in the ${field} but has no value and no fallback_value`,
        field,
        name,
      );
    }
    resolved.set(name, value);
  }

  const subject = substitute(nodes.subject ?? [], resolved, (name, value) => {
    if (NEWLINE.test(value)) {
      throw new TemplateError(
        `Variable '${name}' contains a line break and is used in the subject`,
        'subject',
        name,
      );
    }
    return value;
  });
  const html = substitute(nodes.html ?? [], resolved, (_name, value, raw) =>
    raw ? value : escapeHtml(value),
  );
  const text = nodes.text ? substitute(nodes.text, resolved, (_name, value) => value) : null;
  return { subject, html, text };
}

/**
 * Every variable name a template string references, each once, in order of first use. Throws a
 * `TemplateError` on a syntax error; `field` only labels that error (parsing is the same for all fields).
 */
export function referencedVariables(template: string, field: TemplateField = 'html'): string[] {
  if (typeof template !== 'string') {
    throw new TemplateError(`${field}: the template must be a string`, field);
  }
  return [...new Set(variableNames(parse(template, field)))];
}

function check(source: TemplateSource, variables: TemplateVariable[]): Checked {
  if (typeof source !== 'object' || source === null) {
    throw new TemplateError('html: the template source must be an object', 'html');
  }
  const nodes: Record<BodyField, Node[] | null> = { subject: null, html: null, text: null };
  for (const field of FIELDS) {
    const template: unknown = source[field];
    if (field === 'text' && (template === null || template === undefined)) continue;
    if (typeof template !== 'string') throw new TemplateError(`${field}: must be a string`, field);
    nodes[field] = parse(template, field);
  }
  if (NEWLINE.test(source.subject)) {
    throw new TemplateError('subject: must not contain line breaks (CR or LF)', 'subject');
  }

  const declared = declarations(variables);

  const referenced = new Map<string, BodyField>();
  for (const field of FIELDS) {
    for (const name of variableNames(nodes[field] ?? [])) {
      if (referenced.has(name)) continue;
      if (!declared.has(name)) {
        throw new TemplateError(
          `Variable '${name}' is used in the ${field} but not defined in the variables list`,
          field,
          name,
        );
      }
      referenced.set(name, field);
    }
  }

  for (const name of new Set(variableNames(nodes.subject ?? []))) {
    const fallback = fallbackOf(declared.get(name));
    if (fallback !== null && NEWLINE.test(fallback)) {
      throw new TemplateError(
        `Variable '${name}' is used in the subject but its fallback_value contains a line break`,
        'subject',
        name,
      );
    }
  }
  return { nodes, declared, referenced };
}

function declarations(variables: TemplateVariable[] | null | undefined): Map<string, TemplateVariable> {
  const declared = new Map<string, TemplateVariable>();
  if (variables === null || variables === undefined) return declared;
  if (!Array.isArray(variables)) throw new TemplateError('variables: must be an array', 'variables');
  if (variables.length > MAX_TEMPLATE_VARIABLES) {
    throw new TemplateError(
      `variables: a template may declare at most ${MAX_TEMPLATE_VARIABLES} variables, not ${variables.length}`,
      'variables',
    );
  }
  for (const variable of variables as unknown[]) {
    if (typeof variable !== 'object' || variable === null) {
      throw new TemplateError(
        'variables: each variable must be an object with a key and a type',
        'variables',
      );
    }
    const { key, type, fallback_value: fallback } = variable as Record<string, unknown>;
    if (typeof key !== 'string' || !VARIABLE_KEY_PATTERN.test(key)) {
      const shown = typeof key === 'string' ? key : null;
      throw new TemplateError(
        `variables: invalid key ${JSON.stringify(key) ?? String(key)}: a key is a letter or underscore followed by at most 49 letters, digits or underscores`,
        'variables',
        shown,
      );
    }
    if (RESERVED_VARIABLE_KEYS.includes(key)) {
      throw new TemplateError(`Variable '${key}' is a reserved name`, 'variables', key);
    }
    if (declared.has(key)) {
      throw new TemplateError(`Variable '${key}' is declared more than once`, 'variables', key);
    }
    if (type !== 'string' && type !== 'number') {
      throw new TemplateError(`Variable '${key}' must have type 'string' or 'number'`, 'variables', key);
    }
    if (fallback !== null && fallback !== undefined) {
      const matches =
        type === 'string'
          ? typeof fallback === 'string'
          : typeof fallback === 'number' && Number.isFinite(fallback);
      if (!matches) {
        throw new TemplateError(
          `Variable '${key}' has type '${type}' but its fallback_value is ${describe(fallback)}`,
          'variables',
          key,
        );
      }
    }
    declared.set(key, { key, type, fallback_value: fallback as string | number | null | undefined });
  }
  return declared;
}

/** A given value as the text to insert, or a `TemplateError` if it does not fit the declared type. */
function stringify(variable: TemplateVariable, value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string') {
    if (variable.type === 'string') return value;
    if (NUMERIC.test(value) && Number.isFinite(Number(value))) return value;
  }
  throw new TemplateError(
    `Variable '${variable.key}' has type '${variable.type}' but was given ${describe(value)}`,
    'variables',
    variable.key,
  );
}

function fallbackOf(variable: TemplateVariable | undefined): string | null {
  const fallback = variable?.fallback_value;
  return fallback === null || fallback === undefined ? null : String(fallback);
}

function variableNames(nodes: Node[]): string[] {
  return nodes.flatMap((node) => (node.kind === 'variable' ? [node.name] : []));
}

function substitute(
  nodes: Node[],
  values: Map<string, string>,
  insert: (name: string, value: string, raw: boolean) => string,
): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') {
      out += node.value;
      continue;
    }
    const value = values.get(node.name);
    // check() declared every referenced name and render() resolved each one or threw.
    if (value === undefined) throw new Error(`unresolved variable ${node.name}`);
    out += insert(node.name, value, node.raw);
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return `a value of type ${typeof value}`;
}
