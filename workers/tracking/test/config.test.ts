// Tracking's vars through config(env) (src/env.ts): validated once, and a loud error naming the
// variable for what is missing. Every tracking path verifies a token, so the keys are required
// (their contents are checked by @mailgrid/tracking-tokens).
import { describe, expect, it } from 'vitest';
import { config, type Env } from '../src/env';
import { realEnv } from './helpers';

describe('config(env)', () => {
  it("reads wrangler.jsonc's vars", () => {
    expect(config(realEnv)).toMatchObject({ ENVIRONMENT: 'development', TRACKING_SIGNING_KEY_ID: 'dev1' });
  });

  it.each([
    [{ TRACKING_SIGNING_KEYS: undefined }, 'TRACKING_SIGNING_KEYS is not set'],
    [{ TRACKING_SIGNING_KEY_ID: ' ' }, 'TRACKING_SIGNING_KEY_ID is blank'],
    [{ ENVIRONMENT: 'dev' }, 'ENVIRONMENT must be one of "development", "staging", "production" (got "dev")'],
  ])('refuses %j, naming the variable', (vars, message) => {
    expect(() => config({ ...realEnv, ...vars } as Env)).toThrow(message);
  });
});
