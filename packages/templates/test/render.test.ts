import { describe, expect, it } from 'vitest';
import { render, type TemplateSource, type TemplateVariable } from '../src/index';
import { expectTemplateError } from './helpers';

const order: TemplateSource = {
  subject: 'Your {{{PRODUCT}}} order',
  html: '<p>Name: {{{PRODUCT}}}</p><p>Total: {{{PRICE}}}</p>',
  text: 'Name: {{PRODUCT}}, total: {{PRICE}}',
};
const orderVariables: TemplateVariable[] = [
  { key: 'PRODUCT', type: 'string', fallback_value: 'item' },
  { key: 'PRICE', type: 'number', fallback_value: 25 },
];

describe('substitution', () => {
  it('fills triple-brace variables in all three fields', () => {
    expect(render(order, orderVariables, { PRODUCT: 'Vintage Macintosh', PRICE: 499 })).toEqual({
      subject: 'Your Vintage Macintosh order',
      html: '<p>Name: Vintage Macintosh</p><p>Total: 499</p>',
      text: 'Name: Vintage Macintosh, total: 499',
    });
  });

  it('fills double-brace variables and allows spaces inside the braces', () => {
    const source = { subject: 'Hi {{ NAME }}', html: '<b>{{NAME}}</b> {{{  NAME  }}}', text: '{{NAME}}!' };
    const variables: TemplateVariable[] = [{ key: 'NAME', type: 'string' }];
    expect(render(source, variables, { NAME: 'Ada' })).toEqual({
      subject: 'Hi Ada',
      html: '<b>Ada</b> Ada',
      text: 'Ada!',
    });
  });

  it('repeats a variable wherever it is used and leaves other text alone', () => {
    const source = { subject: 's', html: '{{A}}-{{A}} }} { } {{{A}}}' };
    expect(render(source, [{ key: 'A', type: 'string' }], { A: 'x' }).html).toBe('x-x }} { } x');
  });

  it('returns text null when the template has no text, and renders an empty text as empty', () => {
    const variables: TemplateVariable[] = [{ key: 'A', type: 'string' }];
    expect(render({ subject: 's', html: '{{A}}' }, variables, { A: 'a' }).text).toBeNull();
    expect(render({ subject: 's', html: '{{A}}', text: null }, variables, { A: 'a' }).text).toBeNull();
    expect(render({ subject: 's', html: '{{A}}', text: '' }, variables, { A: 'a' }).text).toBe('');
  });

  it('renders a template without variables as it is', () => {
    const source = { subject: 'Hello', html: '<p>a & b</p>', text: 'plain' };
    expect(render(source, [], {})).toEqual({ subject: 'Hello', html: '<p>a & b</p>', text: 'plain' });
  });
});

describe('escaping', () => {
  const source = {
    subject: 'Re: {{V}} / {{{V}}}',
    html: '<p title="{{V}}">{{V}}</p>{{{V}}}',
    text: '{{V}} | {{{V}}}',
  };
  const variables: TemplateVariable[] = [{ key: 'V', type: 'string' }];
  const value = `<a href="x">Tom & 'Jerry'</a> \`=`;

  it('escapes {{VAR}} in html and leaves {{{VAR}}} raw', () => {
    const escaped = '&lt;a href&#x3D;&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt; &#x60;&#x3D;';
    expect(render(source, variables, { V: value }).html).toBe(`<p title="${escaped}">${escaped}</p>${value}`);
  });

  it('never escapes in subject or text', () => {
    const rendered = render(source, variables, { V: value });
    expect(rendered.subject).toBe(`Re: ${value} / ${value}`);
    expect(rendered.text).toBe(`${value} | ${value}`);
  });

  it('escapes a fallback value too', () => {
    const withFallback: TemplateVariable[] = [{ key: 'V', type: 'string', fallback_value: '<b>' }];
    expect(render({ subject: 's', html: '{{V}}{{{V}}}' }, withFallback, {}).html).toBe('&lt;b&gt;<b>');
  });

  it('does not re-interpret braces inside a value', () => {
    const variables2: TemplateVariable[] = [
      { key: 'A', type: 'string' },
      { key: 'B', type: 'string' },
    ];
    expect(render({ subject: '{{A}}', html: '{{{A}}}{{B}}' }, variables2, { A: '{{B}}', B: 'b' })).toEqual({
      subject: '{{B}}',
      html: '{{B}}b',
      text: null,
    });
  });
});

