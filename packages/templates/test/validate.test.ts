import { describe, expect, it } from 'vitest';
import {
  MAX_TEMPLATE_VARIABLES,
  type TemplateSource,
  type TemplateVariable,
  validateTemplate,
} from '../src/index';
import { expectTemplateError } from './helpers';

const NAME: TemplateVariable[] = [{ key: 'NAME', type: 'string' }];

describe('a valid template', () => {
  it('passes with every field using declared variables', () => {
    const source = { subject: 'Hi {{{NAME}}}', html: '<p>{{NAME}} {{{PRICE}}}</p>', text: '{{ PRICE }}' };
    const variables: TemplateVariable[] = [
      { key: 'NAME', type: 'string', fallback_value: 'there' },
      { key: 'PRICE', type: 'number', fallback_value: 25 },
    ];
    expect(() => validateTemplate(source, variables)).not.toThrow();
  });

  it('passes with declared variables the template does not use, and with null fallbacks', () => {
    const variables: TemplateVariable[] = [
      { key: 'A', type: 'string', fallback_value: null },
      { key: 'B', type: 'number' },
    ];
    expect(() => validateTemplate({ subject: 's', html: '<p/>', text: null }, variables)).not.toThrow();
  });

  it(`passes with ${MAX_TEMPLATE_VARIABLES} variables and a 50-character key`, () => {
    const variables = Array.from({ length: MAX_TEMPLATE_VARIABLES }, (_, i) => ({
      key: `V${i}`,
      type: 'string' as const,
    }));
    variables[0] = { key: `_${'a'.repeat(49)}`, type: 'string' };
    expect(() => validateTemplate({ subject: 's', html: 'h' }, variables)).not.toThrow();
  });
});

describe('syntax errors name the field', () => {
  const cases: [string, Partial<TemplateSource>, 'subject' | 'html' | 'text', RegExp][] = [
    ['an unclosed double tag', { html: '<p>{{NAME</p>' }, 'html', /unclosed/],
    ['an unclosed triple tag', { text: 'Hi {{{NAME}}' }, 'text', /unclosed/],
    ['an unclosed tag at the end', { subject: 'Hi {{' }, 'subject', /unclosed/],
    ['a section', { html: '{{#NAME}}x{{/NAME}}' }, 'html', /section/],
    ['an inverted section', { html: '{{^NAME}}x{{/NAME}}' }, 'html', /section/],
    ['a stray section close', { text: 'x{{/NAME}}' }, 'text', /section/],
    ['a partial', { html: '{{> footer}}' }, 'html', /partial/],
    ['a comment', { html: '{{! note }}' }, 'html', /comment/],
    ['a delimiter change', { html: '{{=<% %>=}}' }, 'html', /delimiter/],
    ['an ampersand tag', { html: '{{& NAME}}' }, 'html', /\{\{\{VAR\}\}\}/],
    ['a dotted name', { html: '{{contact.first_name}}' }, 'html', /variable name/],
    ['a helper call', { html: '{{uppercase NAME}}' }, 'html', /variable name/],
    ['an empty tag', { subject: '{{ }}' }, 'subject', /empty/],
    ['four braces', { html: '{{{{NAME}}}}' }, 'html', /braces/],
    ['a triple tag closed by two braces', { html: '{{{NAME}} and more' }, 'html', /unclosed/],
  ];

  it.each(cases)('rejects %s', (_label, fields, field, message) => {
    const source: TemplateSource = { subject: 'Hello', html: '<p>hi</p>', text: 'hi', ...fields };
    const error = expectTemplateError(() => validateTemplate(source, NAME), field);
    expect(error.message).toMatch(message);
  });

  it('says where the error is', () => {
    const error = expectTemplateError(
      () => validateTemplate({ subject: 's', html: '<p>\n  ok {{NAME}}\n  bad {{#NAME}}' }, NAME),
      'html',
    );
    expect(error.message).toContain('line 3, column 7');
  });

  it('rejects a line break written into the subject', () => {
    expectTemplateError(
      () => validateTemplate({ subject: 'Hello\r\nBcc: x@example.com', html: 'h' }, []),
      'subject',
    );
    expectTemplateError(() => validateTemplate({ subject: 'Hello\n', html: 'h' }, []), 'subject');
  });

  it('rejects fields that are not strings', () => {
    expectTemplateError(() => validateTemplate({ subject: 's', html: 1 as unknown as string }, []), 'html');
    expectTemplateError(
      () => validateTemplate({ subject: null as unknown as string, html: 'h' }, []),
      'subject',
    );
    expectTemplateError(
      () => validateTemplate({ subject: 's', html: 'h', text: 2 as unknown as string }, []),
      'text',
    );
  });
});

