// Send's vars through config(env) (src/env.ts, parsed by @mailgrid/runtime's parseConfig): converted
// once, defaults for what is unset, and a loud error naming the variable for what is missing or
// malformed, where a Number() used to turn it into NaN and a quiet default.
import { env } from 'cloudflare:workers';
import { ConfigError } from '@mailgrid/runtime';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { config, type Env } from '../src/env';
import { accept, consume, messageFor, newTenant, sesStub, type Tenant } from './helpers';

const realEnv = env as unknown as Env;
const withVars = (vars: Record<string, unknown>) => ({ ...realEnv, ...vars }) as Env;

/** The message config(env) throws with, or a failure if it does not throw. */
function problem(vars: Record<string, unknown>): string {
  try {
    config(withVars(vars));
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`config accepted ${JSON.stringify(vars)}`);
}

describe('config(env)', () => {
  it("converts wrangler.jsonc's vars: numbers are numbers, JSON is an object", () => {
    expect(config(realEnv)).toMatchObject({
      ENVIRONMENT: 'development',
      SES_REGION: 'us-east-1',
      SES_MAX_SEND_RATE: 100_000, // vitest.config.ts widens it for the tests
      SES_TIMEOUT_MS: 15_000,
      SEND_BACKOFF_SCALE: 1,
      SES_CONFIGURATION_SETS: {},
      TRACKING_SIGNING_KEY_ID: 'dev1',
    });
  });

  it('converts what is set, and gives the defaults for what is unset or blank', () => {
    expect(
      config(
        withVars({
          SES_MAX_SEND_RATE: '0.5',
          SES_TIMEOUT_MS: ' 2000 ',
          SEND_BACKOFF_SCALE: '.25',
          SES_CONFIGURATION_SETS: '{"broadcast": "bulk"}',
        }),
      ),
    ).toMatchObject({
      SES_MAX_SEND_RATE: 0.5,
      SES_TIMEOUT_MS: 2000,
      SEND_BACKOFF_SCALE: 0.25,
      SES_CONFIGURATION_SETS: { broadcast: 'bulk' },
    });
    expect(
      config(
        withVars({
          SES_MAX_SEND_RATE: undefined,
          SES_TIMEOUT_MS: '',
          SEND_BACKOFF_SCALE: '  ',
          SES_CONFIGURATION_SETS: '',
        }),
      ),
    ).toMatchObject({
      SES_MAX_SEND_RATE: 14,
      SES_TIMEOUT_MS: 15_000,
      SEND_BACKOFF_SCALE: 1,
      SES_CONFIGURATION_SETS: {},
    });
    const { SES_MAX_SEND_RATE: _unset, ...withoutRate } = realEnv;
    expect(config(withoutRate as Env).SES_MAX_SEND_RATE).toBe(14);
  });

  it('parses once per env object', () => {
    const one = withVars({});
    expect(config(one)).toBe(config(one));
    expect(config(withVars({}))).not.toBe(config(one));
  });

  it.each([
    [{ SES_MAX_SEND_RATE: 'fast' }, 'SES_MAX_SEND_RATE must be a number (got "fast")'],
    [{ SES_MAX_SEND_RATE: '0' }, 'SES_MAX_SEND_RATE must be above 0 (got 0)'],
    [{ SES_TIMEOUT_MS: '1.5s' }, 'SES_TIMEOUT_MS must be a whole number (got "1.5s")'],
    [{ SES_CONFIGURATION_SETS: '{broadcast: bulk}' }, 'SES_CONFIGURATION_SETS must be valid JSON'],
    [
      { SES_CONFIGURATION_SETS: '{"broadcast": 7}' },
      'SES_CONFIGURATION_SETS.broadcast must map each stream to a configuration set name',
    ],
    [{ SES_ENDPOINT: 'email.us-east-1.amazonaws.com' }, 'SES_ENDPOINT must be an absolute URL'],
    [{ TRACKING_BASE_URL: undefined }, 'TRACKING_BASE_URL is not set'],
    [{ SES_REGION: ' ' }, 'SES_REGION is blank'],
    [
      { ENVIRONMENT: 'prod' },
      'ENVIRONMENT must be one of "development", "staging", "production" (got "prod")',
    ],
  ])('refuses %j, naming the variable', (vars, message) => {
    expect(problem(vars)).toContain(message);
  });

  it('refuses a required var that is absent altogether', () => {
    const { SES_REGION: _absent, ...withoutRegion } = realEnv;
    expect(() => config(withoutRegion as Env)).toThrow('SES_REGION is not set');
  });

  it('lists every problem at once, and never shows a secret', () => {
    const message = problem({ SES_SECRET_ACCESS_KEY: 42_424_242, SES_MAX_SEND_RATE: 'x', SES_REGION: '' });
    expect(message).toContain('SES_SECRET_ACCESS_KEY must be text');
    expect(message).toContain('SES_MAX_SEND_RATE must be a number');
    expect(message).toContain('SES_REGION is blank');
    expect(message).not.toContain('42424242');
  });
});

describe('a malformed var in use', () => {
  let acme: Tenant;
  beforeAll(async () => {
    acme = await newTenant();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('fails the send queue batch loudly instead of pacing at a guessed rate', async () => {
    const id = await accept(acme);
    const ses = sesStub();
    await expect(consume([messageFor(acme, id)], { SES_MAX_SEND_RATE: '14/s' })).rejects.toThrow(
      'SES_MAX_SEND_RATE must be a number (got "14/s")',
    );
    expect(ses.requests).toHaveLength(0);
  });
});
