import { expect } from 'vitest';
import { TemplateError, type TemplateField } from '../src/index';

/** Runs `fn`, expects a TemplateError, checks its field and variable, and returns it. */
export function expectTemplateError(
  fn: () => unknown,
  field: TemplateField,
  variable: string | null = null,
): TemplateError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(TemplateError);
  const error = thrown as TemplateError;
  expect({ field: error.field, variable: error.variable }).toEqual({ field, variable });
  expect(error.name).toBe('TemplateError');
  return error;
}