describe('fallbacks and missing values', () => {
  it('uses the fallback when a value is missing, null or undefined', () => {
    const expected = {
      subject: 'Your item order',
      html: '<p>Name: item</p><p>Total: 25</p>',
      text: 'Name: item, total: 25',
    };
    expect(render(order, orderVariables, {})).toEqual(expected);
    expect(render(order, orderVariables, { PRODUCT: null, PRICE: undefined })).toEqual(expected);
  });

  it('prefers a given value, even an empty string or zero, over the fallback', () => {
    const rendered = render(order, orderVariables, { PRODUCT: '', PRICE: 0 });
    expect(rendered.html).toBe('<p>Name: </p><p>Total: 0</p>');
  });

  it('uses an empty-string fallback as a value', () => {
    const variables: TemplateVariable[] = [{ key: 'A', type: 'string', fallback_value: '' }];
    expect(render({ subject: 's', html: '[{{A}}]' }, variables, {}).html).toBe('[]');
  });

  it('names a referenced variable that has neither value nor fallback', () => {
    const variables: TemplateVariable[] = [
      { key: 'NAME', type: 'string', fallback_value: 'there' },
      { key: 'CODE', type: 'string', fallback_value: null },
    ];
    const source = { subject: 'Hi {{NAME}}', html: '<p>{{NAME}}</p>', text: 'Code: {{CODE}}' };
    const error = expectTemplateError(() => render(source, variables, { NAME: 'Ada' }), 'text', 'CODE');
    expect(error.message).toContain("'CODE'");
  });

  it('reports the first field that uses the missing variable', () => {
    const variables: TemplateVariable[] = [{ key: 'X', type: 'number' }];
    expectTemplateError(
      () => render({ subject: 's', html: '{{X}}', text: '{{X}}' }, variables, {}),
      'html',
      'X',
    );
    expectTemplateError(
      () => render({ subject: '{{X}}', html: '{{X}}' }, variables, { X: null }),
      'subject',
      'X',
    );
  });

  it('does not require a value for a declared variable the template never uses', () => {
    const variables: TemplateVariable[] = [
      { key: 'USED', type: 'string' },
      { key: 'UNUSED', type: 'number' },
    ];
    expect(render({ subject: 's', html: '{{USED}}' }, variables, { USED: 'u' }).html).toBe('u');
  });

  it('looks names up only among own declarations and values, not the prototype chain', () => {
    const variables: TemplateVariable[] = [
      { key: 'toString', type: 'string', fallback_value: 'fb' },
      { key: 'constructor', type: 'string' },
    ];
    const source = { subject: 's', html: '{{toString}}|{{constructor}}' };
    expect(render(source, variables, { constructor: 'c' }).html).toBe('fb|c');
    expectTemplateError(() => render(source, variables, {}), 'html', 'constructor');
    const proto = JSON.parse('{"__proto__": "x"}') as Record<string, unknown>;
    expectTemplateError(() => render(source, variables, proto), 'variables', '__proto__');
  });
});