describe('undeclared variables', () => {
  it('names a variable used but not declared, and the field using it', () => {
    const source = { subject: 'Hi {{{NAME}}}', html: '<p>{{NAME}}</p>', text: 'Order {{ORDER_ID}}' };
    const error = expectTemplateError(() => validateTemplate(source, NAME), 'text', 'ORDER_ID');
    expect(error.message).toContain("'ORDER_ID'");
  });

  it('treats names case-sensitively', () => {
    expectTemplateError(() => validateTemplate({ subject: 's', html: '{{name}}' }, NAME), 'html', 'name');
  });

  it('rejects a variable used in a template with no declarations', () => {
    expectTemplateError(() => validateTemplate({ subject: '{{X}}', html: 'h' }, []), 'subject', 'X');
  });
});

describe('declarations', () => {
  const source = { subject: 's', html: 'h' };

  it.each([
    ['1ABC'],
    ['has-dash'],
    ['has space'],
    ['contact.first_name'],
    [''],
    ['é'],
    [`A${'b'.repeat(50)}`],
  ])('rejects the key %j', (key) => {
    expectTemplateError(() => validateTemplate(source, [{ key, type: 'string' }]), 'variables', key);
  });

  it('rejects a key that is not a string', () => {
    const variables = [{ key: 7, type: 'string' }] as unknown as TemplateVariable[];
    expectTemplateError(() => validateTemplate(source, variables), 'variables', null);
  });

  it.each([['FIRST_NAME'], ['EMAIL'], ['UNSUBSCRIBE_URL'], ['contact'], ['this']])(
    'rejects the reserved key %s',
    (key) => {
      expectTemplateError(() => validateTemplate(source, [{ key, type: 'string' }]), 'variables', key);
    },
  );

  it('rejects a duplicate key, naming it', () => {
    const variables: TemplateVariable[] = [
      { key: 'A', type: 'string' },
      { key: 'B', type: 'string' },
      { key: 'A', type: 'number' },
    ];
    expectTemplateError(() => validateTemplate(source, variables), 'variables', 'A');
  });

  it('rejects an unknown type', () => {
    const variables = [{ key: 'A', type: 'boolean' }] as unknown as TemplateVariable[];
    expectTemplateError(() => validateTemplate(source, variables), 'variables', 'A');
  });

  it.each([
    ['string', 5],
    ['number', '5'],
    ['number', 'five'],
    ['number', Number.NaN],
    ['string', true],
    ['string', { a: 1 }],
  ])('rejects a %s variable with the fallback %j', (type, fallback) => {
    const variables = [{ key: 'A', type, fallback_value: fallback }] as unknown as TemplateVariable[];
    const error = expectTemplateError(() => validateTemplate(source, variables), 'variables', 'A');
    expect(error.message).toContain('fallback_value');
  });

  it(`rejects more than ${MAX_TEMPLATE_VARIABLES} variables`, () => {
    const variables = Array.from({ length: MAX_TEMPLATE_VARIABLES + 1 }, (_, i) => ({
      key: `V${i}`,
      type: 'string' as const,
    }));
    expectTemplateError(() => validateTemplate(source, variables), 'variables');
  });

  it('rejects variables that are not an array of objects', () => {
    expectTemplateError(
      () => validateTemplate(source, { key: 'A' } as unknown as TemplateVariable[]),
      'variables',
    );
    expectTemplateError(() => validateTemplate(source, ['A'] as unknown as TemplateVariable[]), 'variables');
  });

  it('rejects a fallback with a line break for a variable used in the subject', () => {
    const variables: TemplateVariable[] = [{ key: 'NAME', type: 'string', fallback_value: 'a\nb' }];
    expectTemplateError(
      () => validateTemplate({ subject: '{{NAME}}', html: 'h' }, variables),
      'subject',
      'NAME',
    );
    expect(() => validateTemplate({ subject: 's', html: '{{NAME}}' }, variables)).not.toThrow();
  });
});
