// The gateway's vars through config(env) (src/env.ts): converted once, and a loud error naming the
// variable for what is missing or malformed (a MAX_BODY_BYTES of NaN used to switch the limit off).
import { env } from 'cloudflare:workers';
import { ConfigError } from '@mailgrid/runtime';
import { describe, expect, it } from 'vitest';
import { config, DEFAULT_SNS_HOST_PATTERN, type Env } from '../src/env';

const realEnv = env as unknown as Env;
const withVars = (vars: Record<string, unknown>) => ({ ...realEnv, ...vars }) as Env;

describe('config(env)', () => {
  it("converts wrangler.jsonc's vars: a number, a list, a pattern, a flag", () => {
    const parsed = config(realEnv);
    expect(parsed).toMatchObject({
      ENVIRONMENT: 'development',
      MAX_BODY_BYTES: 41_943_040,
      SNS_TOPIC_ARNS: ['arn:aws:sns:us-east-1:000000000000:mailgrid-ses-events'],
      SNS_ALLOW_INSECURE_CERT_URL: false,
    });
    expect(parsed.SNS_CERT_HOST_PATTERN.test('sns.eu-west-1.amazonaws.com')).toBe(true);
    expect(parsed.SNS_CERT_HOST_PATTERN.test('sns.eu-west-1.amazonaws.com.evil.test')).toBe(false);
  });

  it('splits lists on commas, and gives the defaults for what is unset or blank', () => {
    expect(
      config(
        withVars({
          SNS_TOPIC_ARNS: ' arn:a , arn:b,,',
          SNS_CERT_HOST_PATTERN: '  ',
          SNS_ALLOW_INSECURE_CERT_URL: undefined,
          MAX_IMPORT_BYTES: '',
          OPERATOR_SECRET: '',
        }),
      ),
    ).toMatchObject({
      SNS_TOPIC_ARNS: ['arn:a', 'arn:b'],
      SNS_CERT_HOST_PATTERN: new RegExp(DEFAULT_SNS_HOST_PATTERN),
      SNS_ALLOW_INSECURE_CERT_URL: false,
      MAX_IMPORT_BYTES: undefined,
      OPERATOR_SECRET: undefined,
    });
    expect(
      config(withVars({ SNS_TOPIC_ARNS: undefined, SNS_ALLOW_INSECURE_CERT_URL: 'true' })),
    ).toMatchObject({
      SNS_TOPIC_ARNS: [],
      SNS_ALLOW_INSECURE_CERT_URL: true,
    });
  });

  it.each([
    [{ MAX_BODY_BYTES: '40MiB' }, 'MAX_BODY_BYTES must be a whole number (got "40MiB")'],
    [{ MAX_BODY_BYTES: undefined }, 'MAX_BODY_BYTES is not set'],
    [{ MAX_BODY_BYTES: '0' }, 'MAX_BODY_BYTES must be at least 1 (got 0)'],
    [{ MAX_IMPORT_BYTES: '-1' }, 'MAX_IMPORT_BYTES must be a whole number (got "-1")'],
    [{ SNS_CERT_HOST_PATTERN: '^sns(' }, 'SNS_CERT_HOST_PATTERN must be a regular expression'],
    [
      { SNS_ALLOW_INSECURE_CERT_URL: 'yes' },
      'SNS_ALLOW_INSECURE_CERT_URL must be "true" or "false" (got "yes")',
    ],
    [{ AUTH_JWKS_URL: 'auth.example.test/jwks' }, 'AUTH_JWKS_URL must be an absolute URL'],
    [{ ENVIRONMENT: 'Production' }, 'ENVIRONMENT must be one of "development", "staging", "production"'],
  ])('refuses %j, naming the variable', (vars, message) => {
    expect(() => config(withVars(vars))).toThrow(ConfigError);
    expect(() => config(withVars(vars))).toThrow(message);
  });
});
