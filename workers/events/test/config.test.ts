// Events' vars through config(env) (src/env.ts): validated once, and a loud error naming the variable
// for what is missing or malformed. ENVIRONMENT decides which webhook endpoints are refused, so a
// typo must not pass for a real environment.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { config, type Env } from '../src/env';

const realEnv = env as unknown as Env;

describe('config(env)', () => {
  it("reads wrangler.jsonc's vars", () => {
    expect(config(realEnv)).toEqual({ ENVIRONMENT: 'development' });
  });

  it.each([
    [
      { ENVIRONMENT: 'prod' },
      'ENVIRONMENT must be one of "development", "staging", "production" (got "prod")',
    ],
    [{ ENVIRONMENT: undefined }, 'ENVIRONMENT is not set'],
  ])('refuses %j, naming the variable', (vars, message) => {
    expect(() => config({ ...realEnv, ...vars } as Env)).toThrow(message);
  });
});
