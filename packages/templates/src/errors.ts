/** The part of a template an error is about. */
export type TemplateField = 'subject' | 'html' | 'text' | 'variables';

/**
 * Everything this package rejects: bad template syntax, bad variable declarations, missing,
 * unknown or mistyped values. `field` says where, `variable` names the variable when one is at fault.
 * The message is safe to return to the API caller as is.
 */
export class TemplateError extends Error {
  readonly variable: string | null;
  readonly field: TemplateField;

  constructor(message: string, field: TemplateField, variable: string | null = null) {
    super(message);
    this.name = 'TemplateError';
    this.field = field;
    this.variable = variable;
  }
}
