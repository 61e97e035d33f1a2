import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { render, type TemplateVariable, validateTemplate } from '../src/index';

// Cloudflare Workers refuse `eval` and `new Function`; the engine must only interpret.

const realFunction = globalThis.Function;
// biome-ignore lint/security/noGlobalEval: saved to restore it after the stub; never called here.
const realEval = globalThis.eval;

afterEach(() => {
  globalThis.Function = realFunction;
  globalThis.eval = realEval;
});

describe('no code generation', () => {
  it('validates and renders with eval and Function replaced by throwing stubs', () => {
    let attempts = 0;
    // A plain function, so that both `Function(...)` and `new Function(...)` reach it.
    function refuse(): never {
      attempts++;
      throw new EvalError('Code generation from strings disallowed for this context');
    }
    const variables: TemplateVariable[] = [
      { key: 'NAME', type: 'string' },
      { key: 'TOTAL', type: 'number', fallback_value: 10 },
    ];
    const source = {
      subject: 'Hi {{{NAME}}}',
      html: '<p>{{NAME}}: {{{TOTAL}}}</p>',
      text: '{{NAME}} {{TOTAL}}',
    };

    globalThis.Function = refuse as unknown as FunctionConstructor;
    globalThis.eval = refuse;
    // The stubs are really in place: code that generates code would hit them.
    expect(() => new globalThis.Function('return 1')).toThrow(EvalError);
    // biome-ignore lint/security/noGlobalEval: calls the throwing stub, to show it is in place.
    expect(() => globalThis.eval('1')).toThrow(EvalError);
    attempts = 0;

    validateTemplate(source, variables);
    const rendered = render(source, variables, { NAME: '<Ada>' });

    globalThis.Function = realFunction;
    globalThis.eval = realEval;
    expect(attempts).toBe(0);
    expect(rendered).toEqual({ subject: 'Hi <Ada>', html: '<p>&lt;Ada&gt;: 10</p>', text: '<Ada> 10' });
  });

  it('has no eval or Function constructor in its source', () => {
    const dir = join(import.meta.dirname, '..', 'src');
    const files = readdirSync(dir).filter((name) => name.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(0);
    for (const name of files) {
      const code = readFileSync(join(dir, name), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      expect(code, name).not.toMatch(/\beval\s*\(|\bFunction\s*\(|new\s+Function\b|\.constructor\s*\(/);
    }
  });
});
