// Events' vars through config(env) (src/env.ts): validated once, and a loud error naming the variable
// for what is missing or malformed. ENVIRONMENT decides which webhook endpoints are refused, so a
// typo must not pass for a real environment.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { config, type Env } from '../src/env';

const realEnv = env as unknown as Env;

describe('config(env)', () => {
  it("reads wrangler.jsonc's vars", () => {
    expect(config(realEnv)).toEqual({
      ENVIRONMENT: 'development',
      WEBHOOK_SECRET_KEY: 'local-dev-webhook-secret-key',
      WEBHOOK_STRANDED_AFTER_SECONDS: 600,
    });
  });

  it('reads WEBHOOK_STRANDED_AFTER_SECONDS as a number, 600 when unset or blank', () => {
    expect(config({ ...realEnv, WEBHOOK_STRANDED_AFTER_SECONDS: '120' }).WEBHOOK_STRANDED_AFTER_SECONDS).toBe(
      120,
    );
    expect(config({ ...realEnv, WEBHOOK_STRANDED_AFTER_SECONDS: ' ' }).WEBHOOK_STRANDED_AFTER_SECONDS).toBe(
      600,
    );
  });

  it.each([
    [
      { ENVIRONMENT: 'prod' },
      'ENVIRONMENT must be one of "development", "staging", "production" (got "prod")',
    ],
    [{ ENVIRONMENT: undefined }, 'ENVIRONMENT is not set'],
    [
      { WEBHOOK_STRANDED_AFTER_SECONDS: '10m' },
      'WEBHOOK_STRANDED_AFTER_SECONDS must be a whole number (got "10m")',
    ],
    [{ WEBHOOK_STRANDED_AFTER_SECONDS: '0' }, 'WEBHOOK_STRANDED_AFTER_SECONDS must be at least 1 (got 0)'],
  ])('refuses %j, naming the variable', (vars, message) => {
    expect(() => config({ ...realEnv, ...vars } as Env)).toThrow(message);
  });
});