describe('value types', () => {
  const variables: TemplateVariable[] = [
    { key: 'NAME', type: 'string' },
    { key: 'COUNT', type: 'number' },
  ];
  const source = { subject: '{{NAME}}: {{COUNT}}', html: '<p>{{NAME}} {{COUNT}}</p>' };

  it('accepts numbers and numeric strings for number variables, rendering strings as given', () => {
    expect(render(source, variables, { NAME: 'n', COUNT: 3.5 }).subject).toBe('n: 3.5');
    expect(render(source, variables, { NAME: 'n', COUNT: '-1.50' }).subject).toBe('n: -1.50');
    expect(render(source, variables, { NAME: 'n', COUNT: '6e3' }).subject).toBe('n: 6e3');
  });

  it('accepts a number for a string variable', () => {
    expect(render(source, variables, { NAME: 42, COUNT: 1 }).subject).toBe('42: 1');
  });

  it.each([
    ['abc'],
    ['12abc'],
    [''],
    [' 5'],
    ['0x10'],
    ['Infinity'],
    ['1e999'],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [true],
    [{ value: 1 }],
    [[1]],
  ])('rejects %j for a number variable, naming it', (value) => {
    const error = expectTemplateError(
      () => render(source, variables, { NAME: 'n', COUNT: value }),
      'variables',
      'COUNT',
    );
    expect(error.message).toContain("'COUNT'");
  });

  it.each([[{ first: 'a' }], [['a', 'b']], [false], [Number.NaN]])(
    'rejects %j for a string variable, naming it',
    (value) => {
      expectTemplateError(() => render(source, variables, { NAME: value, COUNT: 1 }), 'variables', 'NAME');
    },
  );

  it('type-checks a value even for a declared variable the template does not use', () => {
    expectTemplateError(
      () => render({ subject: 's', html: '{{NAME}}' }, variables, { NAME: 'n', COUNT: 'many' }),
      'variables',
      'COUNT',
    );
  });
});

describe('unknown values', () => {
  it('rejects a value for a variable the template does not declare, naming it', () => {
    const error = expectTemplateError(
      () => render(order, orderVariables, { PRODUCT: 'p', PRICE: 1, COUPON: 'x' }),
      'variables',
      'COUPON',
    );
    expect(error.message).toContain("'COUPON'");
  });

  it('rejects an unknown key even when its value is null', () => {
    expectTemplateError(() => render(order, orderVariables, { Product: null }), 'variables', 'Product');
  });

  it('rejects values that are not an object', () => {
    expectTemplateError(
      () => render(order, orderVariables, ['x'] as unknown as Record<string, unknown>),
      'variables',
    );
    expectTemplateError(
      () => render(order, orderVariables, 'x' as unknown as Record<string, unknown>),
      'variables',
    );
  });
});

describe('subject header injection', () => {
  const variables: TemplateVariable[] = [{ key: 'NAME', type: 'string' }];

  it.each([['Ada\r\nBcc: victim@example.com'], ['Ada\nX'], ['Ada\rX']])(
    'rejects a value with a line break (%j) inserted into the subject',
    (value) => {
      const error = expectTemplateError(
        () => render({ subject: 'Hi {{{NAME}}}', html: '<p>hi</p>' }, variables, { NAME: value }),
        'subject',
        'NAME',
      );
      expect(error.message).toContain("'NAME'");
    },
  );

  it('allows line breaks in values that only go into html and text', () => {
    const rendered = render({ subject: 'Hi', html: '<pre>{{NAME}}</pre>', text: '{{NAME}}' }, variables, {
      NAME: 'a\r\nb',
    });
    expect(rendered).toEqual({ subject: 'Hi', html: '<pre>a\r\nb</pre>', text: 'a\r\nb' });
  });
});

describe('non-ASCII', () => {
  it('passes Unicode through unchanged in every field and escapes only the HTML specials', () => {
    const variables: TemplateVariable[] = [
      { key: 'NAME', type: 'string' },
      { key: 'CITY', type: 'string', fallback_value: 'Zürich' },
    ];
    const source = {
      subject: 'Grüße, {{{NAME}}} 👋',
      html: '<p>こんにちは {{NAME}} — {{CITY}}</p>',
      text: 'Привет, {{NAME}} из {{CITY}}',
    };
    const name = 'Zoë <Łukasz> 山田 🎉';
    expect(render(source, variables, { NAME: name })).toEqual({
      subject: `Grüße, ${name} 👋`,
      html: '<p>こんにちは Zoë &lt;Łukasz&gt; 山田 🎉 — Zürich</p>',
      text: `Привет, ${name} из Zürich`,
    });
  });
});

describe('render validates the template first', () => {
  it('refuses a template with a syntax error', () => {
    expectTemplateError(
      () => render({ subject: 's', html: '{{#A}}x{{/A}}' }, [{ key: 'A', type: 'string' }], {}),
      'html',
    );
  });

  it('refuses a template that uses an undeclared variable, even if a value is given', () => {
    expectTemplateError(() => render({ subject: 's', html: '{{A}}' }, [], { A: 'a' }), 'html', 'A');
  });
});
