import { describe, expect, it } from 'vitest';
import { referencedVariables } from '../src/index';
import { expectTemplateError } from './helpers';

describe('referencedVariables', () => {
  it('lists each name once, in order of first use, for both brace styles', () => {
    expect(referencedVariables('{{{B}}} {{A}} {{ B }} {{{  C  }}} {{A}}')).toEqual(['B', 'A', 'C']);
  });

  it('returns an empty list for a template without tags', () => {
    expect(referencedVariables('<p>no tags } here }}</p>')).toEqual([]);
  });

  it('throws a TemplateError labelled with the given field on a syntax error', () => {
    expectTemplateError(() => referencedVariables('{{#list}}x{{/list}}', 'text'), 'text');
    expectTemplateError(() => referencedVariables('Hi {{NAME'), 'html');
  });
});
